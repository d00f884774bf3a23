import * as fs from "node:fs";
import * as http from "node:http";
import { redisClient, untilConnected } from "./dependencies";
import { errorText } from "./log";
import type { Settings } from "./settings";

// The exec probes of a worker and the image's HEALTHCHECK. Each returns the process exit code.

/** Readiness of a worker: its queue broker answers a PING. */
export async function pingBroker(settings: Settings): Promise<number> {
    if (!settings.redisUrl) {
        process.stderr.write("REDIS_URL is not set\n");
        return 1;
    }
    const redis = redisClient(settings.redisUrl, settings.checkTimeoutMs);
    try {
        const timeout = new Promise<never>((_, reject) =>
            setTimeout(() => reject(new Error(`no answer within ${settings.checkTimeoutMs} ms`)), settings.checkTimeoutMs).unref(),
        );
        await Promise.race([untilConnected(redis), timeout]);
        await Promise.race([redis.ping(), timeout]);
        return 0;
    } catch (error) {
        process.stderr.write(`broker unavailable: ${errorText(error)}\n`);
        return 1;
    } finally {
        redis.disconnect();
    }
}

/** Liveness of a worker: its loop touched the heartbeat file recently. Checks no dependency. */
export function heartbeatFresh(settings: Settings): number {
    try {
        const ageSeconds = (Date.now() - fs.statSync(settings.heartbeatFile).mtimeMs) / 1000;
        if (ageSeconds > settings.heartbeatMaxAgeSeconds) {
            process.stderr.write(`heartbeat ${settings.heartbeatFile} is ${Math.round(ageSeconds)} s old (limit ${settings.heartbeatMaxAgeSeconds} s)\n`);
            return 1;
        }
        return 0;
    } catch (error) {
        process.stderr.write(`no heartbeat: ${errorText(error)}\n`);
        return 1;
    }
}

/**
 * The image's HEALTHCHECK, for runtimes that use it (Kubernetes uses its own probes): a worker's
 * heartbeat where a worker writes one, else the api's liveness endpoint.
 */
export async function healthcheck(settings: Settings): Promise<number> {
    if (fs.existsSync(settings.heartbeatFile)) {
        return heartbeatFresh(settings);
    }
    return new Promise((resolve) => {
        const request = http.get({ host: "127.0.0.1", port: settings.port, path: "/api/v1/health/live", timeout: settings.checkTimeoutMs }, (response) => {
            response.resume();
            resolve(response.statusCode === 200 ? 0 : 1);
        });
        request.on("timeout", () => request.destroy(new Error("timeout")));
        request.on("error", () => resolve(1));
    });
}
