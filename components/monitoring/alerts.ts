import { appMetrics, clusterMetrics, componentLabel, durationSeconds } from "./metrics";

// The alerts of one app, as Prometheus rule groups: the api's two SLOs by multi-window burn rate
// (the SRE workbook's), and the failures kubernetes-mixin pages on, narrowed to the app's
// namespace. Every alert names its workload in its summary and links to its runbook.

export interface BurnWindow {
    long: string;
    short: string;
    burnRate: number;
    severity: "critical" | "warning";
}

export interface AlertThresholds {
    availabilityObjective: number;
    latencyObjective: number;
    latencySeconds: number;
    burnWindows: BurnWindow[];
    rolloutStuckFor: string;
    crashLoopingFor: string;
    autoscalerMaxedFor: string;
    workerFailureRatio: number;
    workerFailureWindow: string;
    workerFailingFor: string;
    workerIdleFor: string;
    storeDownFor: string;
    volumeFreeRatio: number;
    volumeFullFor: string;
    certificateDays: number;
}

export interface AlertArgs {
    appName: string;
    /** The namespace every series is narrowed to. */
    namespace: string;
    thresholds: AlertThresholds;
    /** The runbook document; each alert links to its own section. */
    runbookUrl: string;
}

export interface AlertRule {
    alert: string;
    expr: string;
    for?: string;
    labels: Record<string, string>;
    annotations: { summary: string; description: string; runbook_url: string };
}

export interface RuleGroup {
    name: string;
    rules: AlertRule[];
}

/** The alert names, each a section of the runbook. */
export const alertNames = [
    "ApiErrorBudgetBurn",
    "ApiLatencyBudgetBurn",
    "RolloutStuck",
    "PodCrashLooping",
    "AutoscalerAtMaximum",
    "JobFailed",
    "WorkerJobsFailing",
    "WorkerNotProgressing",
    "DataStoreDown",
    "VolumeAlmostFull",
    "CertificateExpiring",
] as const;
export type AlertName = (typeof alertNames)[number];

