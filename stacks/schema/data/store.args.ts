import * as pulumi from "@pulumi/pulumi";
import { dataStoreKinds, type DataStoreKind } from "../../../components/data/connection";
import type { BundledSettings } from "../../../components/data/bundled";
import type { PostgresArgs } from "../../../components/data/postgres";
import { pinnedReference } from "../../../components/image";
import { cronJobComponent, migrationsComponent, workerComponent } from "../../../components/names";
import { safekeeping } from "../safekeeping.args";
import type { StackConfig } from "../stack";
import type { CredentialStore } from "./credentials";
import { resourceRequirements } from "../workloads.args";

/**
 * Which stores each component uses, by component label: as its config says, or else every store
 * the stack provides (migrations: the database alone).
 */
export function storeUses(config: StackConfig): Record<string, DataStoreKind[]> {
    const provided = dataStoreKinds.filter((store) => config.data[store].mode !== "disabled");
    const uses: Record<string, DataStoreKind[]> = { api: config.api.uses ?? provided };
    for (const worker of config.workers) {
        uses[workerComponent(worker.name)] = worker.uses ?? provided;
    }
    for (const job of config.cronJobs) {
        uses[cronJobComponent(job.name)] = job.uses ?? provided;
    }
    if (config.migrations.enabled) {
        uses[migrationsComponent] = config.migrations.uses ?? provided.filter((store) => store === "postgres");
    }
    return uses;
}

/** The components that connect to a store: admitted by its NetworkPolicy, and no other. */
export function storeClients(config: StackConfig, store: DataStoreKind): string[] {
    const uses = storeUses(config);
    return Object.keys(uses).filter((component) => uses[component].includes(store));
}

export type StoreCommon = Pick<PostgresArgs, "appName" | "namespace" | "protect" | "retain">;

/** What every store shares: prod keeps its data when the stack lets go of it. */
export function storeCommon(config: StackConfig, namespace: pulumi.Input<string>): StoreCommon {
    const { protect, production } = safekeeping(config);
    return { appName: config.name, namespace, protect, retain: production };
}

/** Where the stores run: the app's namespace, and the storage class the target makes the default. */
export interface StoreCluster {
    namespace: pulumi.Input<string>;
    storageClass?: pulumi.Input<string>;
}

type BundledConfig = StackConfig["data"][CredentialStore]["bundled"];

/** The configured image of a bundled server, or its pinned official one. */
export function bundledImage(bundled: BundledConfig, official: string): string {
    return bundled.image ? pinnedReference(bundled.image) : official;
}

/** `defaultStorageClass`: the target's, for a claim whose config names none. */
export function bundledSettings(
    config: StackConfig,
    bundled: BundledConfig,
    official: string,
    defaultStorageClass: pulumi.Input<string> | undefined,
): BundledSettings & { mode: "bundled" } {
    return {
        mode: "bundled",
        image: bundledImage(bundled, official),
        runAsUser: config.runAsUser,
        volume: { size: bundled.storage.size, storageClass: bundled.storage.storageClass ?? defaultStorageClass },
        resources: resourceRequirements(bundled.resources) as BundledSettings["resources"],
        ...(bundled.credentials
            ? { credentials: Object.fromEntries(Object.entries(bundled.credentials).map(([key, value]) => [key, pulumi.secret(value as string)])) }
            : {}),
    };
}

export function managedBy<T>(store: DataStoreKind, provisioner: T | undefined): T {
    if (!provisioner) {
        throw new Error(`data.${store}.mode "managed": no provisioner was loaded for it`);
    }
    return provisioner;
}
