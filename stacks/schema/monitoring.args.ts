import type * as pulumi from "@pulumi/pulumi";
import type { App } from "../../components/app";
import type { MonitoringArgs, ScrapeTarget } from "../../components/monitoring";
import type { NetworkPeer } from "../../components/network";
import { servingPortName, type Workload, type WorkloadMetrics } from "../../components/workload";
import type { StackConfig } from "./stack";

/** The path the app image serves Prometheus metrics on (the api on its port, a worker on METRICS_PORT). */
const metricsPath = "/metrics";

/**
 * Who may scrape: with monitoring on, only the Prometheus pods of the monitoring namespace;
 * with a monitoring namespace alone (as before monitoring existed), that namespace's pods.
 */
function scrapers(config: StackConfig): NetworkPeer[] {
    if (!config.monitoringNamespace) {
        return [];
    }
    return config.monitoring.enabled
        ? [{ namespace: config.monitoringNamespace, podLabels: config.monitoring.prometheusPods }]
        : [{ namespace: config.monitoringNamespace }];
}

/** Where the api, each worker and the frontend serve metrics: the workers only while monitoring is on, the frontend where its image has them. */
export function workloadMetrics(config: StackConfig): { api: WorkloadMetrics; worker?: WorkloadMetrics; frontend?: WorkloadMetrics } {
    const peers = scrapers(config);
    const frontend = config.frontend.metrics;
    return {
        api: { port: config.api.port, path: metricsPath, scrapers: peers },
        worker: config.monitoring.enabled ? { port: config.monitoring.workerMetricsPort, path: metricsPath, scrapers: peers } : undefined,
        frontend: frontend && peers.length ? { port: frontend.port, path: frontend.path, scrapers: peers } : undefined,
    };
}

/** What monitoring.enabled asks for and the cluster cannot take: without the operator's CRDs, its objects. */
export function monitoringLeftOut(config: StackConfig): string[] {
    if (!config.monitoring.enabled || config.monitoring.prometheusOperator) {
        return [];
    }
    return [
        "ServiceMonitors and PodMonitors (monitoring.prometheusOperator is false: no Prometheus Operator CRDs)",
        "PrometheusRule (monitoring.prometheusOperator is false: no Prometheus Operator CRDs)",
    ];
}

/** Through the Service where it serves metrics on the Service's port (the api), else through its pods. */
function scrapeTarget(workload: Workload, component: string): ScrapeTarget[] {
    if (!workload.metrics || !workload.metricsPort) {
        return [];
    }
    const via = workload.service && workload.metricsPort === servingPortName ? "service" : "pods";
    return [{ component, via, port: workload.metricsPort, path: workload.metrics.path }];
}

export function monitoringArgs(config: StackConfig, app: App, namespace: pulumi.Input<string>): MonitoringArgs | undefined {
    const { monitoring } = config;
    if (!monitoring.enabled) {
        return undefined;
    }
    const workloads = [app.api, ...app.workers, ...(app.frontend ? [app.frontend] : [])];
    return {
        appName: config.name,
        namespace,
        labels: monitoring.selectorLabels,
        scrape: monitoring.prometheusOperator
            ? { interval: monitoring.scrapeInterval, targets: workloads.flatMap((workload) => scrapeTarget(workload, workload.component)) }
            : undefined,
        alerts: monitoring.prometheusOperator ? { namespace: config.namespace, thresholds: monitoring.alerts, runbookUrl: monitoring.runbookUrl } : undefined,
        dashboard: monitoring.dashboard.enabled ? { labels: monitoring.dashboard.labels, namespace: config.namespace } : undefined,
    };
}
