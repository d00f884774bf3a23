import type * as inputs from "@pulumi/kubernetes/types/input";
import * as pulumi from "@pulumi/pulumi";
import * as path from "node:path";
import type { AppArgs, CronJobArgs, IngressArgs, WorkerArgs } from "../components/app";
import { dataStoreKinds, type DataStoreConnection, type DataStoreKind } from "../components/data/connection";
import type { BundledSettings } from "../components/data/bundled";
import type { ManagedNetwork, ManagedProvisioners, ManagedStoresArgs } from "../components/data/managed";
import { minioImage, portOf, type ObjectStoreArgs } from "../components/data/objectstore";
import { postgresImage, type PostgresArgs, type PostgresBackups } from "../components/data/postgres";
import { redisImage, type RedisArgs } from "../components/data/redis";
import { meilisearchImage, type SearchArgs } from "../components/data/search";
import { pinnedReference, type ImageArgs, type ImageRegistry } from "../components/image";
import { cronJobComponent, workerComponent } from "../components/names";
import type { PlatformArgs } from "../components/platform";
import type { IngressProfile, PodPeer, TargetArgs, WorkloadIdentityHook } from "../components/targets";
import { servingPortName, type WorkloadAutoscaling, type WorkloadProbes, type WorkloadSpec } from "../components/workload";
import type { CronJobConfig, ExecProbe, HttpProbes, StackConfig, WorkerConfig, WorkloadLifecycle } from "./schema";

// From a validated stack config to the components' arguments: the one place where config keys
// turn into Kubernetes settings. The components never see the config.

type Probe = inputs.core.v1.Probe;

export function targetArgs(config: Pick<StackConfig, "target" | "ingress" | "name" | "environment" | "protect">, stack: string): TargetArgs {
    const { target } = config;
    const production = config.environment === "prod";
    const ingressController = { className: config.ingress.className, namespace: config.ingress.controllerNamespace };
    switch (target.kind) {
        case "existing":
            return {
                kind: "existing",
                kubeconfig: target.kubeconfig === undefined ? undefined : pulumi.secret(target.kubeconfig),
                context: target.context,
                clusterIdentifier: target.clusterIdentifier,
                ingressController,
            };
        case "local":
            return { kind: "local", kubeconfigPath: target.kubeconfigPath, ingressController };
        case "eks":
            return {
                kind: "eks",
                appName: config.name,
                stack,
                region: target.region,
                zones: target.zones,
                vpcCidr: target.vpcCidr,
                kubernetesVersion: target.kubernetesVersion,
                natGateways: target.natGateways ?? (production ? "perZone" : "one"),
                publicEndpoint: target.publicEndpoint,
                admins: target.admins,
                compute: target.autoMode ? { mode: "autoMode" } : { mode: "nodeGroups", nodeGroups: target.nodeGroups },
                keepImages: target.registry.keepImages,
                production,
                protect: config.protect,
            };
        case "aks":
            return {
                kind: "aks",
                appName: config.name,
                stack,
                location: target.location,
                subscriptionId: target.subscriptionId,
                ranges: target.ranges,
                kubernetesVersion: target.kubernetesVersion,
                upgradeChannel: target.upgradeChannel,
                publicEndpoint: target.publicEndpoint,
                adminGroupObjectIds: target.adminGroupObjectIds,
                systemPool: target.systemPool,
                userPools: target.userPools,
                registry: target.registry,
                production,
                protect: config.protect,
            };
        case "gke":
            return {
                kind: "gke",
                appName: config.name,
                stack,
                project: target.project,
                region: target.region,
                ranges: target.ranges,
                releaseChannel: target.releaseChannel,
                publicEndpoint: target.publicEndpoint,
                compute: target.autopilot ? { mode: "autopilot" } : { mode: "nodePools", nodePools: target.nodePools },
                keepImages: target.registry.keepImages,
                production,
                protect: config.protect,
            };
    }
}

export function platformArgs(config: StackConfig, dnsPeers: PodPeer[]): PlatformArgs {
    const { quota, limitRange } = config;
    return {
        dnsPeers,
        appName: config.name,
        namespace: config.namespace,
        quota: quota && {
            hard: {
                "requests.cpu": quota.requestsCpu,
                "requests.memory": quota.requestsMemory,
                "limits.memory": quota.limitsMemory,
                pods: String(quota.pods),
            },
        },
        limits: [
            {
                type: "Container",
                defaultRequest: { cpu: limitRange.defaultRequestCpu, memory: limitRange.defaultRequestMemory },
                default: { memory: limitRange.defaultLimitMemory },
                max: { memory: limitRange.maxMemory },
            },
        ],
        protect: config.protect,
    };
}

/**
 * The image from its config: a build pushed to the registry of the config, else to the target's
 * (`targetRegistry`), or the given reference.
 */
