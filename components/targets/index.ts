import * as pulumi from "@pulumi/pulumi";
import type { TargetConfig } from "../../stacks/schema";
import { ExistingCluster } from "./existing";
import { LocalCluster } from "./local";
import type { Target } from "./target";

export type { Target } from "./target";

/** The target the stack's config names. */
export function createTarget(name: string, config: TargetConfig): Target {
    switch (config.kind) {
        case "existing":
            return new ExistingCluster(name, {
                kubeconfig: config.kubeconfig === undefined ? undefined : pulumi.secret(config.kubeconfig),
                context: config.context,
            });
        case "local":
            return new LocalCluster(name, { kubeconfigPath: config.kubeconfigPath });
    }
}
