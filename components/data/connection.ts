import type * as pulumi from "@pulumi/pulumi";
import type { NetworkRule } from "../network";
import type { CloudPermission } from "../targets/target";

/** The stateful dependencies an application component may use. */
export const dataStoreKinds = ["postgres", "redis", "objectStore", "search"] as const;
export type DataStoreKind = (typeof dataStoreKinds)[number];

/** A variable read from a Kubernetes Secret: the value never appears in a pod template. */
export interface SecretReference {
    secretName: pulumi.Input<string>;
    key: string;
}

/**
 * What a consumer needs of a data store, however it is provided (bundled in the cluster, a
 * cloud's managed service, or an external endpoint). The variable names are the same in every
 * mode, so the application never knows which one it got.
 */
export interface DataStoreConnection {
    readonly kind: DataStoreKind;
    /** Plain variables (an endpoint, a bucket name); set as literal values on the container. */
    readonly variables: Record<string, pulumi.Input<string>>;
    /** Credentials, and URLs with credentials in them, each read from a Secret by reference. */
    readonly secretVariables: Record<string, SecretReference>;
    /** Where the store is on the network: opened for egress from its consumers, and nothing else. */
    readonly egress: NetworkRule[];
    /** What must be ready before a consumer starts (the server, the bucket, the database). */
    readonly waitFor: pulumi.Resource[];
    /**
     * Names the data itself, without credentials: what a migration migrates. A different
     * database is a different identity; a rotated password is not.
     */
    readonly identity: pulumi.Input<string>;
    /** What a consumer's cloud identity is granted, for a store reached without keys (a cloud's bucket). */
    readonly cloudPermissions?: CloudPermission[];
}

/**
 * The variables a connection of each kind may set: the same names in every mode. The S3 keys
 * come only when the store is reached with keys, a CA certificate only from a managed server
 * whose certificate clients can verify.
 */
export const connectionVariables: Record<DataStoreKind, { plain: string[]; secret: string[] }> = {
    postgres: { plain: ["DATABASE_CA_CERT"], secret: ["DATABASE_URL"] },
    redis: { plain: ["REDIS_CA_CERT"], secret: ["REDIS_URL"] },
    objectStore: { plain: ["S3_ENDPOINT", "S3_BUCKET", "S3_REGION"], secret: ["S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY"] },
    search: { plain: ["MEILI_URL"], secret: ["MEILI_MASTER_KEY"] },
};

/** What one component gets from the stores it uses. */
