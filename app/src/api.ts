import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { Dependencies, overallStatus, type CheckResult } from "./dependencies";
import { errorText, log } from "./log";
import { dependencyUp, httpDuration, httpRequests, registry } from "./metrics";
import type { Settings } from "./settings";

const healthPrefix = "/api/v1/health";
/** The longest simulated request: enough to show a drain, too short to hold a pod. */
const maxWorkMs = 10000;

interface Reply {
    status: number;
    body: unknown;
    contentType?: string;
}

export async function runApi(settings: Settings): Promise<void> {
    const dependencies = new Dependencies(settings);
    let started = false;
    let draining = false;

    const checkAll = async (): Promise<Record<string, CheckResult>> => {
        const results = await dependencies.check();
        for (const [name, result] of Object.entries(results)) {
            dependencyUp.set({ dependency: name }, result.status === "unhealthy" ? 0 : 1);
        }
        return results;
    };

    const routes: Partial<Record<string, (request: http.IncomingMessage, url: URL) => Promise<Reply>>> = {
        [`GET ${healthPrefix}/startup`]: async () => (started ? { status: 200, body: { status: "started" } } : { status: 503, body: { status: "starting" } }),
        // Liveness asks only whether this process answers: a dependency outage must not restart it.
        [`GET ${healthPrefix}/live`]: async () => ({ status: 200, body: { status: "alive" } }),
        [`GET ${healthPrefix}/ready`]: async () => {
            if (draining) {
                return { status: 503, body: { status: "draining" } };
            }
            const checks = await checkAll();
            const down = Object.entries(checks)
                .filter(([, result]) => result.critical && result.status === "unhealthy")
                .map(([name]) => name);
            return down.length > 0 ? { status: 503, body: { status: "unready", down } } : { status: 200, body: { status: "ready" } };
        },
        [`GET ${healthPrefix}/`]: async () => {
            const checks = await checkAll();
            const status = overallStatus(checks);
            return { status: status === "unhealthy" ? 503 : 200, body: { status, checks } };
        },
        "GET /metrics": async () => ({ status: 200, body: await registry.metrics(), contentType: registry.contentType }),
        "GET /api/v1/": async () => ({ status: 200, body: { name: settings.appName, environment: settings.environment, dependencies: dependencies.names } }),
        // Simulated work of a given length: what a real handler does while the pod drains.
        "GET /api/v1/work": async (_, url) => {
            const ms = Math.min(Math.max(Number(url.searchParams.get("ms")) || 0, 0), maxWorkMs);
            await new Promise((resolve) => setTimeout(resolve, ms));
            return { status: 200, body: { workedMs: ms } };
        },
        // Puts a job on a worker's queue: the JSON body as it came.
        "POST /api/v1/jobs": async (request, url) => {
            const queue = url.searchParams.get("queue") ?? settings.workerQueues[0];
            if (!dependencies.redis) {
                return { status: 503, body: { error: "no queue broker configured (REDIS_URL)" } };
            }
            const payload = (await readBody(request)) || "{}";
            try {
                JSON.parse(payload);
            } catch {
                return { status: 400, body: { error: "the body must be JSON" } };
            }
            const length = await dependencies.redis.lpush(queue, payload);
            return { status: 202, body: { queue, length } };
        },
    };

    const server = http.createServer((request, response) => {
        const url = new URL(request.url ?? "/", "http://localhost");
        const pathname = url.pathname === healthPrefix ? `${healthPrefix}/` : url.pathname;
        const route = `${request.method} ${pathname}`;
        const handler = routes[route];
        const label = handler ? pathname : "unmatched";
        const stopTimer = httpDuration.startTimer({ method: request.method, route: label });
        const answer = handler ? handler(request, url) : Promise.resolve<Reply>({ status: 404, body: { error: "not found" } });
        answer
            .catch((error: unknown): Reply => {
                log.error("request failed", { route, error: errorText(error) });
                return { status: 500, body: { error: "internal error" } };
            })
            .then((reply) => {
                const text = typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body);
                response.writeHead(reply.status, { "content-type": reply.contentType ?? "application/json" });
                response.end(text);
                httpRequests.inc({ method: request.method, route: label, status: String(reply.status) });
                stopTimer();
                if (!pathname.startsWith(healthPrefix) && pathname !== "/metrics") {
                    log.info("request", { method: request.method, path: pathname, status: reply.status });
                }
            });
    });

    await new Promise<void>((resolve) => server.listen(settings.port, resolve));
    started = true;
    log.info("listening", { port: (server.address() as AddressInfo).port, dependencies: dependencies.names });

    await new Promise<void>((resolve) => process.once("SIGTERM", () => resolve()));
    draining = true;
    log.info("draining: no new connections, finishing requests in flight");
    const deadline = setTimeout(() => {
        log.error("requests still in flight at the shutdown deadline", { timeoutMs: settings.shutdownTimeoutMs });
        process.exit(1);
    }, settings.shutdownTimeoutMs);
    deadline.unref();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // Keep-alive connections would hold close() open: those without a request in flight go now.
    server.closeIdleConnections();
    await closed;
    await dependencies.close();
    log.info("stopped");
}

async function readBody(request: http.IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) {
        chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks).toString("utf8");
}
