import type * as inputs from "@pulumi/kubernetes/types/input";
import type { WorkerArgs } from "../../components/app";
import { servingPortName, type WorkloadAutoscaling, type WorkloadProbes, type WorkloadSpec } from "../../components/workload";
import type { ExecProbe, HttpProbes, WorkerConfig, WorkloadLifecycle } from "./stack";

type Probe = inputs.core.v1.Probe;

/** Requests and limits by their Kubernetes resource names (`ephemeralStorage` is `ephemeral-storage`). */
export function resourceRequirements(resources: WorkloadLifecycle["resources"]): inputs.core.v1.ResourceRequirements {
    const byKubernetesName = ({ ephemeralStorage, ...rest }: Record<string, string | undefined>) =>
        Object.fromEntries(Object.entries({ ...rest, "ephemeral-storage": ephemeralStorage }).filter(([, value]) => value !== undefined)) as Record<
            string,
            string
        >;
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

export function workerArgs(worker: WorkerConfig): WorkerArgs {
    return {
        ...workloadSpec(worker, workerProbes(worker.probe, worker.liveness)),
        name: worker.name,
        command: worker.command,
        concurrency: worker.concurrency,
        queues: worker.queues,
    };
}
