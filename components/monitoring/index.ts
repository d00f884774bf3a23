import * as apiextensions from "@pulumi/kubernetes/apiextensions";
import * as core from "@pulumi/kubernetes/core/v1";
import * as pulumi from "@pulumi/pulumi";
import { objectName } from "../names";
import { appLabels } from "../pod";
import { alertGroups, type AlertArgs } from "./alerts";
import { dashboardJson } from "./dashboard";
import { createMonitors, type ScrapeTarget } from "./monitors";

export { alertGroups, alertNames, type AlertArgs, type AlertRule, type AlertThresholds, type RuleGroup } from "./alerts";
export { dashboardJson, dashboardPanels } from "./dashboard";
export type { ScrapeTarget } from "./monitors";

export interface MonitoringArgs {
    appName: string;
    namespace: pulumi.Input<string>;
    /** Labels on every object, so that the user's Prometheus and Grafana select them. */
    labels: Record<string, string>;
    /** ServiceMonitors and PodMonitors (Prometheus Operator CRDs); absent: none. */
    scrape?: { interval: string; targets: ScrapeTarget[] };
    /** A PrometheusRule (Prometheus Operator CRD); absent: none. */
    alerts?: Omit<AlertArgs, "appName">;
    /** A ConfigMap the Grafana sidecar loads, with these labels; absent: none. */
    dashboard?: { labels: Record<string, string>; namespace: string };
}

/** What an operator of the app watches: its scrape configuration, its alerts and its dashboard. */
export class Monitoring extends pulumi.ComponentResource {
    readonly monitors: apiextensions.CustomResource[];
    readonly rules?: apiextensions.CustomResource;
    readonly dashboard?: core.ConfigMap;

    constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        super("appstack:monitoring:Monitoring", name, {}, opts);
        const { appName } = args;
        const metadata = (component: string, extra: Record<string, string> = {}) => ({
            name: objectName(appName, component),
            namespace: args.namespace,
            labels: { ...appLabels(appName, component), ...args.labels, ...extra },
        });

        this.monitors = args.scrape ? createMonitors(name, { appName, namespace: args.namespace, labels: args.labels, ...args.scrape }, this) : [];

        if (args.alerts) {
            this.rules = new apiextensions.CustomResource(
                `${name}-alerts`,
                {
                    apiVersion: "monitoring.coreos.com/v1",
                    kind: "PrometheusRule",
                    metadata: metadata("alerts"),
                    spec: { groups: alertGroups({ appName, ...args.alerts }) },
                },
                { parent: this },
            );
        }

        if (args.dashboard) {
            this.dashboard = new core.ConfigMap(
                `${name}-dashboard`,
                {
                    metadata: metadata("dashboard", args.dashboard.labels),
                    data: {
                        [`${appName}.json`]: dashboardJson(
                            `${appName} (${args.dashboard.namespace})`,
                            objectName(appName, "dashboard"),
                            args.dashboard.namespace,
                        ),
                    },
                },
                { parent: this },
            );
        }

        this.registerOutputs({
            monitors: this.monitors.map((monitor) => monitor.metadata.name),
            rules: this.rules?.metadata.name,
            dashboard: this.dashboard?.metadata.name,
        });
    }
}
