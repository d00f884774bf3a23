import { z } from "zod";
import { appNames, bundledStoreNames, cronJobNames, storeComponents, workerNames, type BundledStore, type ComposedName } from "../components/names";
import { connectionVariables, dataStoreKinds } from "../components/data/connection";
import { parseQuantity } from "./quantity";
import { closest } from "./spelling";
import { isIpv4Range, rangesOverlap } from "../components/targets/cidr";

// A program parses its configuration once. Zod's default compiles a fast path for each object
// schema at its first parse, which costs more than it saves on one parse: about 20 ms of every
// program start.
z.config({ jitless: true });

// The one schema of a stack's configuration (the `appstack:` namespace of Pulumi.<stack>.yaml).
// Every object is strict so that a misspelt key is an error, not a silently ignored setting.
// Each `.describe()` text is the key's documentation: the README's config table is generated
// from it and a test keeps the two in step.

const dnsLabel = z
    .string()
    .max(63, "at most 63 characters")
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "a DNS label: lower-case letters, digits and '-', starting and ending with a letter or digit");

/** A DNS-1035 label, as Service names must be: the app name starts every Service's name. */
const appName = dnsLabel.regex(/^[a-z]/, "starting with a letter (Service names are built from it)");

/**
 * Keys whose every value must be a secret in the stack file (`pulumi config set --secret`), with
 * what to pass in the command that sets one. Mark a credential with `secretValue(...)`: the loader
 * checks each value under a marked key as the stack file writes it.
 */
export const secretValues = z.registry<{ example: string }>();

function secretValue<T extends z.ZodType>(schema: T, example = "VALUE"): T {
    secretValues.add(schema, { example });
    return schema;
}

const envVarName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "an environment variable name: letters, digits and '_', not starting with a digit");

const port = z.number().int("a whole number").min(1, "a port from 1 to 65535").max(65535, "a port from 1 to 65535");

const positiveInt = z.number().int("a whole number").min(1, "at least 1");
const nonNegativeInt = z.number().int("a whole number").min(0, "at least 0");
const percent = z.number().int("a whole number").min(1, "a percentage from 1 to 100").max(100, "a percentage from 1 to 100");

function quantity(unit: "cpu" | "memory") {
    const example = unit === "cpu" ? `"250m" or "1"` : `"256Mi" or "1Gi"`;
    return z.string().refine((text) => (parseQuantity(text) ?? 0) > 0, {
        message: `a positive Kubernetes quantity such as ${example}`,
    });
}

const storeNames = dataStoreKinds;
const storeUses = z
    .array(z.enum(storeNames))
    .refine((list) => new Set(list).size === list.length, { message: "each store once" })
    .optional()
    .describe("data stores it connects to (default: every store the stack provides); only these get their variables and egress");

const command = z.array(z.string().min(1, "not empty")).min(1, "at least one element");

/**
 * Two entries with one name would build two objects with one Kubernetes name. Checked even when
 * an entry has other problems (`when`), so that every problem is reported at once.
 */
function uniqueNames<T extends { name: string }>(list: z.ZodArray<z.ZodType<T>>, listKey: string) {
    return list.superRefine(
        (entries, ctx) => {
            const firstIndex = new Map<unknown, number>();
            entries.forEach((entry, index) => {
                const name = (entry as { name?: unknown } | null)?.name;
                const first = firstIndex.get(name);
                if (typeof name !== "string") {
                    return;
                } else if (first === undefined) {
                    firstIndex.set(name, index);
                } else {
                    ctx.addIssue({ code: "custom", path: [index, "name"], input: name, message: `a name not already used by ${listKey}[${first}]` });
                }
            });
        },
        { when: (payload) => Array.isArray(payload.value) },
    );
}

const resources = z
    .strictObject({
        requests: z
            .strictObject({
                cpu: quantity("cpu").describe("CPU the scheduler reserves for each pod"),
                memory: quantity("memory").describe("memory the scheduler reserves for each pod"),
                ephemeralStorage: quantity("memory").optional().describe("local disk (logs, /tmp) the scheduler reserves for each pod"),
            })
            .describe("reserved resources per pod"),
        limits: z
            .strictObject({
                cpu: quantity("cpu").optional().describe("CPU ceiling per pod (omit to allow bursting)"),
                memory: quantity("memory").describe("memory ceiling per pod; the container is killed above it"),
                ephemeralStorage: quantity("memory").optional().describe("local disk ceiling per pod; the pod is evicted above it"),
            })
            .describe("resource ceilings per pod"),
    })
    .superRefine((value, ctx) => {
        for (const kind of ["cpu", "memory", "ephemeralStorage"] as const) {
            const requestText = value.requests[kind];
            const request = requestText === undefined ? undefined : parseQuantity(requestText);
            const limitText = value.limits[kind];
            const limit = limitText === undefined ? undefined : parseQuantity(limitText);
            if (request !== undefined && limit !== undefined && request > limit) {
                ctx.addIssue({
                    code: "custom",
                    path: ["limits", kind],
                    input: limitText,
                    message: `at least requests.${kind} (${value.requests[kind]})`,
                });
            }
        }
    });

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