export function imageArgs(image: StackConfig["image"], stack: string, targetRegistry?: ImageRegistry): ImageArgs {
    const { build } = image;
    if (build === undefined) {
        // The schema requires a repository and a tag or digest when nothing is built.
        return { reference: { repository: image.repository!, tag: image.tag, digest: image.digest } };
    }
    const registry: ImageRegistry | undefined = image.registry
        ? {
              repository: image.repository!,
              credentials: pulumi.output({ server: image.registry.server, username: image.registry.username, password: pulumi.secret(image.registry.password) }),
          }
        : targetRegistry;
    if (registry === undefined) {
        throw new Error("a build needs a registry: the schema admits none without one");
    }
    return {
        build: {
            context: build.context,
            // Relative to the project, where the engine runs the program.
            dockerfile: path.posix.join(build.context, build.dockerfile),
            target: build.target,
            buildArgs: build.args,
            platforms: build.platforms,
            cache: build.cache,
            tag: image.tag ?? stack,
        },
        registry,
    };
}

/** What the app gets from outside its config: where it runs and what it connects to. */
export interface AppSurroundings {
    /** Reference of the application image, pinned by digest or tag. */
    image: pulumi.Input<string>;
    namespace: pulumi.Input<string>;
    /** The cluster's ingress controller. */
    ingress: IngressProfile;
    dataStores: DataStoreConnection[];
    /** The cluster's binding of ServiceAccounts to cloud identities, where it has one. */
    workloadIdentity?: WorkloadIdentityHook;
}

export function appArgs(config: StackConfig, surroundings: AppSurroundings): AppArgs {
    const { api, frontend, migrations } = config;
    const uses = storeUses(config);
    return {
        appName: config.name,
        namespace: surroundings.namespace,
        image: surroundings.image,
        runAsUser: config.runAsUser,
        topologySpread: config.topologySpread,
        settings: { APP_NAME: config.name, APP_ENVIRONMENT: config.environment, ...config.settings },
        secrets: secretValues(config.secrets),
        api: { ...workloadSpec(api, httpProbes(api.probes)), port: api.port, command: api.command, args: api.args, uses: uses.api },
        workers: config.workers.map((worker) => ({ ...workerArgs(worker), uses: uses[workerComponent(worker.name)] })),
        // The schema requires an image whenever the frontend is enabled.
        frontend:
            frontend.enabled && frontend.image
                ? { ...workloadSpec(frontend, httpProbes(frontend.probes)), port: frontend.port, image: pinnedReference(frontend.image) }
                : undefined,
        migrations: migrations.enabled
            ? {
                  command: migrations.command,
                  backoffLimit: migrations.backoffLimit,
                  activeDeadlineSeconds: migrations.activeDeadlineSeconds,
                  resources: resourceRequirements(migrations.resources),
                  uses: uses.migrations,
                  database: uses.migrations?.includes("postgres") ? surroundings.dataStores.find((store) => store.kind === "postgres")?.identity : undefined,
              }
            : undefined,
        cronJobs: config.cronJobs.map((job) => ({ ...cronJobArgs(job, api.resources), uses: uses[cronJobComponent(job.name)] })),
        ingress: ingressArgs(config.ingress, config.name, surroundings.ingress),
        scrapers: config.monitoringNamespace ? [{ namespace: config.monitoringNamespace }] : [],
        dataStores: surroundings.dataStores,
        workloadIdentity: surroundings.workloadIdentity,
        imagePull: imagePullCredentials(config.image.registry),
    };
}

/** The credentials pods pull a registry of the config with, unless its nodes pull by themselves. */
function imagePullCredentials(registry: StackConfig["image"]["registry"]): AppArgs["imagePull"] {
    if (!registry || registry.pullBy === "nodes") {
        return undefined;
    }
    return { server: registry.server, username: registry.pullUsername ?? registry.username, password: pulumi.secret(registry.pullPassword ?? registry.password) };
}

/** Each value its own secret, so that the keys stay plain where the values are masked. */
export function secretValues(secrets: Record<string, string>): Record<string, pulumi.Output<string>> {
    return Object.fromEntries(Object.entries(secrets).map(([key, value]) => [key, pulumi.secret(value)]));
}

/** Requests and limits by their Kubernetes resource names (`ephemeralStorage` is `ephemeral-storage`). */
export function resourceRequirements(resources: WorkloadLifecycle["resources"]): inputs.core.v1.ResourceRequirements {
    const byKubernetesName = ({ ephemeralStorage, ...rest }: Record<string, string | undefined>) =>
        Object.fromEntries(Object.entries({ ...rest, "ephemeral-storage": ephemeralStorage }).filter(([, value]) => value !== undefined)) as Record<string, string>;
    return { requests: byKubernetesName(resources.requests), limits: byKubernetesName(resources.limits) };
}

