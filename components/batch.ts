import * as batch from "@pulumi/kubernetes/batch/v1";
import type * as networking from "@pulumi/kubernetes/networking/v1";
import type * as inputs from "@pulumi/kubernetes/types/input";
import type * as pulumi from "@pulumi/pulumi";
import { podNetworkPolicy, type NetworkRule } from "./network";

// What every run-to-completion workload shares, the app's jobs and the stores' alike.

export interface ObjectMetadata {
    name: string;
    namespace: pulumi.Input<string>;
    labels: Record<string, string>;
}

/** When a scheduled job runs, and how long its runs and their records may last. */
export interface CronSchedule {
    schedule: string;
    /** IANA time zone of the schedule; absent: the controller's. */
    timeZone?: string;
    startingDeadlineSeconds: number;
    successfulJobsHistoryLimit: number;
    failedJobsHistoryLimit: number;
    backoffLimit: number;
    activeDeadlineSeconds: number;
}

/** A CronJob whose runs never overlap: a run still going when the next is due skips that one. */
export function cronJob(
    name: string,
    metadata: ObjectMetadata,
    schedule: CronSchedule,
    template: inputs.core.v1.PodTemplateSpec,
    opts: pulumi.CustomResourceOptions,
): batch.CronJob {
    return new batch.CronJob(
        name,
        {
            metadata,
            spec: {
                schedule: schedule.schedule,
                timeZone: schedule.timeZone,
                concurrencyPolicy: "Forbid",
                startingDeadlineSeconds: schedule.startingDeadlineSeconds,
                successfulJobsHistoryLimit: schedule.successfulJobsHistoryLimit,
                failedJobsHistoryLimit: schedule.failedJobsHistoryLimit,
                jobTemplate: {
                    metadata: { labels: metadata.labels },
                    spec: { backoffLimit: schedule.backoffLimit, activeDeadlineSeconds: schedule.activeDeadlineSeconds, template },
                },
            },
        },
        opts,
    );
}

/** The NetworkPolicy of a job's pods (component `component`): nobody connects to them, and they reach exactly `egress`. */
export function jobNetworkPolicy(
    name: string,
    appName: string,
    metadata: ObjectMetadata,
    component: string,
    egress: NetworkRule[],
    opts: pulumi.CustomResourceOptions,
): networking.NetworkPolicy {
    return podNetworkPolicy(name, appName, metadata, component, { ingress: [], egress }, opts);
}