const httpProbe = z.strictObject({
    path: z.string().regex(/^\/\S*$/, "an absolute URL path such as /api/v1/health/live").describe("HTTP path probed"),
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

const api = z
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

const worker = z
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

const imageRepository = z
    .string()
    .regex(/^[a-z0-9]+([._-][a-z0-9]+)*(:\d+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/, "an image repository such as ghcr.io/acme/app")
    .describe("image repository");
const imageTag = z
    .string()
    .regex(/^[\w][\w.-]{0,127}$/, "an image tag")
    .refine((tag) => tag !== "latest", { message: `a fixed tag (a release or commit SHA), not "latest"` });
const imageDigest = z.string().regex(/^sha256:[a-f0-9]{64}$/, "sha256:<64 hex digits>");

/** A given image: pinned by tag or digest. */
const imageRef = z
    .strictObject({
        repository: imageRepository,
        tag: imageTag.optional().describe("image tag, e.g. the commit SHA (a digest wins when both are given)"),
        digest: imageDigest.optional().describe("image digest"),
    })
    .superRefine((value, ctx) => {
        if (value.tag === undefined && value.digest === undefined) {
            ctx.addIssue({ code: "custom", path: ["tag"], input: undefined, message: "a tag or a digest: images are pinned" });
        }
    });

/**
 * Target kinds whose cluster comes with a registry that built images are pushed to with
 * credentials it issues. AKS's registry issues none without its admin user: a build there is
 * pushed with the principal's credentials given in image.registry.
 */
export const targetKindsWithRegistry: ReadonlySet<string> = new Set(["eks", "gke"]);

const platform = z.string().regex(/^[a-z0-9]+\/[a-z0-9]+(\/v[0-9]+)?$/, `an OS/architecture such as "linux/amd64" or "linux/arm64"`);

const imageBuild = z
    .strictObject({
        context: z.string().min(1).default("app").describe(`build context, a directory relative to the project (the sample service in app/ by default)`),
        dockerfile: z.string().min(1).default("Dockerfile").describe(`Dockerfile, relative to the context`),
        target: z.string().min(1).optional().describe("stage of the Dockerfile to build (default: the last)"),
        args: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "a build argument name"), z.string()).default({}).describe("build arguments (--build-arg); not for secrets: they stay in the image's history"),
        platforms: z.array(platform).min(1, "at least one platform").default(["linux/amd64"]).describe(`platforms to build for; more than one pushes a multi-platform index`),
        cache: z.boolean().default(true).describe("reuse and update a build cache in the registry, at the repository's tag buildcache"),
    })
    .describe("build the image from source and push it; workloads then run it pinned by the pushed digest");

const imageRegistry = z
    .strictObject({
        server: z.string().regex(/^[a-z0-9]+([.-][a-z0-9]+)*(:\d+)?$/, "a registry host such as registry.example.com").describe("registry host, as docker login names it"),
        username: z.string().min(1).describe("user to push as"),
        password: secretValue(z.string().min(1)).describe("password or token to push with (secret)"),
        pullBy: z
            .enum(["secret", "nodes"])
            .default("secret")
            .describe(`how pods pull the image: "secret" (an image pull secret in the namespace) or "nodes" (the nodes' own identity, e.g. AKS's kubelet with AcrPull)`),
        pullUsername: z.string().min(1).optional().describe("(pullBy secret) a read-only user to pull as (default: the push credentials)"),
        pullPassword: secretValue(z.string().min(1)).optional().describe("(pullBy secret) its password or token (secret)"),
    })
    .superRefine((value, ctx) => {
        if ((value.pullUsername === undefined) !== (value.pullPassword === undefined)) {
            ctx.addIssue({ code: "custom", path: [value.pullUsername === undefined ? "pullUsername" : "pullPassword"], input: undefined, message: "pullUsername and pullPassword together" });
        }
        if (value.pullBy === "nodes" && value.pullUsername !== undefined) {
            ctx.addIssue({ code: "custom", path: ["pullUsername"], input: value.pullUsername, message: `no pull credentials when pullBy is "nodes"` });
        }
    })
    .describe("a registry of your own to push built images to (the cloud targets bring theirs)");

/** The application image: given (repository with tag or digest), or built and pushed by the program. */
const appImage = z
    .strictObject({
        repository: imageRepository.optional(),
        tag: imageTag
            .optional()
            .describe("image tag, e.g. the commit SHA; with a build, the tag pushed beside the digest (default: the stack name)"),
        digest: imageDigest.optional().describe("image digest of a given image (a built image is pinned by the digest its push returns)"),
        build: imageBuild.optional(),
        registry: imageRegistry.optional(),
    })
    .superRefine((value, ctx) => {
        if (value.build === undefined) {
            if (value.repository === undefined) {
                ctx.addIssue({ code: "custom", path: ["repository"], input: undefined, message: "the repository of the image, or a build" });
            }
            if (value.tag === undefined && value.digest === undefined) {
                ctx.addIssue({ code: "custom", path: ["tag"], input: undefined, message: "a tag or a digest: images are pinned" });
            }
            if (value.registry !== undefined) {
                ctx.addIssue({ code: "custom", path: ["registry"], input: "(registry)", message: "a registry only with a build, which pushes to it" });
            }
            return;
        }
        if (value.digest !== undefined) {
            ctx.addIssue({ code: "custom", path: ["digest"], input: value.digest, message: "no digest with a build: the image is pinned by the digest its push returns" });
        }
        if (value.registry !== undefined) {
            if (value.repository === undefined) {
                ctx.addIssue({ code: "custom", path: ["repository"], input: undefined, message: `the repository to push to, under the registry ("${value.registry.server}/team/app")` });
            } else if (!value.repository.startsWith(`${value.registry.server}/`)) {
                ctx.addIssue({ code: "custom", path: ["repository"], input: value.repository, message: `a repository under the registry's server "${value.registry.server}/"` });
            }
        }
    });

const frontend = z
    .strictObject({
        enabled: z.boolean().describe("deploy the frontend"),
        image: imageRef.optional().describe("frontend image (static files behind a web server)"),
        port: port.describe("port the frontend listens on"),
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

const migrations = z.strictObject({
    enabled: z.boolean().describe("run database migrations as a Job before the api rolls out"),
    command: command.describe("migration command, run with the api image"),
    uses: storeUses.describe("data stores it connects to (default: postgres)"),
    backoffLimit: nonNegativeInt.max(10, "at most 10").describe("retries before the Job fails"),
    activeDeadlineSeconds: positiveInt.describe("longest a migration may run"),
    resources: resources.describe("requests and limits of the migration pod"),
});

const cronSchedule = z
    .string()
    .regex(
        /^(@(yearly|annually|monthly|weekly|daily|midnight|hourly)|(\S+\s+){4}\S+)$/,
        `a cron schedule of five fields ("*/15 * * * *") or a macro such as @hourly`,
    )
    .refine((text) => text.startsWith("@") || text.trim().split(/\s+/).every((field) => /^[\d*/,\-A-Za-z?]+$/.test(field)), {
        message: "cron fields of digits, names and * / , -",
    });

// Node's list of zones (Intl.supportedValuesOf) holds ICU's canonical names: it leaves out UTC
// itself and names some zones by their older IANA names (Asia/Calcutta, not Asia/Kolkata). Intl
// resolves each listed zone to itself and an alias to its listed zone, which answers without
// building the list (about 20 ms); the list is built only to suggest a zone for a misspelt one.
let knownTimeZones: Set<string> | undefined;

function timeZones(): Set<string> {
    knownTimeZones ??= new Set([...Intl.supportedValuesOf("timeZone"), "UTC", "Etc/UTC"]);
    return knownTimeZones;
}

/**
 * A listed zone, or an alias of one spelt as IANA spells it (each part capitalised): the CronJob
 * controller looks names up case by case, and takes no offsets such as "+01:00".
 */
function isTimeZone(zone: string): boolean {
    if (!/^[A-Z][A-Za-z0-9_+-]*(\/[A-Z][A-Za-z0-9_+-]*)*$/.test(zone)) {
        return false;
    }
    try {
        const resolved = new Intl.DateTimeFormat("en-US", { timeZone: zone }).resolvedOptions().timeZone;
        return resolved === zone || resolved.toLowerCase() !== zone.toLowerCase();
    } catch {
        return false;
    }
}

const timeZone = z.string().superRefine((zone, ctx) => {
    if (!isTimeZone(zone)) {
        const suggestion = closest(zone, timeZones());
        ctx.addIssue({ code: "custom", input: zone, message: `an IANA time zone such as "Europe/Berlin" or "Etc/UTC"${suggestion ? ` (did you mean "${suggestion}"?)` : ""}` });
    }
});

const cronJob = z.strictObject({
    name: dnsLabel.describe("job name; its CronJob is NAME-cron-JOB (NAME: the app name), at most 52 characters"),
    schedule: cronSchedule.describe("when it runs, in cron syntax"),
    timeZone: timeZone.optional().describe("IANA time zone of the schedule (default: the controller's, usually UTC)"),
    command: command.describe("command run with the api image"),
    uses: storeUses,
    activeDeadlineSeconds: positiveInt.describe("longest one run may take"),
    startingDeadlineSeconds: positiveInt.describe("a run that could not start within this is skipped"),
    successfulJobsHistoryLimit: nonNegativeInt.max(10, "at most 10").describe("finished Jobs kept"),
    failedJobsHistoryLimit: nonNegativeInt.max(10, "at most 10").describe("failed Jobs kept"),
    backoffLimit: nonNegativeInt.max(10, "at most 10").describe("retries of one run"),
});

const ingress = z
    .strictObject({
        enabled: z.boolean().describe("expose the api (and frontend) through an Ingress"),
        className: dnsLabel.describe("IngressClass (existing and local targets; a cloud target names its own controller)"),
        host: z
            .string()
            .regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,63}$/, "a fully qualified host name such as app.example.com")
            .optional()
            .describe("public host name"),
        controllerNamespace: dnsLabel.describe("namespace of the ingress controller, allowed to reach the api and frontend (existing and local targets)"),
        tls: z
            .discriminatedUnion("mode", [
                z.strictObject({ mode: z.literal("cert-manager"), clusterIssuer: dnsLabel.describe("cert-manager ClusterIssuer") }),
                z.strictObject({ mode: z.literal("secret"), secretName: dnsLabel.describe("existing TLS Secret in the namespace") }),
                z.strictObject({ mode: z.literal("none") }),
            ])
            .describe(`TLS: mode "cert-manager" (with clusterIssuer), "secret" (with secretName) or "none"`),
    })
    .superRefine((value, ctx) => {
        if (value.enabled && value.host === undefined) {
            ctx.addIssue({ code: "custom", path: ["host"], input: undefined, message: "a host name when the ingress is enabled" });
        }
    });

const ipv4Range = z.string().refine(isIpv4Range, "an IPv4 range with its host bits zero, such as 10.0.0.0/16");

/** Who may reach a cloud cluster's API server from the internet; absent: nobody (the private endpoint only). */
const publicEndpoint = z
    .strictObject({ cidrs: z.array(ipv4Range).min(1, "at least one range").describe("address ranges allowed to reach the API server from the internet (0.0.0.0/0 refused in prod)") })
    .optional()
    .describe("open the API server to the internet, from these ranges only; absent: reachable from the cluster's network only");

const registry = z
    .strictObject({ keepImages: positiveInt.describe("how many images the repository keeps; older ones, and untagged ones after a week, expire") })
    .default({ keepImages: 30 })
    .describe("the container registry created beside the cluster");

/** Min, desired and max of an autoscaled group, in order. */
function checkScaling(group: { minSize: number; maxSize: number; desiredSize?: number }, ctx: z.RefinementCtx): void {
    if (group.minSize > group.maxSize) {
        ctx.addIssue({ code: "custom", path: ["minSize"], input: group.minSize, message: `at most maxSize (${group.maxSize})` });
    }
    if (group.desiredSize !== undefined && (group.desiredSize < group.minSize || group.desiredSize > group.maxSize)) {
        ctx.addIssue({ code: "custom", path: ["desiredSize"], input: group.desiredSize, message: `from minSize (${group.minSize}) to maxSize (${group.maxSize})` });
    }
}

const eksNodeGroup = z
    .strictObject({
        name: dnsLabel.describe("node group name"),
        instanceTypes: z.array(z.string().regex(/^[a-z0-9]+\.[a-z0-9]+$/, "an EC2 instance type such as m7i.large")).min(1).describe("EC2 instance types, the first preferred"),
        minSize: nonNegativeInt.describe("fewest nodes"),
        maxSize: positiveInt.describe("most nodes"),
        desiredSize: nonNegativeInt.describe("nodes at creation; the cluster autoscaler owns it afterwards"),
        capacityType: z.enum(["ON_DEMAND", "SPOT"]).default("ON_DEMAND").describe(`"ON_DEMAND" or "SPOT"`),
        diskSizeGb: positiveInt.default(50).describe("encrypted gp3 root volume of each node, in GiB"),
    })
    .superRefine(checkScaling);

const awsRegion = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "an AWS region such as eu-west-1");

