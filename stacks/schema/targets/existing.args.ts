import * as pulumi from "@pulumi/pulumi";
import { ingressController, type TargetArgsOf, type TargetConfigOf, type TargetSettings } from "./target.args";

export function existingArgs(target: TargetConfigOf<"existing">, config: TargetSettings): TargetArgsOf<"existing"> {
    return {
        kind: "existing",
        kubeconfig: target.kubeconfig === undefined ? undefined : pulumi.secret(target.kubeconfig),
        context: target.context,
        clusterIdentifier: target.clusterIdentifier,
        ingressController: ingressController(config),
    };
}
