import { Provider, type ProviderArgs } from "@pulumi/kubernetes/provider";
import type * as pulumi from "@pulumi/pulumi";

/**
 * A Kubernetes cluster the application is deployed to. Each kind of target (an existing cluster,
 * the embedded local one, and the managed clusters of each cloud) creates or adopts its cluster
 * and hands over one explicit provider; every Kubernetes object is registered with it.
 */
export interface Target {
    readonly kind: string;
    readonly provider: Provider;
    /**
     * Whether an Ingress gets a load-balancer address on this cluster. Where no ingress controller
     * publishes one, the engine must not wait for it.
     */
    readonly ingressPublishesStatus: boolean;
}

/**
 * The one provider of a target, a child of the target's component. It applies server-side, and
 * keeps the provider's default for ConfigMaps and Secrets: a change of content replaces them.
 */
export function targetProvider(name: string, args: ProviderArgs, parent: pulumi.Resource): Provider {
    return new Provider(
        name,
        {
            enableServerSideApply: true,
            ...args,
        },
        { parent },
    );
}