const eksTarget = z
    .strictObject({
        kind: z.literal("eks"),
        region: awsRegion.describe("AWS region of the cluster"),
        zones: z
            .array(z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d[a-z]$/, "an availability zone such as eu-west-1a"))
            .min(2, "at least two zones")
            .max(3, "at most three zones")
            .describe("availability zones of the region, a private and a public subnet in each"),
        vpcCidr: ipv4Range
            .refine((range) => Number(range.split("/")[1]) >= 16 && Number(range.split("/")[1]) <= 20, "a /16 to /20 range")
            .default("10.0.0.0/16")
            .describe("address range of the VPC: an eighth per zone for nodes and pods, small public ranges at its end"),
        kubernetesVersion: z.string().regex(/^1\.\d+$/, "a minor version such as 1.33").default("1.33").describe("Kubernetes version of the control plane and nodes"),
        natGateways: z.enum(["one", "perZone"]).optional().describe(`NAT gateways: "one" for the VPC or "perZone" (default: perZone in prod, one in dev)`),
        publicEndpoint,
        admins: z
            .array(z.string().regex(/^arn:aws[a-z-]*:(iam|sts)::\d{12}:(role|user|assumed-role)\/.+$/, "an IAM role or user ARN"))
            .default([])
            .describe("IAM principals given cluster-admin through access entries (the deployer has it from creating the cluster)"),
        autoMode: z.boolean().default(false).describe("EKS Auto Mode: AWS runs nodes, storage and load balancing; no node groups"),
        nodeGroups: uniqueNames(z.array(eksNodeGroup), "nodeGroups").default([]).describe("managed node groups (not with autoMode)"),
        registry,
    })
    .superRefine((value, ctx) => {
        if (value.autoMode === (value.nodeGroups.length > 0)) {
            ctx.addIssue({ code: "custom", path: ["nodeGroups"], input: value.nodeGroups, message: value.autoMode ? "none with autoMode: Auto Mode runs its own nodes" : "at least one node group, or autoMode: true" });
        }
        value.zones.forEach((zone, index) => {
            if (!zone.startsWith(value.region)) {
                ctx.addIssue({ code: "custom", path: ["zones", index], input: zone, message: `a zone of ${value.region}` });
            }
        });
        if (new Set(value.zones).size !== value.zones.length) {
            ctx.addIssue({ code: "custom", path: ["zones"], input: value.zones, message: "each zone once" });
        }
    });

