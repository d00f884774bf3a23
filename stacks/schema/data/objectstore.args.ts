import * as pulumi from "@pulumi/pulumi";
import type { ManagedProvisioners } from "../../../components/data/managed";
import { minioImage, type ObjectStoreArgs } from "../../../components/data/objectstore";
import { postgresBackupComponent } from "../../../components/names";
import type { StackConfig } from "../stack";
import { bundledSettings, managedBy, storeClients, storeCommon, type StoreCluster } from "./store.args";

export function bucketName(config: StackConfig): string {
    return config.data.objectStore.bucket ?? `${config.name}-${config.environment}`;
}

export function objectStoreArgs(config: StackConfig, cluster: StoreCluster, managed: ManagedProvisioners = {}): ObjectStoreArgs | undefined {
    const store = config.data.objectStore;
    if (store.mode === "disabled") {
        return undefined;
    }
    const backups = config.data.postgres.backups.enabled ? [postgresBackupComponent] : [];
    const external = store.external!;
    return {
        ...storeCommon(config, cluster.namespace),
        bucket: bucketName(config),
        clients: [...storeClients(config, "objectStore"), ...backups],
        server:
            store.mode === "external"
                ? {
                      mode: "external",
                      endpoint: external.endpoint,
                      region: external.region,
                      cidrs: external.cidrs,
                      accessKeyId: pulumi.secret(external.accessKeyId),
                      secretAccessKey: pulumi.secret(external.secretAccessKey),
                  }
                : store.mode === "bundled"
                  ? bundledSettings(config, store.bundled, minioImage, cluster.storageClass)
                  : { mode: "managed", provision: managedBy("objectStore", managed.bucket) },
    };
}