export function workloadSpec(lifecycle: WorkloadLifecycle, probes: WorkloadProbes): WorkloadSpec {
    return {
        probes,
        resources: resourceRequirements(lifecycle.resources),
        replicas: lifecycle.replicas,
        autoscaling: lifecycle.autoscaling.enabled ? autoscalingArgs(lifecycle.autoscaling) : undefined,
        preStopSeconds: lifecycle.preStopSeconds || undefined,
        terminationGracePeriodSeconds: lifecycle.terminationGracePeriodSeconds,
        plainEnv: lifecycle.env,
    };
}

export function autoscalingArgs(scaling: WorkloadLifecycle["autoscaling"]): WorkloadAutoscaling {
    const behaviour = (step: WorkloadLifecycle["autoscaling"]["scaleUp"]) => ({
        stabilizationWindowSeconds: step.stabilizationWindowSeconds,
        selectPolicy: "Max",
        policies: [
            { type: "Percent", value: step.percent, periodSeconds: step.periodSeconds },
            { type: "Pods", value: step.pods, periodSeconds: step.periodSeconds },
        ],
    });
    const utilization = (resource: string, averageUtilization: number) => ({
        type: "Resource",
        resource: { name: resource, target: { type: "Utilization", averageUtilization } },
    });
    return {
        minReplicas: scaling.minReplicas,
        maxReplicas: scaling.maxReplicas,
        metrics: [utilization("cpu", scaling.cpuUtilization), utilization("memory", scaling.memoryUtilization)],
        behavior: { scaleUp: behaviour(scaling.scaleUp), scaleDown: behaviour(scaling.scaleDown) },
    };
}

export function httpProbes(probes: HttpProbes): WorkloadProbes {
    const http = (probe: HttpProbes["startup"]): Probe => ({
        httpGet: { path: probe.path, port: servingPortName },
        periodSeconds: probe.periodSeconds,
        timeoutSeconds: probe.timeoutSeconds,
        failureThreshold: probe.failureThreshold,
    });
    return { startup: http(probes.startup), liveness: http(probes.liveness), readiness: http(probes.readiness) };
}

/**
 * A worker is ready while it reaches its queue, and alive while its own process is healthy: a
 * broker outage takes workers out of work without restarting them.
 */
export function workerProbes(readiness: ExecProbe, liveness: ExecProbe): WorkloadProbes {
    const exec = (probe: ExecProbe): Probe => ({
        exec: { command: probe.command },
        periodSeconds: probe.periodSeconds,
        timeoutSeconds: probe.timeoutSeconds,
        failureThreshold: probe.failureThreshold,
    });
    // A worker that has not passed its first check is still starting, not failing: the startup
    // probe gives it ten periods before liveness takes over.
    return {
        startup: { ...exec(liveness), failureThreshold: Math.max(10, liveness.failureThreshold) },
        liveness: exec(liveness),
        readiness: exec(readiness),
    };
}

function workerArgs(worker: WorkerConfig): WorkerArgs {
    return { ...workloadSpec(worker, workerProbes(worker.probe, worker.liveness)), name: worker.name, command: worker.command, concurrency: worker.concurrency, queues: worker.queues };
}

function cronJobArgs(job: CronJobConfig, resources: WorkloadLifecycle["resources"]): CronJobArgs {
    return { ...job, resources: resourceRequirements(resources) };
}

/** The Ingress, for the controller the target runs: its class, its annotations and where its traffic comes from. */
export function ingressArgs(ingress: StackConfig["ingress"], appName: string, controller: IngressProfile): IngressArgs | undefined {
    if (!ingress.enabled || ingress.host === undefined) {
        return undefined;
    }
    const { tls } = ingress;
    const annotations: Record<string, string> = { ...controller.annotations, ...(tls.mode === "none" ? {} : controller.tlsAnnotations) };
    if (tls.mode === "cert-manager") {
        annotations["cert-manager.io/cluster-issuer"] = tls.clusterIssuer;
    }
    return {
        host: ingress.host,
        className: controller.className,
        annotations,
        sources: [...controller.sources],
        tls: tls.mode === "none" ? undefined : { secretName: tls.mode === "secret" ? tls.secretName : `${appName}-tls` },
        publishesStatus: controller.publishesStatus,
    };
}

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
        uses.migrations = config.migrations.uses ?? provided.filter((store) => store === "postgres");
    }
    return uses;
}

/** The components that connect to a store: admitted by its NetworkPolicy, and no other. */
export function storeClients(config: StackConfig, store: DataStoreKind): string[] {
    const uses = storeUses(config);
    return Object.keys(uses).filter((component) => uses[component].includes(store));
}

type StoreCommon = Pick<PostgresArgs, "appName" | "namespace" | "protect" | "retain">;

