import * as apps from "@pulumi/kubernetes/apps/v1";
import * as hpa from "@pulumi/kubernetes/autoscaling/v2";
import * as core from "@pulumi/kubernetes/core/v1";
import type * as networking from "@pulumi/kubernetes/networking/v1";
import * as policy from "@pulumi/kubernetes/policy/v1";
import type * as inputs from "@pulumi/kubernetes/types/input";
import * as pulumi from "@pulumi/pulumi";
import * as names from "./names";
import { podNetworkPolicy, type NetworkRule } from "./network";
import { clusterService } from "./service";
import { appLabels, hardenedContainer, hardenedPodSpec, selectorLabels, type AppEnvironment } from "./pod";
import type { CloudIdentity, CloudPermission, WorkloadIdentityHook } from "./targets/target";

type Probe = inputs.core.v1.Probe;

export interface WorkloadProbes {
    startup: Probe;
    liveness: Probe;
    readiness: Probe;
}

/** A HorizontalPodAutoscaler's settings; the workload fills in its own target. */
export interface WorkloadAutoscaling {
    minReplicas: number;
    maxReplicas: number;
    metrics: inputs.autoscaling.v2.MetricSpec[];
    behavior?: inputs.autoscaling.v2.HorizontalPodAutoscalerBehavior;
}

/** The name of the port a workload serves, which probes and Services refer to. */
export const servingPortName = "http";

/** The name of the port a workload serves its metrics on, where that is not its serving port. */
export const metricsPortName = "metrics";

/** Where a workload serves Prometheus metrics, and who may scrape them. */
export interface WorkloadMetrics {
    /** Its serving port, or a port of its own (named `metricsPortName`). */
    port: number;
    path: string;
    /** Admitted to exactly this port. */
    scrapers: NetworkRule["peer"][];
}

/** What a workload runs and how it is sized and stopped: the part that comes from its config. */
export interface WorkloadSpec {
    command?: string[];
    args?: string[];
    /** The port it serves, named `servingPortName`; a Service is created only when there is one. */
    port?: number;
    probes: WorkloadProbes;
    resources: inputs.core.v1.ResourceRequirements;
    /** Replicas when it is not autoscaled. */
    replicas: number;
    /** Hands the replica count to a HorizontalPodAutoscaler; absent: a fixed count. */
    autoscaling?: WorkloadAutoscaling;
    /** Pause before SIGTERM so that load balancers stop sending traffic; absent: none. */
    preStopSeconds?: number;
    terminationGracePeriodSeconds: number;
    /** Plain variables beyond the shared settings. */
    plainEnv?: Record<string, string>;
    /** Where it serves Prometheus metrics; absent: it serves none. */
    metrics?: WorkloadMetrics;
}

export interface WorkloadArgs extends WorkloadSpec {
    appName: string;
    namespace: pulumi.Input<string>;
    /** Component label and name suffix: "api", "frontend", "worker-<name>". */
    component: string;
    image: pulumi.Input<string>;
    env?: AppEnvironment;
    /** Further variables, such as those of the data stores it uses. */
    extraEnv?: inputs.core.v1.EnvVar[];
    runAsUser: number;
    topologySpread: boolean;
    /** Who may open connections to its port. */
    allowFrom: NetworkRule["peer"][];
    /** What it may open connections to, besides DNS. */
    allowTo: NetworkRule[];
    /** Mount the ServiceAccount token, for workloads that call the Kubernetes API. */
    mountServiceAccountToken?: boolean;
    /** Resources whose completion must precede every rollout (e.g. the migrations Job). */
    rolloutAfter?: pulumi.Input<pulumi.Resource>[];
    /** The cloud identity its pods run as; absent: none. */
    cloudIdentity?: CloudIdentity;
    /** Secrets the image is pulled with; absent: the nodes pull by themselves. */
    imagePullSecrets?: inputs.core.v1.LocalObjectReference[];
}

/** The cloud identity of a component whose stores ask for cloud permissions; none when they ask for none. */
/** `resource`: the component that asks, named by the error when its target binds no identities. */
export function cloudIdentity(
    workloadIdentity: WorkloadIdentityHook | undefined,
    permissions: CloudPermission[],
    resource: pulumi.Resource,
): CloudIdentity | undefined {
    if (permissions.length === 0) {
        return undefined;
    }
    if (!workloadIdentity) {
        throw new pulumi.ResourceError("a store is reached by cloud identity, but the target binds no cloud identities to ServiceAccounts", resource);
    }
    return { bind: workloadIdentity, permissions };
}

/**
 * One long-running workload, hardened: a Deployment under Pod Security "restricted", its own
 * ServiceAccount, a Service when it serves a port, a HorizontalPodAutoscaler, a
 * PodDisruptionBudget when it can run more than one replica, and NetworkPolicies that admit
 * exactly the traffic it declares.
 */
export class Workload extends pulumi.ComponentResource {
    readonly deployment: apps.Deployment;
    readonly service?: core.Service;
    readonly serviceAccount: core.ServiceAccount;
    readonly autoscaler?: hpa.HorizontalPodAutoscaler;
    readonly disruptionBudget?: policy.PodDisruptionBudget;
    readonly networkPolicy: networking.NetworkPolicy;
    /** Name of the Deployment (and of the Service, when there is one). */
    readonly objectName: string;
    readonly component: string;
    readonly metrics?: WorkloadMetrics;
    /** The port its metrics are served on, by name: its serving port's, or a port of its own. */
    readonly metricsPort?: string;

