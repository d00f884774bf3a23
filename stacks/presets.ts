import type { CronJobConfig, StackConfig, WorkerConfig } from "./schema";

// Defaults per environment. A stack file names its environment and overrides only what differs;
// workers and cron jobs are merged entry by entry onto the defaults below.
// The values are those the hand-made deployments this replaces settled on (see the README).

export type Environment = StackConfig["environment"];

type Lifecycle = Pick<StackConfig["api"], "replicas" | "resources" | "autoscaling" | "preStopSeconds" | "terminationGracePeriodSeconds" | "env">;

export interface Preset {
    stack: Omit<StackConfig, "environment" | "name" | "namespace" | "image" | "workers" | "cronJobs"> & {
        name: string;
        workers: [];
        cronJobs: [];
    };
    worker: Omit<WorkerConfig, "name" | "command" | "queues">;
    cronJob: Omit<CronJobConfig, "name" | "schedule" | "command">;
}

const healthProbes = (prefix: string) => ({
    startup: { path: `${prefix}/startup`, periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 30 },
    liveness: { path: `${prefix}/live`, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 },
    readiness: { path: `${prefix}/ready`, periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 3 },
});

const staticSiteProbes = {
    startup: { path: "/", periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 30 },
    liveness: { path: "/", periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 },
    readiness: { path: "/", periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 3 },
};

const scaleUp = { percent: 50, pods: 2, periodSeconds: 15, stabilizationWindowSeconds: 0 };
const scaleDown = { percent: 10, pods: 1, periodSeconds: 60, stabilizationWindowSeconds: 300 };

function lifecycle(
    replicas: number,
    requests: { cpu: string; memory: string; ephemeralStorage?: string },
    limits: { cpu?: string; memory: string },
    scaling: { enabled: boolean; minReplicas: number; maxReplicas: number; cpuUtilization: number; memoryUtilization: number },
    terminationGracePeriodSeconds: number,
): Lifecycle {
    return {
        replicas,
        resources: { requests, limits },
        autoscaling: { ...scaling, scaleUp, scaleDown },
        preStopSeconds: 15,
        terminationGracePeriodSeconds,
        env: {},
    };
}

/** Off until a stack names where Prometheus runs; the labels and thresholds are kube-prometheus-stack's and the SRE workbook's. */
const monitoringDefaults: StackConfig["monitoring"] = {
    enabled: false,
    prometheusOperator: false,
    prometheusPods: { "app.kubernetes.io/name": "prometheus" },
    selectorLabels: { release: "kube-prometheus-stack" },
    scrapeInterval: "30s",
    workerMetricsPort: 9464,
    runbookUrl: "docs/runbooks/alerts.md",
    alerts: {
        availabilityObjective: 0.999,
        latencyObjective: 0.99,
        latencySeconds: 0.5,
        burnWindows: [
            { long: "1h", short: "5m", burnRate: 14.4, severity: "critical" },
            { long: "6h", short: "30m", burnRate: 6, severity: "critical" },
            { long: "1d", short: "2h", burnRate: 3, severity: "warning" },
            { long: "3d", short: "6h", burnRate: 1, severity: "warning" },
        ],
        rolloutStuckFor: "15m",
        crashLoopingFor: "15m",
        autoscalerMaxedFor: "15m",
        workerFailureRatio: 0.1,
        workerFailureWindow: "15m",
        workerFailingFor: "5m",
        workerIdleFor: "15m",
        storeDownFor: "5m",
        volumeFreeRatio: 0.1,
        volumeFullFor: "5m",
        certificateDays: 14,
    },
    dashboard: { enabled: true, labels: { grafana_dashboard: "1" } },
};

const shared = {
    runAsUser: 10001,
    settings: {},
    secrets: {},
    ingress: {
        enabled: false,
        className: "nginx",
        controllerNamespace: "ingress-nginx",
        tls: { mode: "cert-manager" as const, clusterIssuer: "letsencrypt-prod" },
    },
    monitoring: monitoringDefaults,
    workers: [] as [],
    cronJobs: [] as [],
    name: "appstack",
    // A cluster the operator already has; a stack names its context or gives its kubeconfig.
    target: { kind: "existing" as const },
};

