import * as pulumi from "@pulumi/pulumi";
import { addonChart, addonNamespace, type AddonArgs, type Values } from "./addon";
import { pinnedCharts } from "./charts";

/**
 * metrics-server, the resource metrics API the HorizontalPodAutoscalers read: two replicas with a
 * PDB, so that a drained node does not stop every autoscaler at once.
 */
export class MetricsServer extends pulumi.ComponentResource {
    constructor(name: string, args: AddonArgs, opts?: pulumi.ComponentResourceOptions) {
        super("appstack:addons:MetricsServer", name, {}, opts);
        // 10250: the API server aggregates metrics.k8s.io from it.
        const namespace = addonNamespace(`${name}-namespace`, args.namespace, "restricted", [{ port: 10250 }], this);
        const hardened: Values = {
            replicas: 2,
            podDisruptionBudget: { enabled: true, minAvailable: 1 },
            resources: { requests: { cpu: "100m", memory: "200Mi" }, limits: { memory: "400Mi" } },
        };
        addonChart(name, pinnedCharts.metricsServer, args, hardened, namespace, this);
        this.registerOutputs({});
    }
}
