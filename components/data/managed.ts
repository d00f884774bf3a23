import type * as pulumi from "@pulumi/pulumi";

/**
 * A server a cloud runs for the stack, as a store component needs it: where it listens, over
 * which private ranges it is reached, and what the clients must wait for. Each cloud's module
 * (loaded only by stacks that use it) returns these.
 */
export interface ManagedServer {
    host: pulumi.Input<string>;
    port: number;
    /** Private address ranges the server is reached at; egress is opened to these alone. */
    cidrs: pulumi.Input<string>[];
    /** The cloud resources clients wait for. */
    resources: pulumi.Resource[];
    /** A PEM bundle of the certificate authorities that sign the server's certificate, when clients must verify it. */
    caBundle?: pulumi.Input<string>;
}

/** Creates the cloud's server under the store component `parent`. */
export type ManagedProvisioner<T> = (name: string, parent: pulumi.Resource) => T;