const bundled = (size: string, cpu: string, memory: string, memoryLimit: string, ephemeralStorage?: string) => ({
    storage: { size },
    resources: { requests: { cpu, memory, ...(ephemeralStorage ? { ephemeralStorage } : {}) }, limits: { memory: memoryLimit } },
});

/** Every store bundled: the stack needs nothing outside the cluster. */
function bundledData(sizes: { postgres: string; redis: string; objectStore: string; search: string }, prod: boolean): StackConfig["data"] {
    return {
        postgres: {
            mode: "bundled",
            version: "17",
            database: "app",
            username: "app",
            bundled: prod ? bundled(sizes.postgres, "500m", "1Gi", "2Gi", "256Mi") : bundled(sizes.postgres, "100m", "256Mi", "1Gi"),
            // In prod only where the modes allow it: see modeDefaults.
            backups: { enabled: prod, schedule: "0 3 * * *", retentionDays: prod ? 30 : 7 },
            managed: { storageGb: prod ? 100 : 20, highAvailability: prod, backupRetentionDays: prod ? 14 : 7 },
        },
        redis: {
            mode: "bundled",
            bundled: prod ? bundled(sizes.redis, "200m", "512Mi", "1Gi", "256Mi") : bundled(sizes.redis, "50m", "64Mi", "256Mi"),
            managed: { highAvailability: prod },
        },
        objectStore: {
            mode: "bundled",
            bundled: prod ? bundled(sizes.objectStore, "250m", "512Mi", "1Gi", "256Mi") : bundled(sizes.objectStore, "50m", "128Mi", "512Mi"),
        },
        search: { mode: "bundled", bundled: prod ? bundled(sizes.search, "500m", "1Gi", "2Gi", "1Gi") : bundled(sizes.search, "100m", "256Mi", "1Gi") },
    };
}

const workerProbe = { command: ["python", "-m", "app.worker_ping"], periodSeconds: 30, timeoutSeconds: 10, failureThreshold: 3 };

/** A worker touches this file while its process is healthy; liveness checks its age (at most 120 s). */
export const workerHeartbeatFile = "/tmp/worker-heartbeat";
const workerLiveness = {
    command: ["python", "-c", `import os, sys, time; sys.exit(time.time() - os.path.getmtime("${workerHeartbeatFile}") > 120)`],
    periodSeconds: 30,
    timeoutSeconds: 5,
    failureThreshold: 3,
};

/** Workers receive no traffic: nothing to deregister from, so no pause before SIGTERM. */
function workerLifecycle(...args: Parameters<typeof lifecycle>): Lifecycle {
    return { ...lifecycle(...args), preStopSeconds: 0 };
}

function migrations(resources: Lifecycle["resources"]): StackConfig["migrations"] {
    return { enabled: true, command: ["python", "-m", "app.migrate"], backoffLimit: 2, activeDeadlineSeconds: 900, resources };
}

const cronJobDefaults: Preset["cronJob"] = {
    activeDeadlineSeconds: 3600,
    startingDeadlineSeconds: 300,
    successfulJobsHistoryLimit: 3,
    failedJobsHistoryLimit: 3,
    backoffLimit: 2,
};

/** The API: its port and health probes, with the lifecycle of its environment. */
function api(...args: Parameters<typeof lifecycle>): Preset["stack"]["api"] {
    return { port: 8000, probes: healthProbes("/api/v1/health"), ...lifecycle(...args) };
}

/** The frontend, off unless a stack turns it on and names its image. */
function frontend(...args: Parameters<typeof lifecycle>): Preset["stack"]["frontend"] {
    return { enabled: false, port: 8080, probes: staticSiteProbes, ...lifecycle(...args) };
}