export function alertGroups(args: AlertArgs): RuleGroup[] {
    const t = args.thresholds;
    const ns = `namespace="${args.namespace}"`;
    const api = `${ns},${componentLabel}="api"`;
    const rule = (
        alert: AlertName,
        severity: string,
        expr: string,
        summary: string,
        description: string,
        duration?: string,
        labels: Record<string, string> = {},
    ): AlertRule => ({
        alert,
        expr,
        ...(duration ? { for: duration } : {}),
        labels: { severity, app: args.appName, ...labels },
        annotations: { summary, description, runbook_url: `${args.runbookUrl}#${alert.toLowerCase()}` },
    });

    const errorRatio = (window: string) =>
        `sum(rate(${appMetrics.requests}{${api},status=~"5.."}[${window}])) / sum(rate(${appMetrics.requests}{${api}}[${window}]))`;
    const slowRatio = (window: string) =>
        `1 - sum(rate(${appMetrics.duration}_bucket{${api},le="${t.latencySeconds}"}[${window}])) / sum(rate(${appMetrics.duration}_count{${api}}[${window}]))`;
    const burn = (alert: AlertName, ratio: (window: string) => string, objective: number, what: string) =>
        t.burnWindows.map((w) => {
            const limit = round(w.burnRate * (1 - objective));
            return rule(
                alert,
                w.severity,
                `(${ratio(w.long)}) > ${limit} and (${ratio(w.short)}) > ${limit}`,
                `${args.appName} api: ${what} burning the error budget ${w.burnRate}x over ${w.long}`,
                `Over the last ${w.long} (and still over ${w.short}) more than ${round(limit * 100)}% of the api's requests were ${what}; at this rate the budget of the ${round(objective * 100)}% objective is gone early.`,
                undefined,
                { window: w.long },
            );
        });

    const idleSeconds = durationSeconds(t.workerIdleFor);
    const byWorker = `namespace, ${componentLabel}, queue`;
    return [
        {
            name: `${args.appName}.slo`,
            rules: [
                ...burn("ApiErrorBudgetBurn", errorRatio, t.availabilityObjective, "failing (5xx)"),
                ...burn("ApiLatencyBudgetBurn", slowRatio, t.latencyObjective, `slower than ${t.latencySeconds}s`),
            ],
        },
        {
            name: `${args.appName}.workloads`,
            rules: [
                rule(
                    "RolloutStuck",
                    "warning",
                    `${clusterMetrics.deploymentUpdatedReplicas}{${ns}} < ${clusterMetrics.deploymentSpecReplicas}{${ns}}`,
                    "Deployment {{ $labels.deployment }}: rollout stuck",
                    `Fewer pods of {{ $labels.deployment }} run the current revision than it wants, for ${t.rolloutStuckFor}.`,
                    t.rolloutStuckFor,
                ),
                rule(
                    "PodCrashLooping",
                    "warning",
                    `max by (namespace, pod, container) (max_over_time(${clusterMetrics.containerWaiting}{${ns},reason="CrashLoopBackOff"}[5m])) >= 1`,
                    "Pod {{ $labels.pod }}: container {{ $labels.container }} crash-looping",
                    `The container keeps exiting and is restarted with back-off, for ${t.crashLoopingFor}.`,
                    t.crashLoopingFor,
                ),
                rule(
                    "AutoscalerAtMaximum",
                    "warning",
                    `${clusterMetrics.autoscalerCurrent}{${ns}} >= ${clusterMetrics.autoscalerMax}{${ns}}`,
                    "HorizontalPodAutoscaler {{ $labels.horizontalpodautoscaler }}: at its maximum replicas",
                    `The workload has run at its most replicas for ${t.autoscalerMaxedFor}: it cannot grow with more load.`,
                    t.autoscalerMaxedFor,
                ),
                rule(
                    "JobFailed",
                    "warning",
                    `${clusterMetrics.jobFailed}{${ns},condition="true"} > 0`,
                    "Job {{ $labels.job_name }} failed",
                    "The Job (the migrations or a run of a CronJob) gave up after its retries.",
                ),
            ],
        },
        {
            name: `${args.appName}.workers`,
            rules: [
                rule(
                    "WorkerJobsFailing",
                    "warning",
                    `sum by (namespace, ${componentLabel}) (rate(${appMetrics.workerJobs}{${ns},outcome="failed"}[${t.workerFailureWindow}])) / sum by (namespace, ${componentLabel}) (rate(${appMetrics.workerJobs}{${ns}}[${t.workerFailureWindow}])) > ${t.workerFailureRatio}`,
                    "{{ $labels.component }}: {{ $value | humanizePercentage }} of jobs failing",
                    `More than ${round(t.workerFailureRatio * 100)}% of the worker's jobs failed over ${t.workerFailureWindow}, for ${t.workerFailingFor}.`,
                    t.workerFailingFor,
                ),
                rule(
                    "WorkerNotProgressing",
                    "critical",
                    `min by (${byWorker}) (min_over_time(${appMetrics.queueDepth}{${ns}}[${t.workerIdleFor}])) > 0 unless on (${byWorker}) max by (${byWorker}) (${appMetrics.workerLastJob}{${ns}}) > time() - ${idleSeconds}`,
                    "{{ $labels.component }}: queue {{ $labels.queue }} not progressing",
                    `Jobs have waited in the queue for ${t.workerIdleFor} and the worker finished none of them.`,
                ),
            ],
        },
        {
            name: `${args.appName}.dependencies`,
            rules: [
                rule(
                    "DataStoreDown",
                    "critical",
                    `max by (namespace, dependency) (${appMetrics.dependencyUp}{${api}}) == 0`,
                    `${args.appName}: data store {{ $labels.dependency }} down`,
                    `No api pod has reached the store for ${t.storeDownFor}.`,
                    t.storeDownFor,
                ),
                rule(
                    "VolumeAlmostFull",
                    "warning",
                    `${clusterMetrics.volumeAvailable}{${ns}} / ${clusterMetrics.volumeCapacity}{${ns}} < ${t.volumeFreeRatio}`,
                    "PersistentVolumeClaim {{ $labels.persistentvolumeclaim }}: {{ $value | humanizePercentage }} free",
                    `Less than ${round(t.volumeFreeRatio * 100)}% of the volume is free, for ${t.volumeFullFor}.`,
                    t.volumeFullFor,
                ),
                rule(
                    "CertificateExpiring",
                    "warning",
                    // Scraped from cert-manager's own namespace without honorLabels, the
                    // certificate's namespace is exported_namespace.
                    `(${clusterMetrics.certificateExpiry}{${ns}} or ${clusterMetrics.certificateExpiry}{exported_${ns}}) - time() < ${t.certificateDays * 86400}`,
                    "Certificate {{ $labels.name }} expires within " + t.certificateDays + " days",
                    "cert-manager has not renewed the certificate; it expires soon.",
                    "1h",
                ),
            ],
        },
    ];
}

/** A threshold as promtool and a human read it (0.0144, not 0.014400000000000001). */
function round(value: number): number {
    return Number(value.toPrecision(6));
}
