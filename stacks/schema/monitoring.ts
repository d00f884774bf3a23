import { z } from "zod";
import { port, positiveInt } from "./values";

// How Prometheus finds the workloads and what pages the operator. The namespace Prometheus runs in
// is the stack's `monitoringNamespace`.

const labelKey = z
    .string()
    .regex(
        /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/,
        "a label key such as release or app.kubernetes.io/name",
    );
const labelValue = z.string().regex(/^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/, "a label value: at most 63 letters, digits, '-', '_' or '.'");
export const labels = z.record(labelKey, labelValue);

/** A Prometheus duration such as 5m, 1h or 1h30m. */
export const promDuration = z.string().regex(/^((\d+)(ms|s|m|h|d|w|y))+$/, "a Prometheus duration such as 30s, 5m, 1h or 3d");

/** The api's histogram buckets (app/src/metrics.ts): a latency objective can only sit on one. */
export const apiLatencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const ratio = z.number().gt(0, "greater than 0").lt(1, "less than 1");

const burnWindow = z.strictObject({
    long: promDuration.describe("long window: the burn rate held over it"),
    short: promDuration.describe("short window: the burn rate still high now, so the alert resolves soon after the fix"),
    burnRate: z.number().gt(0, "greater than 0").describe("error budget spent this many times faster than the SLO allows"),
    severity: z.enum(["critical", "warning"]).describe(`"critical" pages, "warning" opens a ticket`),
});

export const alerts = z.strictObject({
    availabilityObjective: ratio.describe("share of api requests that must not fail with a 5xx (e.g. 0.999)"),
    latencyObjective: ratio.describe("share of api requests that must be answered within latencySeconds"),
    latencySeconds: z
        .number()
        .refine((value) => apiLatencyBuckets.includes(value), { message: `a bucket of http_request_duration_seconds: ${apiLatencyBuckets.join(", ")}` })
        .describe("latency threshold of the latency SLO, in seconds (a histogram bucket of the api)"),
    burnWindows: z.array(burnWindow).min(1, "at least one window pair").describe("multi-window burn-rate alerts of both SLOs"),
    rolloutStuckFor: promDuration.describe("a rollout that has not finished for this long alerts"),
    crashLoopingFor: promDuration.describe("a container restarting in a loop for this long alerts"),
    autoscalerMaxedFor: promDuration.describe("an autoscaler at its maximum replicas for this long alerts"),
    workerFailureRatio: ratio.describe("share of a worker's jobs failing over workerFailureWindow that alerts"),
    workerFailureWindow: promDuration.describe("window the share of failing jobs is measured over"),
    workerFailingFor: promDuration.describe("how long the share must stay above workerFailureRatio"),
    workerIdleFor: promDuration.describe("a worker that finished no job for this long while its queues hold jobs alerts"),
    storeDownFor: promDuration.describe("a data store the app reports down for this long alerts"),
    volumeFreeRatio: ratio.describe("a volume with less than this share of its space free alerts"),
    volumeFullFor: promDuration.describe("how long a volume must stay below volumeFreeRatio"),
    certificateDays: positiveInt.describe("a TLS certificate expiring within this many days alerts"),
});

export const monitoring = z.strictObject({
    enabled: z.boolean().describe("scrape the workloads, alert on them and ship a dashboard (needs monitoringNamespace)"),
    prometheusOperator: z
        .boolean()
        .describe(
            "the cluster runs the Prometheus Operator (its CRDs are installed): render ServiceMonitors, PodMonitors and a PrometheusRule; otherwise they are left out and the stack output monitoringLeftOut says so",
        ),
    prometheusPods: labels.describe("labels of the Prometheus pods in monitoringNamespace, the only pods admitted to the metrics ports"),
    selectorLabels: labels.describe("labels on every monitor, rule and dashboard, so that the user's Prometheus and Grafana select them"),
    scrapeInterval: promDuration.describe("how often Prometheus scrapes each workload"),
    workerMetricsPort: port.describe("port each worker serves /metrics on (METRICS_PORT)"),
    runbookUrl: z
        .string()
        .min(1, "not empty")
        .describe("where docs/runbooks/alerts.md of this repository is read (e.g. its URL on your git host); each alert links to its section"),
    alerts: alerts.describe("alert thresholds and windows"),
    dashboard: z
        .strictObject({
            enabled: z.boolean().describe("render the Grafana dashboard ConfigMap"),
            labels: labels.describe("labels the Grafana dashboard sidecar picks ConfigMaps up by"),
        })
        .describe("Grafana dashboard"),
});

/** Monitoring needs to know where Prometheus runs: it alone is admitted to the metrics ports. */
export function checkMonitoringNamespace(
    value: { monitoring?: { enabled?: unknown }; frontend?: { metrics?: unknown }; monitoringNamespace?: unknown },
    ctx: z.RefinementCtx,
) {
    if (value.monitoringNamespace !== undefined) {
        return;
    }
    const needs =
        value.monitoring?.enabled === true ? "monitoring.enabled is true" : value.frontend?.metrics !== undefined ? "frontend.metrics is set" : undefined;
    if (needs) {
        ctx.addIssue({ code: "custom", path: ["monitoringNamespace"], input: undefined, message: `the namespace Prometheus runs in, when ${needs}` });
    }
}