const gkeNodePool = z
    .strictObject({
        name: dnsLabel.describe("node pool name"),
        machineType: z.string().regex(/^[a-z0-9]+-[a-z0-9-]+$/, "a machine type such as e2-standard-4").describe("Compute Engine machine type"),
        minSize: nonNegativeInt.describe("fewest nodes per zone"),
        maxSize: positiveInt.describe("most nodes per zone"),
        spot: z.boolean().default(false).describe("Spot VMs: cheaper, reclaimed at short notice"),
        diskSizeGb: positiveInt.default(100).describe("boot disk of each node (pd-balanced), in GB"),
    })
    .superRefine(checkScaling);

const gkeTarget = z
    .strictObject({
        kind: z.literal("gke"),
        project: z.string().regex(/^[a-z][-a-z0-9]{4,28}[a-z0-9]$/, "a Google Cloud project id such as acme-prod").describe("Google Cloud project of the cluster"),
        region: z.string().regex(/^[a-z]+-[a-z]+\d$/, "a region such as europe-west1").describe("region of the (regional) cluster"),
        ranges: z
            .strictObject({
                nodes: ipv4Range.default("10.10.0.0/20").describe("the subnet's range, for nodes"),
                pods: ipv4Range.default("10.20.0.0/14").describe("secondary range for pods"),
                services: ipv4Range.default("10.24.0.0/20").describe("secondary range for Services"),
            })
            .default({ nodes: "10.10.0.0/20", pods: "10.20.0.0/14", services: "10.24.0.0/20" })
            .describe("address ranges of the VPC-native network; none may overlap"),
        releaseChannel: z.enum(["RAPID", "REGULAR", "STABLE"]).default("REGULAR").describe("GKE release channel: upgrades come from it"),
        publicEndpoint,
        autopilot: z.boolean().default(false).describe("GKE Autopilot: Google runs the nodes; no node pools"),
        nodePools: uniqueNames(z.array(gkeNodePool), "nodePools").default([]).describe("node pools, autoscaled (not with autopilot)"),
        registry,
    })
    .superRefine((value, ctx) => {
        if (value.autopilot === (value.nodePools.length > 0)) {
            ctx.addIssue({ code: "custom", path: ["nodePools"], input: value.nodePools, message: value.autopilot ? "none with autopilot: Autopilot runs its own nodes" : "at least one node pool, or autopilot: true" });
        }
        const ranges = Object.entries(value.ranges);
        ranges.forEach(([key, range], index) => {
            const other = ranges.slice(0, index).find(([, earlier]) => rangesOverlap(earlier, range));
            if (other) {
                ctx.addIssue({ code: "custom", path: ["ranges", key], input: range, message: `a range apart from ranges.${other[0]} (${other[1]})` });
            }
        });
    });

