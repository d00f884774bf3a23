// Everything the service reads from its environment, read once. A dependency is checked only
// when its variable is set: the deployment decides what the service uses.

export interface Settings {
    port: number;
    appName: string;
    environment: string;
    databaseUrl?: string;
    redisUrl?: string;
    s3Endpoint?: string;
    s3Bucket?: string;
    meiliUrl?: string;
    meiliMasterKey?: string;
    workerQueues: string[];
    workerConcurrency: number;
    heartbeatFile: string;
    /** Port a worker serves /metrics on; absent: none. */
    metricsPort?: number;
    heartbeatMaxAgeSeconds: number;
    checkTimeoutMs: number;
    shutdownTimeoutMs: number;
}

function optional(name: string): string | undefined {
    const value = process.env[name]?.trim();
    return value ? value : undefined;
}

function integer(name: string, fallback: number, minimum: number): number {
    const text = optional(name);
    if (text === undefined) {
        return fallback;
    }
    const value = Number(text);
    if (!Number.isInteger(value) || value < minimum) {
        throw new Error(`${name} must be an integer of at least ${minimum}, got "${text}"`);
    }
    return value;
}

export function readSettings(): Settings {
    return {
        port: integer("PORT", 8000, 0),
        appName: optional("APP_NAME") ?? "appstack",
        environment: optional("APP_ENVIRONMENT") ?? "dev",
        databaseUrl: optional("DATABASE_URL"),
        redisUrl: optional("REDIS_URL"),
        s3Endpoint: optional("S3_ENDPOINT"),
        s3Bucket: optional("S3_BUCKET"),
        meiliUrl: optional("MEILI_URL"),
        meiliMasterKey: optional("MEILI_MASTER_KEY"),
        workerQueues: (optional("WORKER_QUEUES") ?? "default")
            .split(",")
            .map((queue) => queue.trim())
            .filter((queue) => queue.length > 0),
        workerConcurrency: integer("WORKER_CONCURRENCY", 1, 1),
        // The root filesystem is read-only: /tmp is the one writable place.
        heartbeatFile: optional("WORKER_HEARTBEAT_FILE") ?? "/tmp/worker-heartbeat",
        metricsPort: optional("METRICS_PORT") === undefined ? undefined : integer("METRICS_PORT", 0, 1),
        heartbeatMaxAgeSeconds: integer("WORKER_HEARTBEAT_MAX_AGE_SECONDS", 120, 1),
        // Below the probes' 3 s timeout, so that a slow dependency reads as down, not as a hung pod.
        checkTimeoutMs: integer("HEALTH_CHECK_TIMEOUT_MS", 2000, 1),
        // The api's grace period is 30 s, 15 of which its preStop pause takes: drain within the rest.
        shutdownTimeoutMs: integer("SHUTDOWN_TIMEOUT_MS", 12000, 1),
    };
}
