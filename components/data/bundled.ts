import * as apps from "@pulumi/kubernetes/apps/v1";
import * as core from "@pulumi/kubernetes/core/v1";
import * as policy from "@pulumi/kubernetes/policy/v1";
import type * as inputs from "@pulumi/kubernetes/types/input";
import * as pulumi from "@pulumi/pulumi";
import { clusterService } from "../service";
import { RandomPassword } from "@pulumi/random/randomPassword";
import { podNetworkPolicy } from "../network";
import { appLabels, hardenedContainer, hardenedPodSpec, selectorLabels } from "../pod";
import { headlessServiceName, objectName } from "../names";

type EnvVar = inputs.core.v1.EnvVar;
type Probe = inputs.core.v1.Probe;
type Volume = inputs.core.v1.Volume;

/** Requests and limits of a bundled server's pod. */
export interface ServerResources {
    requests: { cpu: string; memory: string };
    limits: { cpu?: string; memory: string };
}

/** The claim each replica of a bundled server gets. */
export interface VolumeSettings {
    size: string;
    /** Storage class of the claim; the cluster's default class when absent. */
    storageClass?: pulumi.Input<string>;
}

/** What the cluster must keep when the stack is torn down or a resource is replaced. */
export interface Safekeeping {
    /** Refuse to delete the server, its claims and its credentials (Pulumi `protect`). */
    protect: boolean;
    /** Leave the server, its claims and credentials in the cluster when the stack deletes them. */
    retain: boolean;
}

/** Arguments every store component shares, whatever its mode. */
export interface StoreArgs extends Safekeeping {
    appName: string;
    namespace: pulumi.Input<string>;
    /** Components (by their `app.kubernetes.io/component` label) that connect to the store. */
    clients: string[];
}

/** How a store runs in the cluster. */
export interface BundledSettings {
    /** Image reference pinned by tag or digest. */
    image: string;
    runAsUser: number;
    volume: VolumeSettings;
    resources: ServerResources;
    /** Credentials the server is created with, by name (password, masterKey...); absent: generated. */
    credentials?: Record<string, pulumi.Input<string>>;
}

export type BundledStoreArgs = StoreArgs & BundledSettings;

/** The client Service of a bundled store, by DNS name: known before the server is created. */
export function serviceHost(appName: string, component: string, namespace: pulumi.Input<string>): pulumi.Output<string> {
    return pulumi.interpolate`${objectName(appName, component)}.${namespace}.svc`;
}

export interface ServerSpec {
    /** Component label and object-name suffix, e.g. "postgres". */
    component: string;
    port: { name: string; number: number };
    command?: string[];
    args?: string[];
    env: EnvVar[];
    probes: { startup: Probe; liveness: Probe; readiness: Probe };
    /** Where the claim is mounted. */
    dataPath: string;
    /** Further writable or read-only mounts the server needs on a read-only root filesystem. */
    mounts?: { volume: Volume; mountPath: string; readOnly?: boolean }[];
}

/**
 * A credential: the one the stack gives, or else a generated one of letters and digits only, so
 * that it needs no escaping in a URL.
 */
export function generatedPassword(name: string, parent: pulumi.Resource, keep: Safekeeping, length = 32, given?: pulumi.Input<string>): pulumi.Output<string> {
    if (given !== undefined) return pulumi.secret(given);
    return pulumi.secret(new RandomPassword(name, { length, special: false }, { parent, protect: keep.protect, retainOnDelete: keep.retain }).result);
}

/** Options for what holds data: the server, and the credentials without which its data is lost. */
export function statefulOptions(parent: pulumi.Resource, keep: Safekeeping): pulumi.CustomResourceOptions {
    return { parent, protect: keep.protect, retainOnDelete: keep.retain };
}

/** A Secret of the store's credentials; each value is a secret of its own, each key visible. */
export function credentialsSecret(
    name: string,
    args: Pick<BundledStoreArgs, "appName" | "namespace" | "protect" | "retain">,
    component: string,
    values: Record<string, pulumi.Input<string>>,
    parent: pulumi.Resource,
): core.Secret {
    return new core.Secret(
        name,
        {
            metadata: { name: objectName(args.appName, component), namespace: args.namespace, labels: appLabels(args.appName, component) },
            type: "Opaque",
            stringData: Object.fromEntries(Object.entries(values).map(([key, value]) => [key, pulumi.secret(value)])),
        },
        statefulOptions(parent, args),
    );
}

/** An environment variable read from a key of a Secret. */
export function fromSecret(name: string, secretName: pulumi.Input<string>, key: string): EnvVar {
    return { name, valueFrom: { secretKeyRef: { name: secretName, key } } };
}

export interface BundledServer {
    statefulSet: apps.StatefulSet;
    service: core.Service;
}

