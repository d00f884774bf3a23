import { CustomResource } from "@pulumi/kubernetes/apiextensions";
import * as pulumi from "@pulumi/pulumi";
import { addonChart, addonNamespace, type AddonArgs, type Values } from "./addon";
import { pinnedCharts } from "./charts";

export interface MetalLbArgs extends AddonArgs {
    /** The addresses Services of type LoadBalancer get, each a CIDR or `first-last` (validated by the caller). */
    addresses: string[];
}

/**
 * MetalLB, which gives Services of type LoadBalancer an address on a cluster without a cloud
 * load balancer: one IPAddressPool of the configured addresses, announced over ARP/NDP by an
 * L2Advertisement. The speaker answers ARP from the host network, so the namespace is privileged;
 * the pool and advertisement wait for the chart, whose CRDs and webhook must serve them first.
 */
export class MetalLb extends pulumi.ComponentResource {
    constructor(name: string, args: MetalLbArgs, opts?: pulumi.ComponentResourceOptions) {
        super("appstack:addons:MetalLb", name, {}, opts);
        // 9443: the controller's webhook, called by the API server; 7946: the speakers' memberlist.
        const namespace = addonNamespace(
            `${name}-namespace`,
            args.namespace,
            "privileged",
            [{ port: 9443 }, { port: 7946 }, { port: 7946, protocol: "UDP" }],
            this,
        );
        const hardened: Values = {
            controller: { resources: { requests: { cpu: "20m", memory: "64Mi" }, limits: { memory: "256Mi" } } },
            speaker: { resources: { requests: { cpu: "20m", memory: "64Mi" }, limits: { memory: "256Mi" } } },
        };
        const chart = addonChart(name, pinnedCharts.metallb, args, hardened, namespace, this);
        const pool = new CustomResource(
            `${name}-pool`,
            {
                apiVersion: "metallb.io/v1beta1",
                kind: "IPAddressPool",
                metadata: { name: "appstack", namespace: namespace.metadata.name },
                spec: { addresses: args.addresses },
            },
            { parent: this, dependsOn: [chart] },
        );
        new CustomResource(
            `${name}-l2`,
            {
                apiVersion: "metallb.io/v1beta1",
                kind: "L2Advertisement",
                metadata: { name: "appstack", namespace: namespace.metadata.name },
                spec: { ipAddressPools: [pool.metadata.name] },
            },
            { parent: this, dependsOn: [chart] },
        );
        this.registerOutputs({});
    }
}
