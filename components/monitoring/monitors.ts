import * as apiextensions from "@pulumi/kubernetes/apiextensions";
import * as pulumi from "@pulumi/pulumi";
import { objectName } from "../names";
import { appLabels, selectorLabels } from "../pod";
import { componentLabel } from "./metrics";

/** A workload Prometheus scrapes: through its Service (ServiceMonitor) or its pods (PodMonitor). */
export interface ScrapeTarget {
    component: string;
    via: "service" | "pods";
    /** Name of the Service port or container port the metrics are served on. */
    port: string;
    path: string;
}

export interface MonitorsArgs {
    appName: string;
    namespace: pulumi.Input<string>;
    /** Labels the user's Prometheus selects monitors by. */
    labels: Record<string, string>;
    interval: string;
    targets: ScrapeTarget[];
}

/**
 * A ServiceMonitor per workload with a Service, a PodMonitor per workload without one (the
 * workers), each series labelled with its workload's component so that alerts and the dashboard
 * tell the workloads apart whatever the scrape job is called.
 */
export function createMonitors(name: string, args: MonitorsArgs, parent: pulumi.Resource): apiextensions.CustomResource[] {
    const relabelings = [{ sourceLabels: ["__meta_kubernetes_pod_label_app_kubernetes_io_component"], targetLabel: componentLabel, action: "replace" }];
    return args.targets.map((target) => {
        const metadata = {
            name: objectName(args.appName, target.component),
            namespace: args.namespace,
            labels: { ...appLabels(args.appName, target.component), ...args.labels },
        };
        const selector = { matchLabels: selectorLabels(args.appName, target.component) };
        const endpoint = { port: target.port, path: target.path, interval: args.interval, relabelings };
        return target.via === "service"
            ? new apiextensions.CustomResource(
                  `${name}-${target.component}`,
                  { apiVersion: "monitoring.coreos.com/v1", kind: "ServiceMonitor", metadata, spec: { selector, endpoints: [endpoint] } },
                  { parent },
              )
            : new apiextensions.CustomResource(
                  `${name}-${target.component}`,
                  { apiVersion: "monitoring.coreos.com/v1", kind: "PodMonitor", metadata, spec: { selector, podMetricsEndpoints: [endpoint] } },
                  { parent },
              );
    });
}