const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, "an id such as 00000000-0000-0000-0000-000000000000");

const aksPool = z
    .strictObject({
        name: z.string().regex(/^[a-z][a-z0-9]{0,11}$/, "a pool name: up to 12 lower-case letters and digits, starting with a letter").describe("node pool name"),
        vmSize: z.string().regex(/^Standard_[A-Za-z0-9_]+$/, "a VM size such as Standard_D4ds_v5").describe("VM size of the nodes"),
        minSize: positiveInt.describe("fewest nodes"),
        maxSize: positiveInt.describe("most nodes"),
    })
    .superRefine(checkScaling);

const aksTarget = z
    .strictObject({
        kind: z.literal("aks"),
        location: z.string().regex(/^[a-z]+[a-z0-9]*$/, "an Azure region such as westeurope").describe("Azure region of the cluster"),
        subscriptionId: uuid.optional().describe("subscription to create in (default: the deployer's credentials')"),
        ranges: z
            .strictObject({
                vnet: ipv4Range.default("10.40.0.0/16").describe("the VNet's range"),
                nodes: ipv4Range.default("10.40.0.0/20").describe("the nodes' subnet, inside the VNet"),
                pods: ipv4Range.default("192.168.0.0/16").describe("overlay range of pod addresses, outside the VNet"),
                services: ipv4Range.default("172.16.0.0/16").describe("range of Service addresses, outside the VNet"),
            })
            .default({ vnet: "10.40.0.0/16", nodes: "10.40.0.0/20", pods: "192.168.0.0/16", services: "172.16.0.0/16" })
            .describe("address ranges: the nodes' subnet inside the VNet, pods and Services apart from it and each other"),
        kubernetesVersion: z.string().regex(/^1\.\d+$/, "a minor version such as 1.33").default("1.33").describe("Kubernetes version"),
        upgradeChannel: z.enum(["patch", "stable", "rapid", "node-image"]).default("stable").describe("automatic upgrade channel of the cluster"),
        publicEndpoint,
        adminGroupObjectIds: z.array(uuid).default([]).describe("Entra ID groups given cluster-admin (Azure RBAC)"),
        systemPool: aksPool.default({ name: "system", vmSize: "Standard_D4ds_v5", minSize: 2, maxSize: 3 }).describe("the system node pool, autoscaled"),
        userPools: z.array(aksPool).default([]).describe("node pools for the application, autoscaled (absent: it runs on the system pool)"),
        registry: z
            .strictObject({
                name: z.string().regex(/^[a-z0-9]{5,50}$/, "5 to 50 lower-case letters and digits, unique across Azure").describe("name of the Azure Container Registry (NAME.azurecr.io)"),
                sku: z.enum(["Basic", "Standard", "Premium"]).default("Standard").describe("ACR tier; Premium expires untagged manifests"),
                pushers: z.array(uuid).default([]).describe("object ids of the principals that push builds (given AcrPush); the build uses image.registry's credentials"),
            })
            .describe("the container registry created beside the cluster"),
    })
    .superRefine((value, ctx) => {
        const { vnet, nodes, pods, services } = value.ranges;
        if (!rangesOverlap(vnet, nodes) || Number(nodes.split("/")[1]) < Number(vnet.split("/")[1])) {
            ctx.addIssue({ code: "custom", path: ["ranges", "nodes"], input: nodes, message: `a range inside ranges.vnet (${vnet})` });
        }
        for (const [key, range] of [["pods", pods], ["services", services]] as const) {
            if (rangesOverlap(range, vnet)) {
                ctx.addIssue({ code: "custom", path: ["ranges", key], input: range, message: `a range outside ranges.vnet (${vnet})` });
            }
        }
        if (rangesOverlap(pods, services)) {
            ctx.addIssue({ code: "custom", path: ["ranges", "services"], input: services, message: `a range apart from ranges.pods (${pods})` });
        }
    });

const target = z
    .discriminatedUnion("kind", [
        z
            .strictObject({
                kind: z.literal("existing"),
                kubeconfig: secretValue(z.string().min(1), "< kubeconfig").optional().describe("kubeconfig contents (secret) of an existing cluster"),
                context: z.string().min(1).optional().describe("context to use: in `kubeconfig`, or by name in the ambient kubeconfig when `kubeconfig` is not set"),
                clusterIdentifier: z
                    .string()
                    .min(1)
                    .optional()
                    .describe("a stable name of the cluster: with it, a rotated kubeconfig updates the provider instead of reading as a new cluster (which replaces every object); changing it replaces them"),
            })
            .superRefine((value, ctx) => {
                if (value.kubeconfig === undefined && value.context === undefined) {
                    ctx.addIssue({
                        code: "custom",
                        path: ["kubeconfig"],
                        input: undefined,
                        message: "the cluster's kubeconfig, set as a secret (`pulumi config set --secret --path target.kubeconfig < kubeconfig`), or a named `context`",
                    });
                }
            }),
        z.strictObject({
            kind: z.literal("local"),
            kubeconfigPath: z.string().min(1).describe("kubeconfig of the embedded control plane (scripts/local/cluster.sh), relative to the project"),
        }),
        eksTarget,
        gkeTarget,
        aksTarget,
    ])
    .describe(`Kubernetes target: kind "existing" (kubeconfig or context), "local" (the embedded control plane), or a cluster created on a cloud: "eks", "gke" or "aks"`);

const quota = z.strictObject({
    requestsCpu: quantity("cpu").describe("total CPU requests in the namespace"),
    requestsMemory: quantity("memory").describe("total memory requests in the namespace"),
    limitsMemory: quantity("memory").describe("total memory limits in the namespace"),
    pods: positiveInt.describe("most pods in the namespace"),
});

