import type { Provider } from "@pulumi/kubernetes/provider";
import * as pulumi from "@pulumi/pulumi";
import * as fs from "node:fs";
import * as path from "node:path";
import { kubeDnsPeers, nginxIngress, targetProvider, type ClusterProfile, type IngressControllerArgs, type Target } from "./target";

export interface LocalClusterArgs {
    /** The kubeconfig of the local control plane; a relative path is relative to the project. */
    kubeconfigPath: string;
    /** The ingress class Ingresses name; no controller serves it on the local control plane. */
    ingressController: IngressControllerArgs;
}

/**
 * The embedded control plane of scripts/local/cluster.sh: a real API server on this machine whose
 * nodes are simulated, so the whole application deploys without a cloud account.
 */
export class LocalCluster extends pulumi.ComponentResource implements Target {
    readonly kind = "local";
    readonly provider: Provider;
    readonly cluster: ClusterProfile;

    constructor(name: string, args: LocalClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("appstack:targets:LocalCluster", name, {}, opts);
        this.provider = targetProvider(
            name,
            {
                kubeconfig: path.resolve(projectDirectory(), args.kubeconfigPath),
                // The control plane's certificates are new each time it is created; a fixed identity
                // keeps that from reading as a different cluster, which would replace everything.
                clusterIdentifier: "appstack-local",
            },
            this,
        );
        this.cluster = {
            dnsPeers: kubeDnsPeers,
            // No ingress controller runs on the local control plane, so no Ingress ever gets an address.
            ingress: nginxIngress(args.ingressController.className, args.ingressController.namespace, false),
        };
        this.registerOutputs({});
    }
}

/**
 * The directory of Pulumi.yaml. The engine runs the program from the directory of its main file
 * (bin/), not from the project's, so the working directory cannot anchor relative paths.
 */
function projectDirectory(): string {
    for (let dir = __dirname; ; dir = path.dirname(dir)) {
        if (fs.existsSync(path.join(dir, "Pulumi.yaml"))) {
            return dir;
        }
        if (dir === path.dirname(dir)) {
            throw new Error(`no Pulumi.yaml above ${__dirname}`);
        }
    }
}
