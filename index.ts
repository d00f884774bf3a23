import * as pulumi from "@pulumi/pulumi";
import { ClusterAddons } from "./components/addons";
import { App } from "./components/app";
import { Image, registryOfCluster } from "./components/image";
import { Monitoring } from "./components/monitoring";
import { Platform } from "./components/platform";
import { createTarget } from "./components/targets";
import type { DataStoreConnection } from "./components/data/connection";
import { ObjectStore } from "./components/data/objectstore";
import { Postgres } from "./components/data/postgres";
import { Redis } from "./components/data/redis";
import { Search } from "./components/data/search";
import {
    addonsArgs,
    appArgs,
    autoscalingWithoutMetrics,
    imageArgs,
    managedStoresArgs,
    monitoringArgs,
    monitoringLeftOut,
    objectStoreArgs,
    platformArgs,
    postgresArgs,
    redisArgs,
    searchArgs,
    targetArgs,
} from "./stacks/schema";
import { loadStackConfig } from "./stacks/load";
import { checkTargetKindChange, targetOutput } from "./stacks/previous";

// The composition root: config -> target -> image -> platform -> data -> app. Only this file
// reads the stack's configuration; the builders beside its schema (stacks/schema/*.args.ts)
// turn it into each component's arguments.
export = async () => {
    const config = loadStackConfig();
    const name = config.name;
    await checkTargetKindChange(config);

    const target = createTarget(name, targetArgs(config, pulumi.getStack()));
    const withCluster: pulumi.ComponentResourceOptions = { providers: [target.provider] };

    const clusterRegistry = target.cluster.registry && registryOfCluster(target.cluster.registry);
    const image = new Image(name, imageArgs(config.image, pulumi.getStack(), clusterRegistry));

    const platform = new Platform(name, platformArgs(config, target.cluster.dnsPeers), withCluster);

    const namespace = platform.namespaceName;
    // What the cluster lacks of what the app needs, installed; the app then uses what is installed.
    const addonsConfig = addonsArgs(config, namespace, target.cluster.ingress);
    const cluster = addonsConfig ? new ClusterAddons(name, addonsConfig, withCluster).appliedTo(target.cluster) : target.cluster;
    const idleAutoscalers = autoscalingWithoutMetrics(config);
    if (idleAutoscalers) {
        pulumi.log.warn(idleAutoscalers);
    }

    // The stores, each in its mode; the dumps of a bundled database go to the object store.
    const storeCluster = { namespace, storageClass: cluster.storageClass };
    // A cloud target's profile names the network its managed stores live in (absent elsewhere).
    const managedArgs = managedStoresArgs(config, target.cluster.network, target.cluster.cloudProvider);
    // The cloud's module, and its SDK, is loaded only for a stack with a managed store.
    const managed = managedArgs ? (require("./components/data/managed") as typeof import("./components/data/managed")).loadManagedStores(managedArgs) : {};
    const objectStoreConfig = objectStoreArgs(config, storeCluster, managed);
    const objectStore = objectStoreConfig && new ObjectStore(`${name}-objectstore`, objectStoreConfig, withCluster);
    const searchConfig = searchArgs(config, storeCluster);
    const search = searchConfig && new Search(`${name}-search`, searchConfig, withCluster);
    const redis = new Redis(`${name}-redis`, redisArgs(config, storeCluster, managed), withCluster);
    const postgres = new Postgres(`${name}-postgres`, postgresArgs(config, storeCluster, objectStore?.connection, managed), withCluster);
    const dataStores: DataStoreConnection[] = [postgres, redis, objectStore, search].flatMap((store) => (store ? [store.connection] : []));

    const args = appArgs(config, { image: image.ref, namespace, ingress: cluster.ingress, dataStores, workloadIdentity: target.cluster.workloadIdentity });
    const app = new App(name, args, withCluster);
    const monitoring = monitoringArgs(config, app, namespace);
    if (monitoring) {
        new Monitoring(`${name}-monitoring`, monitoring, withCluster);
    }
    const leftOut = monitoringLeftOut(config);
    for (const what of leftOut) {
        pulumi.log.warn(`monitoring: left out ${what}`);
    }

    return {
        [targetOutput]: target.kind,
        namespace: platform.namespaceName,
        image: args.image,
        api: app.api.objectName,
        workers: app.workers.map((worker) => worker.objectName),
        ...(app.frontend ? { frontend: app.frontend.objectName } : {}),
        ...(app.url ? { url: app.url } : {}),
        ...(leftOut.length ? { monitoringLeftOut: leftOut } : {}),
    };
};
