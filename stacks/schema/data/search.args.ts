import * as pulumi from "@pulumi/pulumi";
import { portOf } from "../../../components/data/objectstore";
import { meilisearchImage, type SearchArgs } from "../../../components/data/search";
import type { StackConfig } from "../stack";
import { bundledSettings, storeClients, storeCommon, type StoreCluster } from "./store.args";

export function searchArgs(config: StackConfig, cluster: StoreCluster): SearchArgs | undefined {
    const store = config.data.search;
    if (store.mode === "disabled") {
        return undefined;
    }
    const external = store.external!;
    return {
        ...storeCommon(config, cluster.namespace),
        clients: storeClients(config, "search"),
        server:
            store.mode === "external"
                ? { mode: "external", url: external.url, masterKey: pulumi.secret(external.masterKey), cidrs: external.cidrs, port: portOf(external.url) }
                : bundledSettings(config, store.bundled, meilisearchImage, cluster.storageClass),
    };
}