/** What every store shares: prod keeps its data when the stack lets go of it. */
function storeCommon(config: StackConfig, namespace: pulumi.Input<string>): StoreCommon {
    return { appName: config.name, namespace, protect: config.protect, retain: config.environment === "prod" };
}

/** Where the stores run: the app's namespace, and the storage class the target makes the default. */
export interface StoreCluster {
    namespace: pulumi.Input<string>;
    storageClass?: pulumi.Input<string>;
}

type BundledConfig = StackConfig["data"]["postgres"]["bundled"];

/** The configured image of a bundled server, or its pinned official one. */
function bundledImage(bundled: BundledConfig, official: string): string {
    return bundled.image ? pinnedReference(bundled.image) : official;
}

/** `defaultStorageClass`: the target's, for a claim whose config names none. */
function bundledSettings(config: StackConfig, bundled: BundledConfig, official: string, defaultStorageClass: pulumi.Input<string> | undefined): BundledSettings & { mode: "bundled" } {
    return {
        mode: "bundled",
        image: bundledImage(bundled, official),
        runAsUser: config.runAsUser,
        volume: { size: bundled.storage.size, storageClass: bundled.storage.storageClass ?? defaultStorageClass },
        resources: resourceRequirements(bundled.resources) as BundledSettings["resources"],
    };
}

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
    const kept = { production: config.environment === "prod", protect: config.protect, provider };
    const pg = data.postgres;
    return {
        network,
        postgres:
            pg.mode === "managed"
                ? { ...kept, database: pg.database, username: pg.username, instanceClass: pg.managed.instanceClass, storageGb: pg.managed.storageGb, highAvailability: pg.managed.highAvailability, backupRetentionDays: pg.managed.backupRetentionDays }
                : undefined,
        redis: data.redis.mode === "managed" ? { ...kept, instanceClass: data.redis.managed.instanceClass, highAvailability: data.redis.managed.highAvailability } : undefined,
        bucket: data.objectStore.mode === "managed" ? { ...kept, bucket: bucketName(config) } : undefined,
    };
}

function bucketName(config: StackConfig): string {
    return config.data.objectStore.bucket ?? `${config.name}-${config.environment}`;
}

function managedBy<T>(store: DataStoreKind, provisioner: T | undefined): T {
    if (!provisioner) {
        throw new Error(`data.${store}.mode "managed": no provisioner was loaded for it`);
    }
    return provisioner;
}

export function objectStoreArgs(config: StackConfig, cluster: StoreCluster, managed: ManagedProvisioners = {}): ObjectStoreArgs | undefined {
    const store = config.data.objectStore;
    if (store.mode === "disabled") {
        return undefined;
    }
    const backups = config.data.postgres.backups.enabled ? ["postgres-backup"] : [];
    const external = store.external!;
    return {
        ...storeCommon(config, cluster.namespace),
        bucket: bucketName(config),
        clients: [...storeClients(config, "objectStore"), ...backups],
        server:
            store.mode === "external"
                ? { mode: "external", endpoint: external.endpoint, region: external.region, cidrs: external.cidrs, accessKeyId: pulumi.secret(external.accessKeyId), secretAccessKey: pulumi.secret(external.secretAccessKey) }
                : store.mode === "bundled"
                  ? bundledSettings(config, store.bundled, minioImage, cluster.storageClass)
                  : { mode: "managed", provision: managedBy("objectStore", managed.bucket) },
    };
}

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

export function redisArgs(config: StackConfig, cluster: StoreCluster, managed: ManagedProvisioners = {}): RedisArgs {
    const store = config.data.redis;
    const external = store.external!;
    return {
        ...storeCommon(config, cluster.namespace),
        clients: storeClients(config, "redis"),
        server:
            store.mode === "external"
                ? { mode: "external", host: external.host, port: external.port, tls: external.tls, cidrs: external.cidrs, password: external.password === undefined ? undefined : pulumi.secret(external.password) }
                : store.mode === "bundled"
                  ? bundledSettings(config, store.bundled, redisImage, cluster.storageClass)
                  : { mode: "managed", provision: managedBy("redis", managed.redis) },
    };
}

/** `backupsTo`: the object store the dumps go to, when backups are on. */
export function postgresArgs(config: StackConfig, cluster: StoreCluster, backupsTo: DataStoreConnection | undefined, managed: ManagedProvisioners = {}): PostgresArgs {
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
                ? { mode: "external", host: external.host, port: external.port, sslMode: external.sslMode, cidrs: external.cidrs, password: pulumi.secret(external.password) }
                : store.mode === "bundled"
                  ? { ...bundledSettings(config, store.bundled, postgresImage, cluster.storageClass), backups }
                  : { mode: "managed", provision: managedBy("postgres", managed.postgres), sslMode: "require" },
    };
}
