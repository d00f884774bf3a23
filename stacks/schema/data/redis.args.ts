import * as pulumi from "@pulumi/pulumi";
import type { ManagedProvisioners } from "../../../components/data/managed";
import { redisImage, type RedisArgs } from "../../../components/data/redis";
import type { StackConfig } from "../stack";
import { bundledSettings, managedBy, storeClients, storeCommon, type StoreCluster } from "./store.args";

export function redisArgs(config: StackConfig, cluster: StoreCluster, managed: ManagedProvisioners = {}): RedisArgs {
    const store = config.data.redis;
    const external = store.external!;
    return {
        ...storeCommon(config, cluster.namespace),
        clients: storeClients(config, "redis"),
        server:
            store.mode === "external"
                ? {
                      mode: "external",
                      host: external.host,
                      port: external.port,
                      tls: external.tls,
                      cidrs: external.cidrs,
                      password: external.password === undefined ? undefined : pulumi.secret(external.password),
                  }
                : store.mode === "bundled"
                  ? bundledSettings(config, store.bundled, redisImage, cluster.storageClass)
                  : { mode: "managed", provision: managedBy("redis", managed.redis) },
    };
}
