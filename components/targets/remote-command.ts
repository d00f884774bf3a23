import * as pulumi from "@pulumi/pulumi";

// A command run on a machine over SSH: the `remote.Command` resource of Pulumi's command provider.
// Its SDK package cannot be installed where this project is built, so the resource is registered by
// its type token with the inputs and outputs the provider documents; the engine installs the
// provider plugin of the pinned version on first use, as it does for any resource.

/** The provider release the commands are registered against. */
export const commandProviderVersion = "1.2.1";

/** How the provider reaches a machine. Absent `privateKey`: the keys of the agent at SSH_AUTH_SOCK. */
export interface SshConnection {
    host: pulumi.Input<string>;
    port: pulumi.Input<number>;
    user: pulumi.Input<string>;
    privateKey?: pulumi.Input<string>;
    /** How often to retry while the machine does not answer (it reboots, sshd starts); -1: forever. */
    dialErrorLimit?: pulumi.Input<number>;
}

export interface RemoteCommandArgs {
    connection: pulumi.Input<SshConnection>;
    /** Run when the resource is created. */
    create?: pulumi.Input<string>;
    /** Run instead of a replacement when `create` changes. */
    update?: pulumi.Input<string>;
    /** Run when the resource is deleted (removed from the program, or destroyed). */
    delete?: pulumi.Input<string>;
    /** Any change of these replaces the resource: `create` runs again. */
    triggers?: pulumi.Input<unknown[]>;
    /** What of the command's output goes to the engine's log: "none" for output that is a secret. */
    logging?: pulumi.Input<"stdout" | "stderr" | "stdoutAndStderr" | "none">;
}

export class RemoteCommand extends pulumi.CustomResource {
    declare readonly stdout: pulumi.Output<string>;
    declare readonly stderr: pulumi.Output<string>;

    constructor(name: string, args: RemoteCommandArgs, opts?: pulumi.CustomResourceOptions) {
        // The provider would otherwise hand each run the previous run's output in its environment
        // (through SSH, where sshd may refuse it): the kubeconfig, a secret, among them.
        super("command:remote:Command", name, { addPreviousOutputInEnv: false, ...args, stdout: undefined, stderr: undefined }, { version: commandProviderVersion, ...opts });
    }
}
