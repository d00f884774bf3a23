import * as apps from "@pulumi/kubernetes/apps/v1";
import * as autoscaling from "@pulumi/kubernetes/autoscaling/v2";
import * as core from "@pulumi/kubernetes/core/v1";
import * as networking from "@pulumi/kubernetes/networking/v1";
import * as policy from "@pulumi/kubernetes/policy/v1";
import type * as inputs from "@pulumi/kubernetes/types/input";
import * as pulumi from "@pulumi/pulumi";
import type { ExecProbe, HttpProbes, WorkloadLifecycle } from "../stacks/schema";
import * as names from "./names";
import { policyRules, type NetworkRule } from "./network";
import { appLabels, configChecksumAnnotation, hardenedContainer, hardenedPodSpec, selectorLabels, type AppEnvironment } from "./pod";

type Probe = inputs.core.v1.Probe;

export type WorkloadProbes = { kind: "http"; http: HttpProbes } | { kind: "exec"; exec: ExecProbe };

export interface WorkloadArgs {
    appName: string;
    namespace: pulumi.Input<string>;
    /** Component label and name suffix: "api", "frontend", "worker-<name>". */
    component: string;
    image: pulumi.Input<string>;
    command?: string[];
    args?: string[];
    /** The port it serves; a Service is created only when there is one. */
    port?: number;
    probes: WorkloadProbes;
    lifecycle: WorkloadLifecycle;
    env?: AppEnvironment;
    /** Plain variables beyond the shared settings. */
    plainEnv?: Record<string, string>;
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
    readonly autoscaler?: autoscaling.HorizontalPodAutoscaler;
    readonly disruptionBudget?: policy.PodDisruptionBudget;
    readonly networkPolicy: networking.NetworkPolicy;
    /** Name of the Deployment (and of the Service, when there is one). */
    readonly objectName: string;

    constructor(name: string, args: WorkloadArgs, opts?: pulumi.ComponentResourceOptions) {
        super("appstack:workload:Workload", name, {}, opts);
        const objectName = names.objectName(args.appName, args.component);
        this.objectName = objectName;
        const labels = appLabels(args.appName, args.component);
        const selector = selectorLabels(args.appName, args.component);
        const metadata = { name: objectName, namespace: args.namespace, labels };
        const { lifecycle } = args;
        const autoscaled = lifecycle.autoscaling.enabled;
        const mostReplicas = autoscaled ? lifecycle.autoscaling.maxReplicas : lifecycle.replicas;

        this.serviceAccount = new core.ServiceAccount(
            name,
            { metadata, automountServiceAccountToken: args.mountServiceAccountToken ?? false },
            { parent: this },
        );

        const container = {
            ...hardenedContainer({
                name: args.component,
                image: args.image,
                command: args.command,
                args: args.args,
                env: args.env,
                plainEnv: { APP_COMPONENT: args.component, ...lifecycle.env, ...args.plainEnv },
                resources: lifecycle.resources,
            }),
            ports: args.port === undefined ? undefined : [{ name: "http", containerPort: args.port, protocol: "TCP" }],
            ...probesFor(args.probes),
            lifecycle: lifecycle.preStopSeconds > 0 ? { preStop: { sleep: { seconds: lifecycle.preStopSeconds } } } : undefined,
        };

        this.deployment = new apps.Deployment(
            name,
            {
                metadata,
                spec: {
                    // Under an autoscaler the replica count is the autoscaler's: setting it here
                    // would reset it to a fixed number on every update.
                    replicas: autoscaled ? undefined : lifecycle.replicas,
                    revisionHistoryLimit: 10,
                    selector: { matchLabels: selector },
                    strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
                    template: {
                        metadata: { labels, annotations: args.env ? { [configChecksumAnnotation]: args.env.checksum } : undefined },
                        spec: hardenedPodSpec(args.runAsUser, this.serviceAccount.metadata.name, [container], {
                            automountServiceAccountToken: args.mountServiceAccountToken ?? false,
                            terminationGracePeriodSeconds: lifecycle.terminationGracePeriodSeconds,
                            topologySpreadConstraints: args.topologySpread ? spreadAcrossNodesAndZones(selector) : undefined,
                        }),
                    },
                },
            },
            { parent: this, dependsOn: args.rolloutAfter },
        );

        if (args.port !== undefined) {
            this.service = new core.Service(
                name,
                {
                    metadata,
                    spec: {
                        type: "ClusterIP",
                        selector,
                        ports: [{ name: "http", port: args.port, targetPort: "http", protocol: "TCP" }],
                    },
                },
                { parent: this },
            );
        }

        if (autoscaled) {
            this.autoscaler = new autoscaling.HorizontalPodAutoscaler(
                name,
                { metadata, spec: autoscalerSpec(objectName, lifecycle.autoscaling) },
                { parent: this },
            );
        }

        if (mostReplicas > 1) {
            this.disruptionBudget = new policy.PodDisruptionBudget(
                name,
                { metadata, spec: { maxUnavailable: 1, selector: { matchLabels: selector } } },
                { parent: this },
            );
        }

        const ingress = args.port === undefined ? [] : policyRules(args.allowFrom.map((peer) => ({ peer, ports: [args.port!] })), args.appName);
        const egress = policyRules(args.allowTo, args.appName);
        this.networkPolicy = new networking.NetworkPolicy(
            name,
            {
                metadata,
                spec: {
                    podSelector: { matchLabels: selector },
                    policyTypes: ["Ingress", "Egress"],
                    ingress: ingress.map((rule) => ({ from: rule.peers, ports: rule.ports })),
                    egress: egress.map((rule) => ({ to: rule.peers, ports: rule.ports })),
                },
            },
            { parent: this },
        );

        this.registerOutputs({
            deployment: this.deployment.metadata.name,
            service: this.service?.metadata.name,
        });
    }
}

