import type * as inputs from "@pulumi/kubernetes/types/input";
import * as pulumi from "@pulumi/pulumi";
import type { AppArgs, CronJobArgs, IngressArgs, WorkerArgs } from "../components/app";
import type { DataStoreConnection } from "../components/data/connection";
import { pinnedReference } from "../components/image";
import type { PlatformArgs } from "../components/platform";
import type { TargetArgs } from "../components/targets";
import { servingPortName, type WorkloadAutoscaling, type WorkloadProbes, type WorkloadSpec } from "../components/workload";
import type { CronJobConfig, ExecProbe, HttpProbes, StackConfig, WorkerConfig, WorkloadLifecycle } from "./schema";

// From a validated stack config to the components' arguments: the one place where config keys
// turn into Kubernetes settings. The components never see the config.

type Probe = inputs.core.v1.Probe;

export function targetArgs(target: StackConfig["target"]): TargetArgs {
    switch (target.kind) {
        case "existing":
            return { kind: "existing", kubeconfig: target.kubeconfig === undefined ? undefined : pulumi.secret(target.kubeconfig), context: target.context };
        case "local":
            return { kind: "local", kubeconfigPath: target.kubeconfigPath };
    }
}

export function platformArgs(config: StackConfig): PlatformArgs {
    const { quota, limitRange } = config;
    return {
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

/** What the app gets from outside its config: where it runs and what it connects to. */
export interface AppSurroundings {
    namespace: pulumi.Input<string>;
    /** Whether an ingress controller publishes an address on this cluster. */
    ingressPublishesStatus: boolean;
    dataStores: DataStoreConnection[];
}

export function appArgs(config: StackConfig, surroundings: AppSurroundings): AppArgs {
    const { api, frontend, migrations } = config;
    return {
        appName: config.name,
        namespace: surroundings.namespace,
        image: pinnedReference(config.image),
        runAsUser: config.runAsUser,
        topologySpread: config.topologySpread,
        settings: { APP_NAME: config.name, APP_ENVIRONMENT: config.environment, ...config.settings },
        secrets: secretValues(config.secrets),
        api: { ...workloadSpec(api, httpProbes(api.probes)), port: api.port, command: api.command, args: api.args },
        workers: config.workers.map(workerArgs),
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
              }
            : undefined,
        cronJobs: config.cronJobs.map((job) => cronJobArgs(job, api.resources)),
        ingress: ingressArgs(config.ingress, config.name, surroundings.ingressPublishesStatus),
        scrapers: config.monitoringNamespace ? [{ namespace: config.monitoringNamespace }] : [],
        dataStores: surroundings.dataStores,
    };
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

export function ingressArgs(ingress: StackConfig["ingress"], appName: string, publishesStatus: boolean): IngressArgs | undefined {
    if (!ingress.enabled || ingress.host === undefined) {
        return undefined;
    }
    const { tls } = ingress;
    const annotations: Record<string, string> = {};
    if (tls.mode !== "none") {
        annotations["nginx.ingress.kubernetes.io/force-ssl-redirect"] = "true";
    }
    if (tls.mode === "cert-manager") {
        annotations["cert-manager.io/cluster-issuer"] = tls.clusterIssuer;
    }
    return {
        host: ingress.host,
        className: ingress.className,
        annotations,
        sources: [{ namespace: ingress.controllerNamespace }],
        tls: tls.mode === "none" ? undefined : { secretName: tls.mode === "secret" ? tls.secretName : `${appName}-tls` },
        publishesStatus,
    };
}
