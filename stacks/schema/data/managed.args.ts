import type * as pulumi from "@pulumi/pulumi";
import { dataStoreKinds } from "../../../components/data/connection";
import type { ManagedNetwork, ManagedStoresArgs } from "../../../components/data/managed";
import { safekeeping } from "../safekeeping.args";
import type { StackConfig } from "../stack";
import { bucketName } from "./objectstore.args";

/** The managed stores of the stack, or none: the cloud network comes from the cluster's target. */
export function managedStoresArgs(config: StackConfig, network: ManagedNetwork | undefined, provider?: pulumi.ProviderResource): ManagedStoresArgs | undefined {
    const { data } = config;
    const wanted = dataStoreKinds.filter((store) => data[store].mode === "managed");
    if (wanted.length === 0) {
        return undefined;
    }
    if (!network) {
        // The schema admits managed stores on cloud targets only, and each of those has a network.
        throw new Error(`data.${wanted[0]}.mode "managed": the target of kind "${config.target.kind}" describes no cloud network`);
    }
    const kept = { ...safekeeping(config), provider };
    const pg = data.postgres;
    return {
        network,
        postgres:
            pg.mode === "managed"
                ? {
                      ...kept,
                      database: pg.database,
                      username: pg.username,
                      instanceClass: pg.managed.instanceClass,
                      storageGb: pg.managed.storageGb,
                      highAvailability: pg.managed.highAvailability,
                      backupRetentionDays: pg.managed.backupRetentionDays,
                  }
                : undefined,
        redis:
            data.redis.mode === "managed"
                ? { ...kept, instanceClass: data.redis.managed.instanceClass, highAvailability: data.redis.managed.highAvailability }
                : undefined,
        bucket: data.objectStore.mode === "managed" ? { ...kept, bucket: bucketName(config) } : undefined,
    };
}
