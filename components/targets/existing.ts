import type { Provider } from "@pulumi/kubernetes/provider";
import * as pulumi from "@pulumi/pulumi";
import { kubeDnsPeers, nginxIngress, targetProvider, type ClusterProfile, type IngressControllerArgs, type Target } from "./target";

export interface ExistingClusterArgs {
    /** Contents of the cluster's kubeconfig; a secret. */
    kubeconfig?: pulumi.Input<string>;
    /**
     * Context to use: within `kubeconfig`, or, when no kubeconfig is given, by name in the ambient
     * kubeconfig of whoever runs the program.
     */
    context?: string;
    /**
     * Names the cluster for the provider; absent, the provider tells clusters apart by their
     * kubeconfig, and a rotated credential reads as a different cluster.
     */
    clusterIdentifier?: string;
    /** The ingress controller the cluster runs. */
    ingressController: IngressControllerArgs;
}

/** A cluster that already exists (bare metal, k3s, kubeadm, a managed cluster made elsewhere). */
export class ExistingCluster extends pulumi.ComponentResource implements Target {
    readonly kind = "existing";
    readonly provider: Provider;
    readonly cluster: ClusterProfile;

    constructor(name: string, args: ExistingClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("appstack:targets:ExistingCluster", name, {}, opts);
        this.provider = targetProvider(name, { kubeconfig: args.kubeconfig, context: args.context, clusterIdentifier: args.clusterIdentifier }, this);
        this.cluster = {
            dnsPeers: kubeDnsPeers,
            ingress: nginxIngress(args.ingressController.className, args.ingressController.namespace, true),
        };
        this.registerOutputs({});
    }
}
