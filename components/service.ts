import * as core from "@pulumi/kubernetes/core/v1";
import type * as pulumi from "@pulumi/pulumi";

export interface ClusterServiceArgs {
    metadata: { name: string; namespace: pulumi.Input<string>; labels: Record<string, string> };
    selector: Record<string, string>;
    port: { name: string; number: number };
}

/**
 * The ClusterIP Service in front of a Deployment's or StatefulSet's pods. The engine does not
 * await it: its await only sees endpoints appear for pods that the awaited workload behind it
 * already reports ready, then lets them "settle" for a fixed 10 s, which made every Service the
 * last step of an up. That its selector matches the pods is checked by the tests, offline.
 */
export function clusterService(name: string, args: ClusterServiceArgs, opts: pulumi.CustomResourceOptions): core.Service {
    return new core.Service(
        name,
        {
            metadata: { ...args.metadata, annotations: { "pulumi.com/skipAwait": "true" } },
            spec: {
                type: "ClusterIP",
                selector: args.selector,
                ports: [{ name: args.port.name, port: args.port.number, targetPort: args.port.name, protocol: "TCP" }],
            },
        },
        opts,
    );
}
