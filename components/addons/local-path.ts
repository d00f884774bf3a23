import * as pulumi from "@pulumi/pulumi";
import { addonChart, addonNamespace, type AddonArgs, type Values } from "./addon";
import { pinnedCharts } from "./charts";

export interface LocalPathArgs extends AddonArgs {
    /** The default StorageClass it provisions volumes of. */
    storageClassName: string;
}

/**
 * local-path-provisioner: volumes in a directory of the node the claiming pod runs on, the
 * cluster's default StorageClass. Its helper pods mount the host's directories, so the namespace
 * is privileged; nothing connects to its pods.
 */
export class LocalPath extends pulumi.ComponentResource {
    readonly storageClassName: string;

    constructor(name: string, args: LocalPathArgs, opts?: pulumi.ComponentResourceOptions) {
        super("appstack:addons:LocalPath", name, {}, opts);
        const namespace = addonNamespace(`${name}-namespace`, args.namespace, "privileged", [], this);
        const hardened: Values = {
            storageClass: { create: true, defaultClass: true, name: args.storageClassName, reclaimPolicy: "Delete" },
            resources: { requests: { cpu: "20m", memory: "64Mi" }, limits: { memory: "128Mi" } },
        };
        addonChart(name, pinnedCharts.localPath, args, hardened, namespace, this);
        this.storageClassName = args.storageClassName;
        this.registerOutputs({});
    }
}