const limitRange = z.strictObject({
    defaultRequestCpu: quantity("cpu").describe("CPU request of a container that sets none"),
    defaultRequestMemory: quantity("memory").describe("memory request of a container that sets none"),
    defaultLimitMemory: quantity("memory").describe("memory limit of a container that sets none"),
    maxMemory: quantity("memory").describe("largest memory limit of one container"),
});

const cidr = z.string().regex(/^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/, "an IPv4 CIDR such as 10.20.0.0/16");
const cidrs = z.array(cidr).min(1, "at least one range").describe("address ranges of the server; egress is opened to these on its port and to nothing else");
const httpUrl = z.string().regex(/^https?:\/\/[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?(:\d{1,5})?(\/\S*)?$/, "an http:// or https:// URL");
const hostName = z.string().regex(/^[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?$/, "a host name or IP address");

const volume = z.strictObject({
    size: quantity("memory").describe("size of the volume claim"),
    storageClass: dnsLabel.optional().describe("storage class of the claim (default: the target's)"),
});

const bundledStore = z.strictObject({
    image: imageRef.optional().describe("image of the bundled server (default: the official image at a pinned release); set a digest here to pin it in prod"),
    storage: volume.describe("volume of the bundled server"),
    resources: resources.describe("requests and limits of the bundled server"),
});

const managedDatabase = z.strictObject({
    instanceClass: z.string().min(1).optional().describe("instance size in the cloud's terms (db.t4g.medium, db-custom-2-7680, Standard_D2ds_v5); default: a small one per environment"),
    storageGb: positiveInt.describe("allocated storage in GB"),
    highAvailability: z.boolean().describe("a standby in a second zone"),
    backupRetentionDays: positiveInt.max(35, "at most 35").describe("days of automated backups kept"),
});

const postgresStore = z.strictObject({
    mode: z.enum(["bundled", "managed", "external"]).describe(`"bundled" (a StatefulSet), "managed" (the target cloud's service) or "external"`),
    version: z.enum(["17"]).describe("PostgreSQL major version"),
    database: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, "a lower-case SQL identifier").describe("database name"),
    username: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, "a lower-case SQL identifier").describe("user the application connects as"),
    bundled: bundledStore.describe("(mode bundled) the StatefulSet"),
    backups: z
        .strictObject({
            enabled: z.boolean().describe("(mode bundled) dump the database to the object store on a schedule"),
            schedule: cronSchedule.describe("when the dump runs"),
            retentionDays: positiveInt.describe("dumps older than this are deleted"),
        })
        .describe("logical backups with pg_dump"),
    managed: managedDatabase.describe("(mode managed) the cloud's server"),
    external: z
        .strictObject({
            host: hostName.describe("server host name"),
            port: port.describe("server port"),
            password: secretValue(z.string().min(1)).describe("password (secret)"),
            sslMode: z.enum(["disable", "require", "verify-ca", "verify-full"]).describe("libpq sslmode"),
            cidrs,
        })
        .optional()
        .describe("(mode external) the server"),
});

const redisStore = z.strictObject({
    mode: z.enum(["bundled", "managed", "external"]).describe(`"bundled", "managed" or "external"`),
    bundled: bundledStore.describe("(mode bundled) the StatefulSet"),
    managed: z
        .strictObject({
            instanceClass: z.string().min(1).optional().describe("node size in the cloud's terms (cache.t4g.small, a Memorystore size in GB, an Azure SKU family and capacity); default: a small one"),
            highAvailability: z.boolean().describe("a replica in a second zone"),
        })
        .describe("(mode managed) the cloud's cache"),
    external: z
        .strictObject({
            host: hostName.describe("server host name"),
            port: port.describe("server port"),
            password: secretValue(z.string().min(1)).optional().describe("password (secret)"),
            tls: z.boolean().describe("connect with TLS (rediss://)"),
            cidrs,
        })
        .optional()
        .describe("(mode external) the server"),
});

const objectStore = z.strictObject({
    mode: z.enum(["bundled", "managed", "external", "disabled"]).describe(`"bundled" (MinIO), "managed" (the cloud's buckets), "external" or "disabled"`),
    bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "a bucket name: 3-63 lower-case letters, digits, '.' and '-'").optional().describe("bucket name (default: NAME-ENVIRONMENT)"),
    bundled: bundledStore.describe("(mode bundled) the StatefulSet"),
    external: z
        .strictObject({
            endpoint: httpUrl.describe("S3 endpoint URL"),
            region: z.string().min(1).describe("S3 region"),
            accessKeyId: secretValue(z.string().min(1)).describe("access key id (secret)"),
            secretAccessKey: secretValue(z.string().min(1)).describe("secret access key (secret)"),
            cidrs,
        })
        .optional()
        .describe("(mode external) the endpoint and its keys"),
});

const searchStore = z.strictObject({
    mode: z.enum(["bundled", "managed", "external", "disabled"]).describe(`"bundled", "external" or "disabled" (no cloud offers Meilisearch as a managed service)`),
    bundled: bundledStore.describe("(mode bundled) the StatefulSet"),
    external: z
        .strictObject({
            url: httpUrl.describe("Meilisearch URL"),
            masterKey: secretValue(z.string().min(16, "at least 16 characters")).describe("master key (secret)"),
            cidrs,
        })
        .optional()
        .describe("(mode external) the instance"),
});