    constructor(name: string, args: WorkloadArgs, opts?: pulumi.ComponentResourceOptions) {
        super("appstack:workload:Workload", name, {}, opts);
        const objectName = names.objectName(args.appName, args.component);
        this.objectName = objectName;
        this.component = args.component;
        this.metrics = args.metrics;
        const ownMetricsPort = args.metrics && args.metrics.port !== args.port ? args.metrics.port : undefined;
        this.metricsPort = args.metrics && (ownMetricsPort === undefined ? servingPortName : metricsPortName);
        const labels = appLabels(args.appName, args.component);
        const selector = selectorLabels(args.appName, args.component);
        const metadata = { name: objectName, namespace: args.namespace, labels };
        const { autoscaling } = args;
        const mostReplicas = autoscaling ? autoscaling.maxReplicas : args.replicas;

        const { cloudIdentity } = args;
        const identity = cloudIdentity?.bind(name, { namespace: args.namespace, serviceAccountName: objectName, permissions: cloudIdentity.permissions }, this);
        this.serviceAccount = new core.ServiceAccount(
            name,
            {
                metadata: { ...metadata, annotations: identity?.serviceAccountAnnotations },
                automountServiceAccountToken: args.mountServiceAccountToken ?? false,
            },
            { parent: this },
        );

        const container = {
            ...hardenedContainer({
                name: args.component,
                image: args.image,
                command: args.command,
                args: args.args,
                env: args.env,
                plainEnv: { APP_COMPONENT: args.component, ...args.plainEnv },
                extraEnv: args.extraEnv,
                resources: args.resources,
            }),
            ports: containerPorts(args.port, ownMetricsPort),
            startupProbe: args.probes.startup,
            livenessProbe: args.probes.liveness,
            readinessProbe: args.probes.readiness,
            lifecycle: args.preStopSeconds ? { preStop: { sleep: { seconds: args.preStopSeconds } } } : undefined,
        };

        this.deployment = new apps.Deployment(
            name,
            {
                metadata,
                spec: {
                    // Under an autoscaler the replica count is the autoscaler's: setting it here
                    // would reset it to a fixed number on every update.
                    replicas: autoscaling ? autoscaling.minReplicas : args.replicas,
                    revisionHistoryLimit: 10,
                    selector: { matchLabels: selector },
                    strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
                    template: {
                        // The identity's labels mark the pods only: a selector is immutable.
                        metadata: { labels: { ...labels, ...identity?.podLabels } },
                        spec: hardenedPodSpec(args.runAsUser, this.serviceAccount.metadata.name, [container], {
                            automountServiceAccountToken: args.mountServiceAccountToken ?? false,
                            imagePullSecrets: args.imagePullSecrets,
                            terminationGracePeriodSeconds: args.terminationGracePeriodSeconds,
                            topologySpreadConstraints: args.topologySpread ? spreadAcrossNodesAndZones(selector) : undefined,
                        }),
                    },
                },
            },
            {
                parent: this,
                dependsOn: args.rolloutAfter,
                // Under server-side apply, leaving the field out would hand it back to the API
                // server's default of one replica until the autoscaler reacts. The count is sent
                // on creation (minReplicas) and left alone afterwards: when autoscaling is turned
                // on for a running Deployment the engine keeps the count it last applied, and the
                // provider stops sending the field once the autoscaler has taken it over.
                ignoreChanges: autoscaling ? ["spec.replicas"] : undefined,
            },
        );

        if (args.port !== undefined) {
            this.service = clusterService(name, { metadata, selector, port: { name: servingPortName, number: args.port } }, { parent: this });
        }

        if (autoscaling) {
            this.autoscaler = new hpa.HorizontalPodAutoscaler(
                name,
                {
                    metadata,
                    spec: {
                        scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: objectName },
                        minReplicas: autoscaling.minReplicas,
                        maxReplicas: autoscaling.maxReplicas,
                        metrics: autoscaling.metrics,
                        behavior: autoscaling.behavior,
                    },
                },
                { parent: this },
            );
        }

        if (mostReplicas > 1) {
            this.disruptionBudget = new policy.PodDisruptionBudget(
                name,
                {
                    metadata,
                    spec: {
                        maxUnavailable: 1,
                        selector: { matchLabels: selector },
                        // A pod that is not running well cannot block a node drain.
                        unhealthyPodEvictionPolicy: "AlwaysAllow",
                    },
                },
                { parent: this },
            );
        }

        const admitted = [
            ...(args.port === undefined ? [] : args.allowFrom.map((peer) => ({ peer, ports: [args.port!] }))),
            ...(args.metrics?.scrapers ?? []).map((peer) => ({ peer, ports: [args.metrics!.port] })),
        ];
        this.networkPolicy = podNetworkPolicy(name, args.appName, metadata, args.component, { ingress: admitted, egress: args.allowTo }, { parent: this });

        this.registerOutputs({
            deployment: this.deployment.metadata.name,
            service: this.service?.metadata.name,
        });
    }
}

function containerPorts(serving: number | undefined, metrics: number | undefined) {
    const ports = [
        ...(serving === undefined ? [] : [{ name: servingPortName, containerPort: serving, protocol: "TCP" }]),
        ...(metrics === undefined ? [] : [{ name: metricsPortName, containerPort: metrics, protocol: "TCP" }]),
    ];
    return ports.length ? ports : undefined;
}

/** Spread counted per revision (pod-template-hash), so a rollout's new pods spread among themselves. */
function spreadAcrossNodesAndZones(selector: Record<string, string>) {
    const spread = (topologyKey: string, whenUnsatisfiable: string) => ({
        maxSkew: 1,
        topologyKey,
        whenUnsatisfiable,
        labelSelector: { matchLabels: selector },
        matchLabelKeys: ["pod-template-hash"],
    });
    return [spread("kubernetes.io/hostname", "DoNotSchedule"), spread("topology.kubernetes.io/zone", "ScheduleAnyway")];
}
