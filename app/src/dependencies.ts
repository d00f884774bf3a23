import { Redis } from "ioredis";
import { Pool } from "pg";
import { errorText } from "./log";
import type { Settings } from "./settings";

// The services the app uses, each checked only when its variable is set. A critical dependency
// that is down makes the pod unready (the app cannot serve without it); a non-critical one only
// degrades the overall status that monitoring reads.

export type DependencyStatus = "healthy" | "degraded" | "unhealthy";

export interface CheckResult {
    status: DependencyStatus;
    critical: boolean;
    latencyMs: number;
    error?: string;
}

interface Dependency {
    name: string;
    critical: boolean;
    check(signal: AbortSignal): Promise<void>;
    close(): Promise<void>;
}

/** A check slower than this still passes, but reads as degraded. */
const slowMs = 1000;

export class Dependencies {
    private readonly list: Dependency[] = [];
    readonly database?: Pool;
    readonly redis?: Redis;

    constructor(private readonly settings: Settings) {
        if (settings.databaseUrl) {
            const pool = new Pool({
                connectionString: settings.databaseUrl,
                max: 4,
                connectionTimeoutMillis: settings.checkTimeoutMs,
                idleTimeoutMillis: 30000,
            });
            // An idle client that loses its server emits an error on the pool; the next check reports it.
            pool.on("error", () => undefined);
            this.database = pool;
            this.list.push({
                name: "database",
                critical: true,
                check: async () => {
                    await pool.query("SELECT 1");
                },
                close: () => pool.end(),
            });
        }
        if (settings.redisUrl) {
            const redis = redisClient(settings.redisUrl, settings.checkTimeoutMs);
            this.redis = redis;
            this.list.push({
                name: "redis",
                critical: true,
                check: async () => {
                    await untilConnected(redis);
                    await redis.ping();
                },
                close: async () => {
                    redis.disconnect();
                },
            });
        }
        if (settings.s3Endpoint) {
            const target = settings.s3Bucket ? new URL(encodeURIComponent(settings.s3Bucket), withSlash(settings.s3Endpoint)) : new URL(settings.s3Endpoint);
            this.list.push({
                name: "objectStorage",
                critical: false,
                // Any answer below 500 (403 for an unsigned request included) means the service is up.
                check: async (signal) => {
                    const response = await fetch(target, { method: "HEAD", signal });
                    if (response.status >= 500) {
                        throw new Error(`HEAD ${target.pathname} answered ${response.status}`);
                    }
                },
                close: async () => undefined,
            });
        }
        if (settings.meiliUrl) {
            const health = new URL("health", withSlash(settings.meiliUrl));
            this.list.push({
                name: "search",
                critical: false,
                check: async (signal) => {
                    const response = await fetch(health, { signal });
                    const body = (await response.json().catch(() => ({}))) as { status?: string };
                    if (!response.ok || body.status !== "available") {
                        throw new Error(`GET /health answered ${response.status} ${JSON.stringify(body)}`);
                    }
                },
                close: async () => undefined,
            });
        }
    }

    get names(): string[] {
        return this.list.map((dependency) => dependency.name);
    }

    /** Checks every dependency at once, each within the check timeout. */
    async check(): Promise<Record<string, CheckResult>> {
        const results = await Promise.all(this.list.map(async (dependency) => [dependency.name, await this.checkOne(dependency)] as const));
        return Object.fromEntries(results);
    }

    private async checkOne(dependency: Dependency): Promise<CheckResult> {
        const started = performance.now();
        const controller = new AbortController();
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<never>((_, reject) => {
            timer = setTimeout(() => {
                controller.abort();
                reject(new Error(`no answer within ${this.settings.checkTimeoutMs} ms`));
            }, this.settings.checkTimeoutMs);
        });
        try {
            await Promise.race([dependency.check(controller.signal), timeout]);
            const latencyMs = Math.round(performance.now() - started);
            return { status: latencyMs > slowMs ? "degraded" : "healthy", critical: dependency.critical, latencyMs };
        } catch (error) {
            return { status: "unhealthy", critical: dependency.critical, latencyMs: Math.round(performance.now() - started), error: errorText(error) };
        } finally {
            clearTimeout(timer);
        }
    }

    async close(): Promise<void> {
        await Promise.allSettled(this.list.map((dependency) => dependency.close()));
    }
}

/** Overall status: unhealthy when a critical dependency is down, degraded when anything else is off. */
export function overallStatus(results: Record<string, CheckResult>): DependencyStatus {
    const all = Object.values(results);
    if (all.some((result) => result.critical && result.status === "unhealthy")) {
        return "unhealthy";
    }
    return all.some((result) => result.status !== "healthy") ? "degraded" : "healthy";
}

/**
 * A client that fails fast while the server is away instead of queueing commands, and keeps
 * reconnecting in the background, so that a check answers within its timeout either way.
 */
export function redisClient(url: string, timeoutMs: number): Redis {
    const redis = new Redis(url, {
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        connectTimeout: timeoutMs,
        retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    });
    // Connection errors surface through the commands that fail; the client keeps retrying.
    redis.on("error", () => undefined);
    return redis;
}

/**
 * Waits for the client's connection (the check's timeout bounds the wait): without an offline
 * queue, a command sent while the client is still connecting fails at once.
 */
export function untilConnected(redis: Redis): Promise<void> {
    if (redis.status === "ready") {
        return Promise.resolve();
    }
    // One listener per outage, however many checks wait on it.
    let connected = connecting.get(redis);
    if (!connected) {
        connected = new Promise((resolve) =>
            redis.once("ready", () => {
                connecting.delete(redis);
                resolve();
            }),
        );
        connecting.set(redis, connected);
    }
    return connected;
}

const connecting = new WeakMap<Redis, Promise<void>>();

function withSlash(base: string): string {
    return base.endsWith("/") ? base : `${base}/`;
}
