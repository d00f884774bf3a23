import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as path from "node:path";
import { providerDefaults, type Target } from "./target";

export interface LocalClusterArgs {
    /** The kubeconfig that `npm run local:up` writes for the control plane it starts. */
    kubeconfigPath: string;
}

/**
 * The embedded control plane of `npm run local:up`: a real API server on this machine whose
 * nodes are simulated, so the whole application deploys without a cloud account.
 */
export class LocalCluster extends pulumi.ComponentResource implements Target {
    readonly kind = "local";
    readonly provider: k8s.Provider;
    // No ingress controller runs on the local control plane, so no Ingress ever gets an address.
    readonly ingressPublishesStatus = false;

    constructor(name: string, args: LocalClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("appstack:targets:LocalCluster", name, {}, opts);
        this.provider = new k8s.Provider(
            name,
            {
                ...providerDefaults,
                kubeconfig: path.resolve(args.kubeconfigPath),
                // The control plane's certificates are new each time it is created; a fixed identity
                // keeps that from reading as a different cluster, which would replace everything.
                clusterIdentifier: "appstack-local",
            },
            { parent: this },
        );
        this.registerOutputs({});
    }
}
