import type * as inputs from "@pulumi/kubernetes/types/input";
import * as pulumi from "@pulumi/pulumi";
import type { NetworkRule } from "../network";
import type { CloudPermission } from "../targets/target";
import type { DataStoreConnection, DataStoreKind, SecretReference } from "./connection";

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
export function consumerEnvironment(
    component: string,
    uses: readonly DataStoreKind[],
    connections: readonly DataStoreConnection[],
    ownKeys: readonly string[] = [],
    resource?: pulumi.Resource,
): ConsumerEnvironment {
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
