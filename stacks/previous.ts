import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "./schema";

/** The stack output that records the kind of target a stack was deployed to. */
export const targetOutput = "target";

/**
 * Refused: the stack was last deployed to another kind of target. Every Kubernetes object is
 * registered with the target's provider, so a new kind means a new cluster: the engine would
 * create every object there and delete each one from the old cluster, volumes and all.
 */
export class TargetKindChangeError extends pulumi.RunError {
    constructor(stackName: string, previous: string, next: string) {
        super(
            [
                `Stack "${stackName}" was last deployed to a target of kind "${previous}"; its config now says "${next}".`,
                `Deploying would create every Kubernetes object on the new cluster and delete each one from the old cluster, with the data of its volumes.`,
                `If that is the move you mean, set appstack:movingFromTarget to "${previous}" for this update (and remove it after); otherwise set target.kind back to "${previous}".`,
            ].join("\n"),
        );
        this.name = "TargetKindChangeError";
    }
}

/**
 * Reads the kind of target of the stack's last deployment, from its own `target` output, and
 * refuses a change the config does not confirm. It runs before any other resource is registered,
 * so a refused change leaves the stack as it was.
 */
export async function checkTargetKindChange(config: Pick<StackConfig, "target" | "movingFromTarget">): Promise<void> {
    const stack = pulumi.getStack();
    const self = new pulumi.StackReference(`${pulumi.getProject()}-last-deployment`, { name: `${pulumi.getOrganization()}/${pulumi.getProject()}/${stack}` });
    const { value: previous } = await self.getOutputDetails(targetOutput);
    if (typeof previous !== "string" || previous === config.target.kind) {
        if (config.movingFromTarget !== undefined) {
            pulumi.log.warn(
                `appstack:movingFromTarget is "${config.movingFromTarget}" but the stack is already on a target of kind "${config.target.kind}": remove the key`,
            );
        }
        return;
    }
    if (config.movingFromTarget !== previous) {
        throw new TargetKindChangeError(stack, previous, config.target.kind);
    }
    pulumi.log.warn(
        `Moving stack "${stack}" from a target of kind "${previous}" to "${config.target.kind}": every Kubernetes object is created on the new cluster and deleted from the old one.`,
    );
}
