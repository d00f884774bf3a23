// The metric names the alerts and the dashboard are built from, in one place: the app's own
// (app/src/metrics.ts, checked by a test), kube-state-metrics', the kubelet's and cert-manager's.

export const appMetrics = {
    requests: "http_requests_total",
    duration: "http_request_duration_seconds",
    dependencyUp: "dependency_up",
    workerJobs: "worker_jobs_total",
    workerLastJob: "worker_last_job_timestamp_seconds",
    queueDepth: "worker_queue_depth",
} as const;

export const clusterMetrics = {
    deploymentSpecReplicas: "kube_deployment_spec_replicas",
    deploymentUpdatedReplicas: "kube_deployment_status_replicas_updated",
    containerWaiting: "kube_pod_container_status_waiting_reason",
    containerRestarts: "kube_pod_container_status_restarts_total",
    autoscalerCurrent: "kube_horizontalpodautoscaler_status_current_replicas",
    autoscalerMax: "kube_horizontalpodautoscaler_spec_max_replicas",
    jobFailed: "kube_job_failed",
    volumeAvailable: "kubelet_volume_stats_available_bytes",
    volumeCapacity: "kubelet_volume_stats_capacity_bytes",
    certificateExpiry: "certmanager_certificate_expiration_timestamp_seconds",
    cpu: "container_cpu_usage_seconds_total",
    memory: "container_memory_working_set_bytes",
} as const;

/** The label every scraped series carries with its workload's component (api, worker-NAME). */
export const componentLabel = "component";

/** Seconds of a Prometheus duration (5m, 1h30m). */
export function durationSeconds(duration: string): number {
    const unit: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };
    let seconds = 0;
    for (const [, amount, suffix] of duration.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)) {
        seconds += Number(amount) * unit[suffix];
    }
    return seconds;
}
