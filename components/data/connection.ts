import type * as pulumi from "@pulumi/pulumi";
import type { NetworkRule } from "../network";

/**
 * What the application needs to know of a data store, however it is provided (bundled in the
 * cluster, a cloud's managed service, or an external endpoint): the settings that locate it,
 * the credentials to reach it, and where it is on the network so that egress can be allowed.
 */
export interface DataStoreConnection {
    /** e.g. "postgres", "redis": names the store in errors and outputs. */
    readonly name: string;
    /** Plain variables, such as a host name or a bucket; they go into the settings ConfigMap. */
    readonly settings: Record<string, pulumi.Input<string>>;
    /** Credentials and URLs with credentials in them; they go into the Secret. */
    readonly secrets: Record<string, pulumi.Input<string>>;
    /** The store's address and ports, opened for egress from the components that use it. */
    readonly endpoint: NetworkRule;
}
