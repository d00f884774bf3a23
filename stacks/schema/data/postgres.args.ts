import * as pulumi from "@pulumi/pulumi";
import type { DataStoreConnection } from "../../../components/data/connection";
import type { ManagedProvisioners } from "../../../components/data/managed";
import { minioImage } from "../../../components/data/objectstore";
import { postgresImage, type PostgresArgs, type PostgresBackups } from "../../../components/data/postgres";
import type { StackConfig } from "../stack";
import { bundledImage, bundledSettings, managedBy, storeClients, storeCommon, type StoreCluster } from "./store.args";

/** `backupsTo`: the object store the dumps go to, when backups are on. */
export function postgresArgs(
    config: StackConfig,
    cluster: StoreCluster,
    backupsTo: DataStoreConnection | undefined,
    managed: ManagedProvisioners = {},
): PostgresArgs {
    const store = config.data.postgres;
    const external = store.external!;
    const backups: PostgresBackups | undefined =
        store.backups.enabled && backupsTo
            ? {
                  schedule: store.backups.schedule,
                  retentionDays: store.backups.retentionDays,
                  objectStore: backupsTo,
                  clientImage: bundledImage(config.data.objectStore.bundled, minioImage),
              }
            : undefined;
    return {
        ...storeCommon(config, cluster.namespace),
        database: store.database,
        username: store.username,
        clients: storeClients(config, "postgres"),
        server:
            store.mode === "external"
                ? {
                      mode: "external",
                      host: external.host,
                      port: external.port,
                      sslMode: external.sslMode,
                      cidrs: external.cidrs,
                      password: pulumi.secret(external.password),
                  }
                : store.mode === "bundled"
                  ? { ...bundledSettings(config, store.bundled, postgresImage, cluster.storageClass), backups }
                  : { mode: "managed", provision: managedBy("postgres", managed.postgres), sslMode: "require" },
    };
}
