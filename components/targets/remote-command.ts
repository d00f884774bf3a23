import { Command, type CommandArgs } from "@pulumi/command/remote";
import type * as pulumi from "@pulumi/pulumi";
import type { input } from "@pulumi/command/types";

// A command run on a machine over SSH: the `remote.Command` resource of Pulumi's command provider.

/** How the provider reaches a machine. Absent `privateKey`: the keys of the agent at SSH_AUTH_SOCK. */
export type SshConnection = input.remote.ConnectionArgs;

export class RemoteCommand extends Command {
    constructor(name: string, args: Omit<CommandArgs, "addPreviousOutputInEnv">, opts?: pulumi.CustomResourceOptions) {
        // The provider would otherwise hand each run the previous run's output in its environment
        // (through SSH, where sshd may refuse it): the kubeconfig, a secret, among them.
        super(name, { ...args, addPreviousOutputInEnv: false }, opts);
    }
}