const data = z
    .strictObject({
        postgres: postgresStore.describe("PostgreSQL (DATABASE_URL)"),
        redis: redisStore.describe("Redis (REDIS_URL)"),
        objectStore: objectStore.describe("S3-compatible object storage (S3_ENDPOINT, S3_BUCKET, S3_REGION, and S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY when reached with keys)"),
        search: searchStore.describe("Meilisearch (MEILI_URL, MEILI_MASTER_KEY)"),
    })
    .superRefine((value, ctx) => {
        for (const store of storeNames) {
            const config = value[store] as { mode: string; external?: unknown };
            if (config.mode === "external" && config.external === undefined) {
                ctx.addIssue({ code: "custom", path: [store, "external"], input: undefined, message: "the server's address and credentials when mode is external" });
            }
        }
        if (value.search.mode === "managed") {
            ctx.addIssue({
                code: "custom",
                path: ["search", "mode"],
                input: "managed",
                message: `"bundled", "external" or "disabled": no cloud runs Meilisearch as a managed service (Meilisearch Cloud is reached as "external")`,
            });
        }
        if (value.postgres.backups.enabled) {
            if (value.postgres.mode !== "bundled") {
                ctx.addIssue({ code: "custom", path: ["postgres", "backups", "enabled"], input: true, message: "false unless postgres.mode is bundled (a managed server keeps its own backups: managed.backupRetentionDays)" });
            } else if (value.objectStore.mode !== "bundled" && value.objectStore.mode !== "external") {
                ctx.addIssue({ code: "custom", path: ["postgres", "backups", "enabled"], input: true, message: `false unless objectStore.mode is "bundled" or "external": the dumps are uploaded with keys` });
            }
        }
    });

export type DataConfig = z.infer<typeof data>;

export const stackConfigSchema = z
    .strictObject({
        environment: z.enum(["dev", "prod"]).describe(`environment preset: "dev" or "prod"; every other key defaults from it`),
        name: appName.describe("application name, the prefix of every object; each name built from it must fit its object's limit"),
        namespace: dnsLabel.describe("namespace the application runs in"),
        target: target,
        movingFromTarget: z
            .enum(["existing", "local", "eks", "gke", "aks"])
            .optional()
            .describe(
                "the target.kind this stack was last deployed to, set for one `pulumi up` to confirm a move to another kind of cluster: every Kubernetes object is then created on the new cluster and deleted from the old one (without it, a change of target.kind is refused)",
            ),
        image: appImage.describe("application image for the api, workers, migrations and cron jobs: given by reference, or built and pushed"),
        protect: z.boolean().describe("protect the namespace and stateful resources from deletion"),
        topologySpread: z.boolean().describe("spread replicas across nodes and zones"),
        runAsUser: z.number().int().min(10000, "at least 10000").max(2147483647).describe("UID (and GID) every container runs as"),
        settings: z.record(envVarName, z.string()).describe("plain settings for every workload, in a ConfigMap"),
        secrets: secretValue(z.record(envVarName, z.string())).describe("secret settings for every workload, in a Secret (set each with --secret)"),
        api: api.describe("the HTTP API"),
        workers: uniqueNames(z.array(worker), "workers").describe("background workers (queue consumers)"),
        frontend: frontend.describe("the static frontend"),
        migrations: migrations.describe("database migrations"),
        cronJobs: uniqueNames(z.array(cronJob), "cronJobs").describe("scheduled jobs"),
        ingress: ingress.describe("public entry"),
        monitoringNamespace: dnsLabel.optional().describe("namespace whose Prometheus may scrape the workloads"),
        quota: quota.optional().describe("ResourceQuota of the namespace"),
        limitRange: limitRange.describe("LimitRange defaults of the namespace"),
        data: data.describe("the stateful dependencies and how each is provided"),
    })
    .superRefine(checkDataStoreUse)
    .superRefine(checkComposedNames, { when: () => true })
    .superRefine(checkProdImagesPinnedByDigest, { when: () => true })
    .superRefine(checkBuildHasRegistry, { when: () => true })
    .superRefine(checkPublicEndpoint, { when: () => true });

// The refinements below run even when other keys are invalid, so that every problem shows at
// once; they read the value defensively for that reason.

type Payload = Record<string, unknown>;

function field(value: unknown, key: string): unknown {
    return typeof value === "object" && value !== null ? (value as Payload)[key] : undefined;
}

function entries(value: unknown): unknown[] {
    return Array.isArray(value) ? value : [];
}

/**
 * Every name and label value the components compose must fit the object it lands in; the
 * problem is reported at the key whose value makes it too long.
 */
function checkComposedNames(config: Payload, ctx: z.RefinementCtx): void {
    const name = config.name;
    if (!appName.safeParse(name).success) {
        return;
    }
    const app = name as string;
    const check = (path: PropertyKey[], own: string, composed: ComposedName[]) => {
        for (const { what, value, limit } of composed) {
            if (value.length > limit) {
                const room = limit - (value.length - own.length);
                ctx.addIssue({
                    code: "custom",
                    path,
                    input: own,
                    message: `at most ${room} characters${path[0] === "name" ? "" : ` with name "${app}"`}: the ${what} "${value}" would be ${value.length} characters, over the limit of ${limit}`,
                });
            }
        }
    };
    check(["name"], app, appNames(app));
    const data = field(config, "data");
    for (const store of Object.keys(storeComponents) as BundledStore[]) {
        const settings = field(data, store);
        if (field(settings, "mode") === "bundled") {
            check(["name"], app, bundledStoreNames(app, store, field(field(settings, "backups"), "enabled") === true));
        }
    }
    entries(config.workers).forEach((worker, index) => {
        const workerName = field(worker, "name");
        if (dnsLabel.safeParse(workerName).success) {
            check(["workers", index, "name"], workerName as string, workerNames(app, workerName as string));
        }
    });
    entries(config.cronJobs).forEach((job, index) => {
        const jobName = field(job, "name");
        if (dnsLabel.safeParse(jobName).success) {
            check(["cronJobs", index, "name"], jobName as string, cronJobNames(app, jobName as string));
        }
    });
}