/** A worker's defaults: `concurrency` tasks at once, probed by a queue ping and its heartbeat. */
function worker(concurrency: number, ...args: Parameters<typeof lifecycle>): Preset["worker"] {
    return { concurrency, probe: workerProbe, liveness: workerLiveness, ...workerLifecycle(...args) };
}

export const presets: Record<Environment, Preset> = {
    dev: {
        stack: {
            ...shared,
            protect: false,
            topologySpread: false,
            api: api(
                1,
                { cpu: "50m", memory: "128Mi" },
                { memory: "512Mi" },
                { enabled: false, minReplicas: 1, maxReplicas: 3, cpuUtilization: 70, memoryUtilization: 80 },
                30,
            ),
            frontend: frontend(
                1,
                { cpu: "10m", memory: "32Mi" },
                { memory: "128Mi" },
                { enabled: false, minReplicas: 1, maxReplicas: 2, cpuUtilization: 70, memoryUtilization: 80 },
                30,
            ),
            migrations: migrations({ requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "512Mi" } }),
            limitRange: { defaultRequestCpu: "50m", defaultRequestMemory: "64Mi", defaultLimitMemory: "256Mi", maxMemory: "2Gi" },
            data: bundledData({ postgres: "10Gi", redis: "2Gi", objectStore: "10Gi", search: "5Gi" }, false),
        },
        worker: worker(
            2,
            1,
            { cpu: "50m", memory: "128Mi" },
            { memory: "512Mi" },
            { enabled: false, minReplicas: 1, maxReplicas: 2, cpuUtilization: 70, memoryUtilization: 80 },
            300,
        ),
        cronJob: cronJobDefaults,
    },
    prod: {
        stack: {
            ...shared,
            protect: true,
            topologySpread: true,
            api: api(
                3,
                { cpu: "250m", memory: "256Mi", ephemeralStorage: "256Mi" },
                { cpu: "1", memory: "1Gi" },
                { enabled: true, minReplicas: 3, maxReplicas: 10, cpuUtilization: 70, memoryUtilization: 80 },
                30,
            ),
            frontend: frontend(
                2,
                { cpu: "50m", memory: "64Mi", ephemeralStorage: "128Mi" },
                { cpu: "200m", memory: "128Mi" },
                { enabled: true, minReplicas: 2, maxReplicas: 6, cpuUtilization: 70, memoryUtilization: 80 },
                30,
            ),
            migrations: migrations({ requests: { cpu: "250m", memory: "256Mi", ephemeralStorage: "256Mi" }, limits: { cpu: "1", memory: "1Gi" } }),
            limitRange: { defaultRequestCpu: "100m", defaultRequestMemory: "128Mi", defaultLimitMemory: "512Mi", maxMemory: "4Gi" },
            data: bundledData({ postgres: "50Gi", redis: "4Gi", objectStore: "100Gi", search: "20Gi" }, true),
        },
        worker: worker(
            4,
            2,
            { cpu: "100m", memory: "256Mi", ephemeralStorage: "256Mi" },
            { cpu: "500m", memory: "1Gi" },
            { enabled: true, minReplicas: 2, maxReplicas: 6, cpuUtilization: 70, memoryUtilization: 80 },
            300,
        ),
        cronJob: cronJobDefaults,
    },
};

function field(value: unknown, key: string): unknown {
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

/**
 * The defaults that hold in some modes only, for the modes a stack chose (`stack`: its values on
 * the preset, not yet validated). They lie between the preset and the stack's values: a key the
 * stack sets is its own, and one it leaves out never contradicts a mode it chose.
 */
export function modeDefaults(environment: Environment, stack: Record<string, unknown>): Record<string, unknown> {
    const mode = (store: string) => field(field(stack.data, store), "mode");
    // Prod dumps a bundled database to the object store, with keys: a bundled or external one.
    const backups = environment === "prod" && mode("postgres") === "bundled" && ["bundled", "external"].includes(mode("objectStore") as string);
    return { data: { postgres: { backups: { enabled: backups } } } };
}
