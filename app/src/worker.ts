import * as fs from "node:fs";
import type { Redis } from "ioredis";
import { redisClient } from "./dependencies";
import { errorText, log } from "./log";
import { jobsProcessed, lastJobDone, queueDepth, serveMetrics } from "./metrics";
import type { Settings } from "./settings";

// A queue consumer: WORKER_CONCURRENCY loops take jobs from the Redis lists named by
// WORKER_QUEUES. A job moves atomically to a per-queue processing list while it runs, so that one
// lost with its pod stays visible there instead of vanishing. The heartbeat file that the
// liveness command reads is touched by every loop turn and by a timer, so it ages only when the
// event loop is stuck: neither a broker outage nor an hour-long job restarts the pod.

/** How long one blocking take waits before the loop turns again (and touches the heartbeat). */
const takeTimeoutSeconds = 1;
/** The longest a simulated job may take. */
const maxJobMs = 60 * 60 * 1000;

export function processingList(queue: string): string {
    return `${queue}:processing`;
}

export async function runWorker(settings: Settings): Promise<void> {
    if (!settings.redisUrl) {
        throw new Error("REDIS_URL is not set: a worker needs its queue broker");
    }
    let stopping = false;
    const clients: Redis[] = [];
    const beat = () => touch(settings.heartbeatFile);
    beat();
    const metricsServer = settings.metricsPort === undefined ? undefined : serveMetrics(settings.metricsPort);
    if (metricsServer) {
        const depthClient = redisClient(settings.redisUrl, settings.checkTimeoutMs);
        clients.push(depthClient);
        queueDepth((queue) => depthClient.llen(queue), settings.workerQueues);
    }

    const loop = async (slot: number): Promise<void> => {
        // A blocking take holds its connection: one per loop.
        const redis = redisClient(settings.redisUrl!, settings.checkTimeoutMs);
        clients.push(redis);
        let turn = slot;
        let failures = 0;
        while (!stopping) {
            beat();
            let taken: [string, string] | null;
            try {
                taken = await take(redis, rotate(settings.workerQueues, turn++));
                failures = 0;
            } catch (error) {
                if (stopping) {
                    break;
                }
                failures++;
                log.warn("queue broker unavailable", { error: errorText(error), failures });
                await sleep(Math.min(failures * 500, 5000));
                continue;
            }
            if (taken === null) {
                continue;
            }
            const [queue, job] = taken;
            await runJob(queue, job);
            await redis
                .lrem(processingList(queue), 1, job)
                .catch((error: unknown) => log.warn("could not clear a finished job", { queue, error: errorText(error) }));
        }
    };

    process.once("SIGTERM", () => {
        stopping = true;
        log.info("draining: no new jobs, finishing jobs in flight");
    });
    log.info("worker started", { queues: settings.workerQueues, concurrency: settings.workerConcurrency, heartbeatFile: settings.heartbeatFile });
    const heartbeat = setInterval(beat, 10000);
    await Promise.all(Array.from({ length: settings.workerConcurrency }, (_, slot) => loop(slot)));
    clearInterval(heartbeat);
    metricsServer?.close();
    for (const client of clients) {
        client.disconnect();
    }
    log.info("stopped");
}

/**
 * The next job of any of the queues, the first queue first: without waiting from each in turn,
 * else waiting on the first one for a short while.
 */
async function take(redis: Redis, queues: string[]): Promise<[string, string] | null> {
    for (const queue of queues) {
        const job = await redis.lmove(queue, processingList(queue), "RIGHT", "LEFT");
        if (job !== null) {
            return [queue, job];
        }
    }
    const job = await redis.blmove(queues[0], processingList(queues[0]), "RIGHT", "LEFT", takeTimeoutSeconds);
    return job === null ? null : [queues[0], job];
}

/** The queues starting from the turn's own, so that each loop serves every queue in turn. */
function rotate(queues: string[], turn: number): string[] {
    const start = turn % queues.length;
    return [...queues.slice(start), ...queues.slice(0, start)];
}

/** The sample job: JSON with an optional `ms` of simulated work and an optional `fail`. */
async function runJob(queue: string, job: string): Promise<void> {
    const started = performance.now();
    try {
        const payload = JSON.parse(job) as { ms?: number; fail?: boolean; id?: string };
        await sleep(Math.min(Math.max(Number(payload.ms) || 0, 0), maxJobMs));
        if (payload.fail) {
            throw new Error("the job asked to fail");
        }
        jobsProcessed.inc({ queue, outcome: "done" });
        lastJobDone.setToCurrentTime({ queue });
        log.info("job done", { queue, id: payload.id, durationMs: Math.round(performance.now() - started) });
    } catch (error) {
        jobsProcessed.inc({ queue, outcome: "failed" });
        log.error("job failed", { queue, error: errorText(error) });
    }
}

function touch(file: string): void {
    const now = new Date();
    try {
        fs.utimesSync(file, now, now);
    } catch {
        fs.writeFileSync(file, now.toISOString());
    }
}

function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}
