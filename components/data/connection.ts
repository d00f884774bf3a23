import type * as inputs from "@pulumi/kubernetes/types/input";
import * as pulumi from "@pulumi/pulumi";
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
/** The data stores a component connects to; it gets their variables and egress, and no other's. */
export interface StoreUser {
    uses?: DataStoreKind[];
}

export interface ConsumerEnvironment {
    variables: Record<string, pulumi.Input<string>>;
    secretVariables: Record<string, SecretReference>;
    egress: NetworkRule[];
    waitFor: pulumi.Resource[];
    cloudPermissions: CloudPermission[];
}

/**
 * The variables, egress and readiness a component gets from the stores it uses, and from no
 * other. Two stores (or a store and the component's own settings) that set one variable are an
 * error: one would silently win.
 */
export function consumerEnvironment(component: string, uses: readonly DataStoreKind[], connections: readonly DataStoreConnection[], ownKeys: readonly string[] = [], resource?: pulumi.Resource): ConsumerEnvironment {
    const failure = (message: string) => (resource ? new pulumi.ResourceError(message, resource) : new Error(message));
    const owners = new Map<string, string>(ownKeys.map((key) => [key, "the application's own settings"]));
    const result: ConsumerEnvironment = { variables: {}, secretVariables: {}, egress: [], waitFor: [], cloudPermissions: [] };
    for (const kind of uses) {
        const connection = connections.find((c) => c.kind === kind);
        if (!connection) {
            throw failure(`${component} uses the ${kind} store, which this stack does not provide`);
        }
        for (const key of [...Object.keys(connection.variables), ...Object.keys(connection.secretVariables)]) {
            const owner = owners.get(key);
            if (owner) {
                throw failure(`${component}: variable ${key} is set by both ${owner} and the ${kind} store`);
            }
            owners.set(key, `the ${kind} store`);
        }
        Object.assign(result.variables, connection.variables);
        Object.assign(result.secretVariables, connection.secretVariables);
        result.egress.push(...connection.egress);
        result.waitFor.push(...connection.waitFor);
        result.cloudPermissions.push(...(connection.cloudPermissions ?? []));
    }
    return result;
}

/** The container variables of a consumer: plain values, and credentials by Secret reference. */
export function storeVariables(env: Pick<ConsumerEnvironment, "variables" | "secretVariables">): inputs.core.v1.EnvVar[] {
    return [
        ...Object.entries(env.variables).map(([name, value]) => ({ name, value })),
        ...Object.entries(env.secretVariables).map(([name, ref]) => ({ name, valueFrom: { secretKeyRef: { name: ref.secretName, key: ref.key } } })),
    ];
}
