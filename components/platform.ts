import * as core from "@pulumi/kubernetes/core/v1";
import * as networking from "@pulumi/kubernetes/networking/v1";
import * as pulumi from "@pulumi/pulumi";
import type * as inputs from "@pulumi/kubernetes/types/input";
import { objectName } from "./names";
import { appLabels } from "./pod";
import type { PodPeer } from "./targets/target";

export interface PlatformArgs {
    appName: string;
    namespace: string;
    /** The pods that answer DNS on this cluster: every pod may reach them on port 53. */
    dnsPeers: PodPeer[];
    /** Totals the namespace may use; absent: no ResourceQuota. */
    quota?: inputs.core.v1.ResourceQuotaSpec;
    /** Defaults and bounds of each container that sets fewer resources. */
    limits: inputs.core.v1.LimitRangeItem[];
    /** Keep the namespace, and so everything in it, from being deleted by the engine. */
    protect: boolean;
}

/**
 * The namespace the application lives in and the rules every pod in it is held to: Pod Security
 * "restricted" enforced by the API server, a quota and default limits, and a network that admits
 * nothing but DNS until a workload declares what it talks to.
 */
export class Platform extends pulumi.ComponentResource {
    readonly namespace: core.Namespace;
    readonly namespaceName: pulumi.Output<string>;

    constructor(name: string, args: PlatformArgs, opts?: pulumi.ComponentResourceOptions) {
        super("appstack:platform:Platform", name, {}, opts);
        const labels = appLabels(args.appName, "platform");

        this.namespace = new core.Namespace(
            name,
            {
                metadata: {
                    name: args.namespace,
                    labels: {
                        ...labels,
                        "pod-security.kubernetes.io/enforce": "restricted",
                        "pod-security.kubernetes.io/enforce-version": "latest",
                        "pod-security.kubernetes.io/audit": "restricted",
                        "pod-security.kubernetes.io/warn": "restricted",
                    },
                },
            },
            { parent: this, protect: args.protect, retainOnDelete: args.protect },
        );
        this.namespaceName = this.namespace.metadata.name;
        const metadata = (suffix: string) => ({ name: objectName(args.appName, suffix), namespace: this.namespaceName, labels });

        if (args.quota) {
            new core.ResourceQuota(
                `${name}-quota`,
                {
                    metadata: metadata("quota"),
                    spec: args.quota,
                },
                { parent: this },
            );
        }

        new core.LimitRange(
            `${name}-limits`,
            {
                metadata: metadata("limits"),
                spec: { limits: args.limits },
            },
            { parent: this },
        );

        new networking.NetworkPolicy(
            `${name}-default-deny`,
            {
                metadata: metadata("default-deny"),
                spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
            },
            { parent: this },
        );

        new networking.NetworkPolicy(
            `${name}-allow-dns`,
            {
                metadata: metadata("allow-dns"),
                spec: {
                    podSelector: {},
                    policyTypes: ["Egress"],
                    egress: [
                        {
                            to: args.dnsPeers.map((peer) => ({
                                namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": peer.namespace } },
                                podSelector: { matchLabels: peer.podLabels },
                            })),
                            ports: [
                                { protocol: "UDP", port: 53 },
                                { protocol: "TCP", port: 53 },
                            ],
                        },
                    ],
                },
            },
            { parent: this },
        );

        this.registerOutputs({ namespace: this.namespaceName });
    }
}
