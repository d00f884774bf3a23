import type * as pulumi from "@pulumi/pulumi";
import type { CloudNetwork } from "../../targets/target";

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

/**
 * Creates the cloud's server under the store component `parent`. `password` generates the
 * credential the server is created with; a service that makes its own credential does not call
 * it and hands its own back.
 */
export type ManagedProvisioner<T> = (name: string, parent: pulumi.Resource, password: () => pulumi.Output<string>) => T;

/** Drops, from each member of a union, the fields only the cluster itself uses. */
type WithoutClusterOnly<N> = N extends unknown ? Omit<N, "subnetId" | "vnetName"> : never;

/**
 * The cloud network the cluster runs in, as its target's profile describes it: managed stores are
 * placed in it and reached from it alone.
 */
export type ManagedNetwork = WithoutClusterOnly<CloudNetwork>;

/** How a managed store is sized and kept, whatever the cloud. */
export interface ManagedSettings {
    /** Deletion protection, final snapshots, versioning: what prod keeps. */
    readonly production: boolean;
    /** Pulumi `protect` on the data-holding resources. */
    readonly protect: boolean;
    /** The cloud provider the resources are created with; absent: the program's default one. */
    readonly provider?: pulumi.ProviderResource;
}

export interface ManagedDatabaseSettings extends ManagedSettings {
    readonly database: string;
    readonly username: string;
    /** In the cloud's terms; absent: a small size per environment. */
    readonly instanceClass?: string;
    readonly storageGb: number;
    readonly highAvailability: boolean;
    readonly backupRetentionDays: number;
}

export interface ManagedCacheSettings extends ManagedSettings {
    readonly instanceClass?: string;
    readonly highAvailability: boolean;
}

export interface ManagedBucketSettings extends ManagedSettings {
    readonly bucket: string;
}

/** Options of a data-holding cloud resource. */
export function keptOptions(parent: pulumi.Resource, settings: ManagedSettings): pulumi.CustomResourceOptions {
    return { parent, provider: settings.provider, protect: settings.protect, retainOnDelete: settings.production };
}

/** Options of a cloud resource that holds no data (a subnet group, a firewall rule). */
export function plainOptions(parent: pulumi.Resource, settings: ManagedSettings): pulumi.CustomResourceOptions {
    return { parent, provider: settings.provider };
}