function probesFor(probes: WorkloadProbes): { startupProbe: Probe; livenessProbe: Probe; readinessProbe: Probe } {
    if (probes.kind === "http") {
        const http = (probe: HttpProbes["startup"]): Probe => ({
            httpGet: { path: probe.path, port: "http" },
            periodSeconds: probe.periodSeconds,
            timeoutSeconds: probe.timeoutSeconds,
            failureThreshold: probe.failureThreshold,
        });
        return { startupProbe: http(probes.http.startup), livenessProbe: http(probes.http.liveness), readinessProbe: http(probes.http.readiness) };
    }
    const exec: Probe = {
        exec: { command: probes.exec.command },
        periodSeconds: probes.exec.periodSeconds,
        timeoutSeconds: probes.exec.timeoutSeconds,
        failureThreshold: probes.exec.failureThreshold,
    };
    // A worker that has not answered its first ping is still starting, not failing: the startup
    // probe gives it ten periods before liveness takes over.
    return { startupProbe: { ...exec, failureThreshold: Math.max(10, probes.exec.failureThreshold) }, livenessProbe: exec, readinessProbe: exec };
}

function spreadAcrossNodesAndZones(selector: Record<string, string>) {
    return [
        { maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "DoNotSchedule", labelSelector: { matchLabels: selector } },
        { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: selector } },
    ];
}

function autoscalerSpec(deploymentName: string, scaling: WorkloadLifecycle["autoscaling"]) {
    const policies = (step: WorkloadLifecycle["autoscaling"]["scaleUp"]) => ({
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
        scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: deploymentName },
        minReplicas: scaling.minReplicas,
        maxReplicas: scaling.maxReplicas,
        metrics: [utilization("cpu", scaling.cpuUtilization), utilization("memory", scaling.memoryUtilization)],
        behavior: { scaleUp: policies(scaling.scaleUp), scaleDown: policies(scaling.scaleDown) },
    };
}
