import * as http from "node:http";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

// Prometheus metrics of this process: the runtime's defaults plus what the api and workers do.

export const registry = new Registry();
collectDefaultMetrics({ register: registry });

export const httpRequests = new Counter({
    name: "http_requests_total",
    help: "HTTP requests answered, by method, route and status code",
    labelNames: ["method", "route", "status"] as const,
    registers: [registry],
});

export const httpDuration = new Histogram({
    name: "http_request_duration_seconds",
    help: "Time to answer an HTTP request, by method and route",
    labelNames: ["method", "route"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
});

export const dependencyUp = new Gauge({
    name: "dependency_up",
    help: "Whether a dependency answered its last check (1) or not (0)",
    labelNames: ["dependency"] as const,
    registers: [registry],
});

export const jobsProcessed = new Counter({
    name: "worker_jobs_total",
    help: "Jobs a worker finished, by queue and outcome",
    labelNames: ["queue", "outcome"] as const,
    registers: [registry],
});

export const lastJobDone = new Gauge({
    name: "worker_last_job_timestamp_seconds",
    help: "When a worker last finished a job successfully, by queue (Unix time)",
    labelNames: ["queue"] as const,
    registers: [registry],
});

/** Jobs waiting in each queue, read from the broker at every scrape. */
export function queueDepth(read: (queue: string) => Promise<number>, queues: string[]): Gauge<"queue"> {
    return new Gauge({
        name: "worker_queue_depth",
        help: "Jobs waiting in a queue, as the broker counts them at the scrape",
        labelNames: ["queue"] as const,
        registers: [registry],
        async collect() {
            for (const queue of queues) {
                this.set({ queue }, await read(queue));
            }
        },
    });
}

/** A process without an HTTP API of its own (a worker) serves its metrics on a port of their own. */
export function serveMetrics(port: number): http.Server {
    return http
        .createServer((request, response) => {
            if (request.method !== "GET" || request.url !== "/metrics") {
                response.writeHead(404).end();
                return;
            }
            registry.metrics().then(
                (body) => response.writeHead(200, { "content-type": registry.contentType }).end(body),
                () => response.writeHead(500).end(),
            );
        })
        .listen(port);
}