/**
 * One stateful server in the cluster: a StatefulSet of one replica under Pod Security
 * "restricted" (the claim made writable through `fsGroup`), a headless Service that gives the pod
 * its stable name, a client Service, a PodDisruptionBudget and a NetworkPolicy that admits only
 * the store's clients.
 */
export function bundledServer(name: string, args: BundledStoreArgs, spec: ServerSpec, parent: pulumi.Resource, credentials: core.Secret): BundledServer {
    const serverName = objectName(args.appName, spec.component);
    const labels = appLabels(args.appName, spec.component);
    const selector = selectorLabels(args.appName, spec.component);
    const metadata = { name: serverName, namespace: args.namespace, labels };
    const child = { parent };
    const headlessName = headlessServiceName(serverName);

    const serviceAccount = new core.ServiceAccount(name, { metadata, automountServiceAccountToken: false }, child);

    const mounts = spec.mounts ?? [];
    const container: inputs.core.v1.Container = {
        ...hardenedContainer({
            name: spec.component,
            image: args.image,
            command: spec.command,
            args: spec.args,
            extraEnv: spec.env,
            resources: args.resources,
            volumeMounts: [
                { name: "data", mountPath: spec.dataPath },
                ...mounts.map((mount) => ({ name: mount.volume.name, mountPath: mount.mountPath, readOnly: mount.readOnly })),
            ],
        }),
        ports: [{ name: spec.port.name, containerPort: spec.port.number, protocol: "TCP" }],
        startupProbe: spec.probes.startup,
        livenessProbe: spec.probes.liveness,
        readinessProbe: spec.probes.readiness,
    };
    const podSpec = hardenedPodSpec(args.runAsUser, serviceAccount.metadata.name, [container], {
        // A server that stops mid-write replays its log on start; give it time to flush instead.
        terminationGracePeriodSeconds: 60,
        volumes: mounts.map((mount) => mount.volume),
    });

    const headless = new core.Service(
        `${name}-headless`,
        {
            metadata: { ...metadata, name: headlessName },
            spec: {
                clusterIP: "None",
                publishNotReadyAddresses: true,
                selector,
                ports: [{ name: spec.port.name, port: spec.port.number, targetPort: spec.port.name, protocol: "TCP" }],
            },
        },
        child,
    );

    const statefulSet = new apps.StatefulSet(
        name,
        {
            metadata,
            spec: {
                serviceName: headless.metadata.name,
                replicas: 1,
                selector: { matchLabels: selector },
                podManagementPolicy: "OrderedReady",
                updateStrategy: { type: "RollingUpdate" },
                persistentVolumeClaimRetentionPolicy: { whenDeleted: args.retain ? "Retain" : "Delete", whenScaled: "Retain" },
                template: {
                    metadata: { labels },
                    spec: podSpec,
                },
                volumeClaimTemplates: [
                    {
                        metadata: { name: "data", labels },
                        spec: {
                            accessModes: ["ReadWriteOnce"],
                            storageClassName: args.volume.storageClass,
                            resources: { requests: { storage: args.volume.size } },
                        },
                    },
                ],
            },
        },
        // The server reads its credentials at start: they exist first.
        { ...statefulOptions(parent, args), dependsOn: [credentials] },
    );

    const service = clusterService(name, { metadata, selector, port: spec.port }, child);

    // One replica: the budget cannot keep it up through a drain, but it lets the drain proceed
    // with the server stopped cleanly instead of being blocked by a stuck pod.
    new policy.PodDisruptionBudget(
        name,
        { metadata, spec: { maxUnavailable: 1, selector: { matchLabels: selector }, unhealthyPodEvictionPolicy: "AlwaysAllow" } },
        child,
    );

    const admitted = args.clients.map((client) => ({ peer: { component: client }, ports: [spec.port.number] }));
    // A server opens no connection of its own.
    podNetworkPolicy(name, args.appName, metadata, spec.component, { ingress: admitted, egress: [] }, child);

    return { statefulSet, service };
}

type ProbeHandler = Pick<Probe, "exec" | "httpGet" | "tcpSocket">;

/**
 * A server's probes: `ready` asks the server itself (and gates traffic and the start), `live`
 * only whether the process still accepts connections, so a slow query does not restart it.
 */
export function serverProbes(ready: ProbeHandler, live: ProbeHandler, startupSeconds = 300): ServerSpec["probes"] {
    const probe = (handler: ProbeHandler, periodSeconds: number, failureThreshold: number): Probe => ({
        ...handler,
        periodSeconds,
        timeoutSeconds: 5,
        failureThreshold,
    });
    return { startup: probe(ready, 5, Math.ceil(startupSeconds / 5)), liveness: probe(live, 10, 6), readiness: probe(ready, 5, 3) };
}

/** A writable scratch directory for a server on a read-only root filesystem. */
export function scratch(name: string, mountPath: string, sizeLimit = "64Mi"): NonNullable<ServerSpec["mounts"]>[number] {
    return { volume: { name, emptyDir: { sizeLimit } }, mountPath };
}