/** The production checklist: what prod deploys is pinned by digest, which a re-tag cannot move. */
function checkProdImagesPinnedByDigest(config: Payload, ctx: z.RefinementCtx): void {
    if (config.environment !== "prod") {
        return;
    }
    const images: [PropertyKey[], unknown][] = [
        [["image"], config.image],
        [["frontend", "image"], field(config.frontend, "image")],
    ];
    for (const [path, image] of images) {
        // A built image is pinned by the digest its push returns.
        if (typeof image === "object" && image !== null && field(image, "digest") === undefined && field(image, "build") === undefined) {
            ctx.addIssue({
                code: "custom",
                path: [...path, "digest"],
                input: undefined,
                message: "a digest (sha256:...) in prod, so that a re-pushed tag cannot change what runs; keep the tag beside it for readers",
            });
        }
    }
}

/** Kinds of target that run in a cloud, whose managed data services a stack may ask for. */
const cloudTargetKinds: readonly string[] = ["eks", "gke", "aks"];

/**
 * What the stores a stack provides mean for the rest of its config: a component can use only a
 * store that exists, a managed store needs a cloud target, and no setting may take the name of
 * a store's variable (one of the two would silently win).
 */
function checkDataStoreUse(value: { target: { kind: string }; data: DataConfig; settings: Record<string, string>; secrets: Record<string, string>; api: { uses?: string[]; env: Record<string, string> }; workers: { uses?: string[]; env: Record<string, string> }[]; cronJobs: { uses?: string[] }[]; migrations: { uses?: string[] } }, ctx: z.RefinementCtx) {
    const provided = new Set(dataStoreKinds.filter((store) => value.data[store].mode !== "disabled"));
    const consumers: [PropertyKey[], string[] | undefined][] = [
        [["api", "uses"], value.api.uses],
        [["migrations", "uses"], value.migrations.uses],
        ...value.workers.map((worker, index): [PropertyKey[], string[] | undefined] => [["workers", index, "uses"], worker.uses]),
        ...value.cronJobs.map((job, index): [PropertyKey[], string[] | undefined] => [["cronJobs", index, "uses"], job.uses]),
    ];
    for (const [path, uses] of consumers) {
        (uses ?? []).forEach((store, index) => {
            if (!provided.has(store as (typeof dataStoreKinds)[number])) {
                ctx.addIssue({ code: "custom", path: [...path, index], input: store, message: `a store the stack provides (data.${store}.mode is "disabled"): ${[...provided].join(", ")}` });
            }
        });
    }
    for (const store of dataStoreKinds) {
        if (value.data[store].mode === "managed" && !cloudTargetKinds.includes(value.target.kind)) {
            ctx.addIssue({
                code: "custom",
                path: ["data", store, "mode"],
                input: "managed",
                message: `"bundled" or "external" on a target of kind "${value.target.kind}": managed services need a cloud target (${cloudTargetKinds.join(", ")})`,
            });
        }
    }
    const reserved = new Map(dataStoreKinds.flatMap((store) => [...connectionVariables[store].plain, ...connectionVariables[store].secret].map((key) => [key, store] as const)));
    const ownKeys: [PropertyKey[], Record<string, string>][] = [
        [["settings"], value.settings],
        [["secrets"], value.secrets],
        [["api", "env"], value.api.env],
        ...value.workers.map((worker, index): [PropertyKey[], Record<string, string>] => [["workers", index, "env"], worker.env]),
    ];
    for (const [path, values] of ownKeys) {
        for (const key of Object.keys(values)) {
            const store = reserved.get(key);
            if (store) {
                ctx.addIssue({ code: "custom", path: [...path, key], input: key, message: `a name other than ${key}, which the ${store} store sets` });
            }
        }
    }
}

/** A production API server is not opened to the whole internet. */
function checkPublicEndpoint(config: Payload, ctx: z.RefinementCtx): void {
    if (config.environment !== "prod") {
        return;
    }
    entries(field(field(config.target, "publicEndpoint"), "cidrs")).forEach((range, index) => {
        if (range === "0.0.0.0/0") {
            ctx.addIssue({ code: "custom", path: ["target", "publicEndpoint", "cidrs", index], input: range, message: "the ranges of your offices, VPN or CI in prod, not the whole internet (or no publicEndpoint: private access only)" });
        }
    });
}

/** A built image is pushed to the registry of the config, else to the one the target's cluster brings. */
function checkBuildHasRegistry(config: Payload, ctx: z.RefinementCtx): void {
    const image = config.image;
    if (field(image, "build") === undefined || field(image, "registry") !== undefined) {
        return;
    }
    const kind = field(config.target, "kind");
    if (typeof kind === "string" && targetKindsWithRegistry.has(kind)) {
        if (field(image, "repository") !== undefined) {
            ctx.addIssue({
                code: "custom",
                path: ["image", "repository"],
                input: field(image, "repository"),
                message: `no repository with a build on target kind "${kind}": the image is pushed to the cluster's registry (or give image.registry to push elsewhere)`,
            });
        }
        return;
    }
    ctx.addIssue({
        code: "custom",
        path: ["image", "registry"],
        input: undefined,
        message: `a registry to push the build to (server, username, password as a secret) with image.repository under it; target kind "${String(kind)}" brings none (${[...targetKindsWithRegistry].join(", ")} do)`,
    });
}

export type StackConfig = z.infer<typeof stackConfigSchema>;
export type WorkloadLifecycle = Pick<StackConfig["api"], "replicas" | "resources" | "autoscaling" | "preStopSeconds" | "terminationGracePeriodSeconds" | "env">;
export type WorkerConfig = StackConfig["workers"][number];
export type CronJobConfig = StackConfig["cronJobs"][number];
export type ImageRef = StackConfig["image"];
export type HttpProbes = StackConfig["api"]["probes"];
export type ExecProbe = WorkerConfig["probe"];
export type TargetConfig = StackConfig["target"];
