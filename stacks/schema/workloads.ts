import { z } from "zod";
import { dataStoreKinds } from "../../components/data/connection";
import { imageRef } from "./image";
import { command, dnsLabel, envVarName, nonNegativeInt, percent, port, positiveInt, resources } from "./values";

// The long-running workloads: the HTTP API, the workers and the frontend.

export const storeNames = dataStoreKinds;
export const storeUses = z
    .array(z.enum(storeNames))
    .refine((list) => new Set(list).size === list.length, { message: "each store once" })
    .optional()
    .describe("data stores it connects to (default: every store the stack provides); only these get their variables and egress");

const scalingPolicy = z.strictObject({
    percent: percent.describe("change by at most this share of the current replicas per period"),
    pods: positiveInt.describe("or by at most this many pods per period, whichever is larger"),
    periodSeconds: positiveInt.max(1800, "at most 1800").describe("length of one period"),
    stabilizationWindowSeconds: nonNegativeInt.max(3600, "at most 3600").describe("how long a lower recommendation must hold before acting on it"),
});

const autoscaling = z
    .strictObject({
        enabled: z.boolean().describe("create a HorizontalPodAutoscaler"),
        minReplicas: positiveInt.describe("fewest replicas"),
        maxReplicas: positiveInt.describe("most replicas"),
        cpuUtilization: percent.describe("target average CPU use, as a share of requests"),
        memoryUtilization: percent.describe("target average memory use, as a share of requests"),
        scaleUp: scalingPolicy.describe("how fast to add pods"),
        scaleDown: scalingPolicy.describe("how fast to remove pods"),
    })
    .superRefine((value, ctx) => {
        if (value.minReplicas > value.maxReplicas) {
            ctx.addIssue({
                code: "custom",
                path: ["minReplicas"],
                input: value.minReplicas,
                message: `at most maxReplicas (${value.maxReplicas})`,
            });
        }
    });

export const httpProbe = z.strictObject({
    path: z
        .string()
        .regex(/^\/\S*$/, "an absolute URL path such as /api/v1/health/live")
        .describe("HTTP path probed"),
    periodSeconds: positiveInt.describe("seconds between probes"),
    timeoutSeconds: positiveInt.describe("seconds before a probe counts as failed"),
    failureThreshold: positiveInt.describe("consecutive failures before acting"),
});

const execProbe = z.strictObject({
    command: command.describe("command whose exit status 0 means healthy (e.g. a queue ping)"),
    periodSeconds: positiveInt.describe("seconds between probes"),
    timeoutSeconds: positiveInt.describe("seconds before a probe counts as failed"),
    failureThreshold: positiveInt.describe("consecutive failures before acting"),
});

const lifecycle = {
    replicas: positiveInt.describe("replicas when autoscaling is off"),
    resources: resources.describe("requests and limits per pod"),
    autoscaling: autoscaling.describe("HorizontalPodAutoscaler settings"),
    preStopSeconds: nonNegativeInt.max(300, "at most 300").describe("pause before SIGTERM so load balancers stop sending traffic"),
    terminationGracePeriodSeconds: positiveInt.max(86400, "at most 86400").describe("time a pod gets to finish its work after SIGTERM"),
    env: z.record(envVarName, z.string()).describe("extra plain environment variables of this workload"),
};

function checkShutdownFitsGrace(value: { preStopSeconds: number; terminationGracePeriodSeconds: number }, ctx: z.RefinementCtx) {
    if (value.preStopSeconds >= value.terminationGracePeriodSeconds) {
        ctx.addIssue({
            code: "custom",
            path: ["preStopSeconds"],
            input: value.preStopSeconds,
            message: `less than terminationGracePeriodSeconds (${value.terminationGracePeriodSeconds}), or the process is killed before it can stop cleanly`,
        });
    }
}

export const api = z
    .strictObject({
        port: port.describe("port the API listens on"),
        command: command.optional().describe("container command (default: the image's entrypoint)"),
        args: z.array(z.string()).optional().describe("container arguments"),
        uses: storeUses,
        probes: z
            .strictObject({
                startup: httpProbe.describe("startup probe: the pod gets periodSeconds x failureThreshold to start"),
                liveness: httpProbe.describe("liveness probe: restarts a hung process; checks no dependency"),
                readiness: httpProbe.describe("readiness probe: takes the pod out of the Service while a dependency is down"),
            })
            .describe("HTTP probes"),
        ...lifecycle,
    })
    .superRefine(checkShutdownFitsGrace);

export const worker = z
    .strictObject({
        name: dnsLabel.describe("worker name; its Deployment is NAME-worker-WORKER (NAME: the app name)"),
        command: command.describe("container command that starts the queue consumer"),
        concurrency: positiveInt.describe("tasks one pod runs at once (WORKER_CONCURRENCY)"),
        queues: z.array(z.string().min(1)).min(1, "at least one queue").describe("queues consumed (WORKER_QUEUES, comma-separated)"),
        probe: execProbe.describe("readiness command, e.g. a queue ping: a worker that cannot reach its broker takes no work"),
        liveness: execProbe.describe("liveness (and startup) command: checks the process itself and no dependency, so a broker outage restarts nothing"),
        uses: storeUses,
        ...lifecycle,
    })
    .superRefine(checkShutdownFitsGrace);

export const frontend = z
    .strictObject({
        enabled: z.boolean().describe("deploy the frontend"),
        image: imageRef.optional().describe("frontend image (static files behind a web server)"),
        port: port.describe("port the frontend listens on"),
        metrics: z
            .strictObject({
                port: port.describe("its port (the frontend's own port, or one of its own)"),
                path: z
                    .string()
                    .regex(/^\/\S*$/, "an absolute URL path such as /metrics")
                    .describe("its HTTP path"),
            })
            .optional()
            .describe("where the frontend's image serves Prometheus metrics, if it does (absent: it serves none)"),
        probes: z
            .strictObject({
                startup: httpProbe.describe("startup probe"),
                liveness: httpProbe.describe("liveness probe"),
                readiness: httpProbe.describe("readiness probe"),
            })
            .describe("HTTP probes"),
        ...lifecycle,
    })
    .superRefine(checkShutdownFitsGrace)
    .superRefine((value, ctx) => {
        if (value.enabled && value.image === undefined) {
            ctx.addIssue({ code: "custom", path: ["image"], input: undefined, message: "an image when the frontend is enabled" });
        }
    });
