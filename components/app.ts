import * as batch from "@pulumi/kubernetes/batch/v1";
import * as core from "@pulumi/kubernetes/core/v1";
import * as networking from "@pulumi/kubernetes/networking/v1";
import type * as inputs from "@pulumi/kubernetes/types/input";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";
import { consumerEnvironment, storeVariables, type ConsumerEnvironment, type DataStoreConnection, type DataStoreKind } from "./data/connection";
import { cronJobComponent, migrationsJobName, objectName, workerComponent } from "./names";
import type { NetworkPeer } from "./network";
import { egressTo } from "./network";
import { appLabels, hardenedContainer, hardenedPodSpec, selectorLabels, type AppEnvironment } from "./pod";
import type { CloudIdentity, CloudPermission, WorkloadIdentityBinding, WorkloadIdentityHook } from "./targets/target";
import { servingPortName, Workload, type WorkloadSpec } from "./workload";

type ResourceRequirements = inputs.core.v1.ResourceRequirements;

/** The data stores a component connects to; it gets their variables and egress, and no other's. */
export interface StoreUser {
    uses?: DataStoreKind[];
}

export interface WorkerArgs extends WorkloadSpec, StoreUser {
    /** Its Deployment is APP-worker-NAME. */
    name: string;
    /** Tasks one pod runs at once (WORKER_CONCURRENCY). */
    concurrency: number;
    /** Queues it consumes (WORKER_QUEUES). */
    queues: string[];
}

export interface FrontendArgs extends WorkloadSpec {
    /** Reference of the frontend image. */
    image: pulumi.Input<string>;
    port: number;
}

export interface ApiArgs extends WorkloadSpec, StoreUser {
    port: number;
}

/** The Job that migrates the database, run with the app image before anything rolls onto it. */
export interface MigrationsArgs extends StoreUser {
    command: string[];
    backoffLimit: number;
    activeDeadlineSeconds: number;
    resources: ResourceRequirements;
    /**
     * What identifies the database the migrations run against (e.g. its host and name), so that
     * a new database is migrated too. Part of the Job's name: never a credential.
     */
    database?: pulumi.Input<string>;
}

/** A scheduled run of a command with the app image. */
export interface CronJobArgs extends StoreUser {
    /** Its CronJob is APP-cron-NAME. */
    name: string;
    schedule: string;
    /** IANA time zone of the schedule; absent: the controller's. */
    timeZone?: string;
    command: string[];
    resources: ResourceRequirements;
    activeDeadlineSeconds: number;
    startingDeadlineSeconds: number;
    successfulJobsHistoryLimit: number;
    failedJobsHistoryLimit: number;
    backoffLimit: number;
}

/** The public entry: an Ingress to the api (and the frontend), and where its traffic comes from. */
export interface IngressArgs {
    host: string;
    className: string;
    /** Annotations the ingress controller or certificate issuer reads. */
    annotations?: Record<string, string>;
    /** Where the ingress controller's traffic comes from: admitted to the api and the frontend. */
    sources: NetworkPeer[];
    /** TLS with the certificate in this Secret; absent: plain HTTP. */
    tls?: { secretName: string };
    /** False where no ingress controller publishes an address, so the engine does not wait. */
    publishesStatus: boolean;
}

export interface AppArgs {
    /** Prefix of every object's name and the app.kubernetes.io/name label. */
    appName: string;
    namespace: pulumi.Input<string>;
    /** Reference of the application image, pinned by digest or tag. */
    image: pulumi.Input<string>;
    /** UID (and GID) every container runs as. */
    runAsUser: number;
    /** Spread each workload's replicas across nodes and zones. */
    topologySpread: boolean;
    /** Plain settings of every component that runs the app image, in a ConfigMap. */
    settings: Record<string, pulumi.Input<string>>;
    /** Secret settings by variable name, in a Secret; the values are secret Outputs. */
    secrets: Record<string, pulumi.Input<string>>;
    api: ApiArgs;
    workers: WorkerArgs[];
    /** The static frontend; absent: none. */
    frontend?: FrontendArgs;
    /** Database migrations; absent: none. */
    migrations?: MigrationsArgs;
    cronJobs: CronJobArgs[];
    /** The public entry; absent: none. */
    ingress?: IngressArgs;
    /** Who may scrape the workloads' metrics (a monitoring stack). */
    scrapers: NetworkPeer[];
    /** The data stores the stack provides, for the components that use them. */
    dataStores: DataStoreConnection[];
    /**
     * The target's binding of a ServiceAccount to a cloud identity, for the components whose stores
     * are reached by identity (a cloud's bucket); absent: the target has no cloud identities.
     */
    workloadIdentity?: WorkloadIdentityHook;
    /** Credentials of the registry the app image is pulled from, for an image pull secret; absent: the nodes pull. */
    imagePull?: { server: string; username: string; password: pulumi.Input<string> };
}

/** The cloud identity of a component whose stores ask for cloud permissions; none when they ask for none. */
function cloudIdentity(args: AppArgs, permissions: CloudPermission[]): CloudIdentity | undefined {
    if (permissions.length === 0) {
        return undefined;
    }
    if (!args.workloadIdentity) {
        throw new Error("a store is reached by cloud identity, but the target binds no cloud identities to ServiceAccounts");
    }
    return { bind: args.workloadIdentity, permissions };
}

/** Binds the ServiceAccount `serviceAccountName` to a cloud identity with `permissions`, when there are any. */
function bindIdentity(name: string, args: AppArgs, serviceAccountName: string, permissions: CloudPermission[], parent: pulumi.Resource): WorkloadIdentityBinding | undefined {
    const identity = cloudIdentity(args, permissions);
    return identity?.bind(name, { namespace: args.namespace, serviceAccountName, permissions: identity.permissions }, parent);
}

/**
 * The application: its settings and secrets, the migrations Job that precedes every rollout onto
 * a new image, the api itself, the workers, the optional frontend, the scheduled jobs and the
 * Ingress.
 */
export class App extends pulumi.ComponentResource {
    readonly api: Workload;
    readonly workers: Workload[];
    readonly frontend?: Workload;
    readonly migrations?: batch.Job;
    readonly cronJobs: batch.CronJob[];
    readonly ingress?: networking.Ingress;
    readonly url?: pulumi.Output<string>;

    constructor(name: string, args: AppArgs, opts?: pulumi.ComponentResourceOptions) {
        super("appstack:app:App", name, {}, opts);
        const { appName } = args;
        const child = { parent: this };
        const metadata = (component: string) => ({ name: objectName(appName, component), namespace: args.namespace, labels: appLabels(appName, component) });

        const plainSettings: Record<string, pulumi.Input<string>> = { ...args.settings };
        const secretSettings: Record<string, pulumi.Input<string>> = { ...args.secrets };
        const ownKeys = [...Object.keys(plainSettings), ...Object.keys(secretSettings)];
        const stores = (component: string, user: StoreUser, env: Record<string, string> = {}): ConsumerEnvironment =>
            consumerEnvironment(component, user.uses ?? [], args.dataStores, [...ownKeys, ...Object.keys(env)]);
        // Settings and secrets are immutable objects with a name the provider makes up: a change
        // of content creates a new object under a new name, so every pod that reads them rolls
        // because its reference changed, a rollback brings the old content back, and a removed key
        // is gone with the old object (deleted once nothing refers to it any more). No name or
        // annotation is derived from the values.
        const contentMetadata = (component: string) => ({ namespace: args.namespace, labels: appLabels(appName, component) });
        const settings = new core.ConfigMap(`${name}-settings`, { metadata: contentMetadata("settings"), immutable: true, data: plainSettings }, child);
        const secretKeys = Object.keys(secretSettings);
        // A stack without secrets has no Secret: an empty one would show a change on every preview.
        const secret =
            secretKeys.length > 0
                ? new core.Secret(`${name}-secrets`, { metadata: contentMetadata("secrets"), immutable: true, type: "Opaque", stringData: secretSettings }, child)
                : undefined;
        const env: AppEnvironment = {
            configMapName: settings.metadata.name,
            secrets: secret ? { name: secret.metadata.name, keys: secretKeys } : undefined,
        };
        const ingressSources = args.ingress?.sources ?? [];
        const imagePullSecrets = args.imagePull ? [{ name: this.createPullSecret(name, args.imagePull, metadata("registry")).metadata.name }] : undefined;

        const jobStores = new Map<string, ConsumerEnvironment>();
        if (args.migrations) {
            jobStores.set("migrations", stores("migrations", args.migrations));
        }
        for (const job of args.cronJobs) {
            jobStores.set(cronJobComponent(job.name), stores(cronJobComponent(job.name), job));
        }
        // The jobs share one ServiceAccount, and with it one cloud identity with what they all use.
        const jobIdentity = bindIdentity(`${name}-jobs`, args, objectName(appName, "jobs"), [...jobStores.values()].flatMap((env) => env.cloudPermissions), this);
        const jobServiceAccount = new core.ServiceAccount(
            `${name}-jobs`,
            { metadata: { ...metadata("jobs"), annotations: jobIdentity?.serviceAccountAnnotations }, automountServiceAccountToken: false },
            child,
        );
        const jobPod = (component: string, command: string[], resources: ResourceRequirements, jobEnv: AppEnvironment): inputs.core.v1.PodTemplateSpec => ({
            metadata: { labels: { ...appLabels(appName, component), ...jobIdentity?.podLabels } },
            spec: hardenedPodSpec(
                args.runAsUser,
                jobServiceAccount.metadata.name,
                [hardenedContainer({ name: component, image: args.image, command, env: jobEnv, plainEnv: { APP_COMPONENT: component }, extraEnv: storeVariables(jobStores.get(component)!), resources })],
                { restartPolicy: "Never", imagePullSecrets },
            ),
        });

        if (args.migrations) {
            this.migrations = this.createMigrations(name, args, args.migrations, plainSettings, secretSettings, jobPod, jobStores.get("migrations")!.waitFor);
        }
        // Everything that runs the app image waits for its migrations.
        const afterMigrations = this.migrations ? [this.migrations] : undefined;
        const jobComponents = ["migrations", ...args.cronJobs.map((job) => cronJobComponent(job.name))];
        // Nobody connects to a job; each job reaches the stores it uses (policies add up).
        new networking.NetworkPolicy(
            `${name}-jobs`,
            {
                metadata: metadata("jobs"),
                spec: {
                    podSelector: {
                        matchLabels: { "app.kubernetes.io/name": appName },
                        matchExpressions: [{ key: "app.kubernetes.io/component", operator: "In", values: jobComponents }],
                    },
                    policyTypes: ["Ingress", "Egress"],
                    egress: [],
                },
            },
            child,
        );
        for (const [component, storeEnv] of jobStores) {
            if (storeEnv.egress.length > 0) {
                new networking.NetworkPolicy(
                    `${name}-${component}-egress`,
                    {
                        metadata: metadata(`${component}-egress`),
                        spec: {
                            podSelector: { matchLabels: selectorLabels(appName, component) },
                            policyTypes: ["Egress"],
                            egress: egressTo(storeEnv.egress, appName),
                        },
                    },
                    child,
                );
            }
        }

        const shared = { appName, namespace: args.namespace, env, runAsUser: args.runAsUser, topologySpread: args.topologySpread };
        const { frontend } = args;
        const apiStores = stores("api", args.api, args.api.plainEnv);

        this.api = new Workload(
            `${name}-api`,
            {
                ...shared,
                ...args.api,
                component: "api",
                image: args.image,
                allowFrom: [...ingressSources, ...(frontend ? [{ component: "frontend" }] : []), ...args.scrapers],
                allowTo: apiStores.egress,
                extraEnv: storeVariables(apiStores),
                cloudIdentity: cloudIdentity(args, apiStores.cloudPermissions),
                rolloutAfter: [...(afterMigrations ?? []), ...apiStores.waitFor],
                imagePullSecrets,
            },
            child,
        );

        this.workers = args.workers.map(({ name: workerName, concurrency, queues, uses, ...spec }) => {
            const workerStores = stores(workerComponent(workerName), { uses }, spec.plainEnv);
            return new Workload(
                    `${name}-worker-${workerName}`,
                    {
                        ...shared,
                        ...spec,
                        component: workerComponent(workerName),
                        image: args.image,
                        plainEnv: { ...spec.plainEnv, WORKER_NAME: workerName, WORKER_CONCURRENCY: String(concurrency), WORKER_QUEUES: queues.join(",") },
                        allowFrom: [],
                        allowTo: workerStores.egress,
                        extraEnv: storeVariables(workerStores),
                        cloudIdentity: cloudIdentity(args, workerStores.cloudPermissions),
                        rolloutAfter: [...(afterMigrations ?? []), ...workerStores.waitFor],
                        imagePullSecrets,
                    },
                    child,
                );
        });

        if (frontend) {
            this.frontend = new Workload(
                `${name}-frontend`,
                {
                    ...shared,
                    ...frontend,
                    // The frontend serves static files: it gets the api's address, no settings
                    // and no credentials.
                    env: undefined,
                    component: "frontend",
                    plainEnv: { ...frontend.plainEnv, API_URL: `http://${this.api.objectName}:${args.api.port}` },
                    allowFrom: [...ingressSources, ...args.scrapers],
                    allowTo: [{ peer: { component: "api" }, ports: [args.api.port] }],
                },
                child,
            );
        }

        this.cronJobs = args.cronJobs.map((job) => {
            const component = cronJobComponent(job.name);
            const storeEnv = jobStores.get(component)!;
            return this.cronJob(`${name}-${component}`, job, metadata(component), jobPod(component, job.command, job.resources, env), [...(afterMigrations ?? []), ...storeEnv.waitFor]);
        });

        if (args.ingress) {
            this.ingress = this.createIngress(name, args.ingress, args, this.frontend);
            const scheme = args.ingress.tls ? "https" : "http";
            this.url = pulumi.output(`${scheme}://${args.ingress.host}`);
        }

        this.registerOutputs({
            api: this.api.objectName,
            workers: this.workers.map((worker) => worker.objectName),
            frontend: this.frontend?.objectName,
            url: this.url,
        });
    }

    /**
     * The migrations Job. Its name carries a hash of what decides whether migrations must run
     * again (the image, the command and the database) and its spec nothing that changes with
     * other settings, so that the same migration never runs twice: it reads settings and secrets
     * whole from a ConfigMap and an optional Secret of fixed names, referred to by those names,
     * which a change of content replaces in place (delete, then create) without touching the Job. They are not
     * `immutable`: the provider replaces them all the same, and a changed render applied with
     * `kubectl apply` then updates them where an immutable object of the same name would refuse.
     */
    private createMigrations(
        name: string,
        args: AppArgs,
        migrations: MigrationsArgs,
        plainSettings: Record<string, pulumi.Input<string>>,
        secretSettings: Record<string, pulumi.Input<string>>,
        jobPod: (component: string, command: string[], resources: ResourceRequirements, env: AppEnvironment) => inputs.core.v1.PodTemplateSpec,
        waitFor: pulumi.Resource[],
    ): batch.Job {
        const { appName } = args;
        const child = { parent: this };
        const component = "migrations";
        const labels = appLabels(appName, component);
        // Shorter than the Job's name, so within every limit the Job's name is.
        const settingsName = objectName(appName, "migrate");
        const secretName = settingsName;
        // A fixed name is freed before it is taken again; and an object of an earlier version,
        // still immutable, is replaced once rather than refused an update.
        const replacedInPlace = { ...child, deleteBeforeReplace: true, replaceOnChanges: ["immutable"] };
        const settings = new core.ConfigMap(
            `${name}-migrations-settings`,
            { metadata: { name: settingsName, namespace: args.namespace, labels }, data: plainSettings },
            replacedInPlace,
        );
        const secretKeys = Object.keys(secretSettings);
        const secret =
            secretKeys.length > 0
                ? new core.Secret(
                      `${name}-migrations-secrets`,
                      { metadata: { name: secretName, namespace: args.namespace, labels }, type: "Opaque", stringData: secretSettings },
                      replacedInPlace,
                  )
                : undefined;
        // Loaded whole and optional: a key added, or the first one, leaves the Job's spec as it is.
        const env: AppEnvironment = { configMapName: settingsName, wholeSecretName: secretName };
        const identity = pulumi
            .all([args.image, migrations.command, migrations.database])
            .apply(([image, command, database]) => createHash("sha256").update(JSON.stringify({ image, command, database: database ?? null })).digest("hex"));
        return new batch.Job(
            `${name}-migrations`,
            {
                metadata: {
                    name: identity.apply((hash) => migrationsJobName(appName, hash)),
                    namespace: args.namespace,
                    labels,
                    // A Job that failed is run anew by the next `pulumi up`, instead of waited for.
                    annotations: { "pulumi.com/replaceUnready": "true" },
                },
                spec: {
                    backoffLimit: migrations.backoffLimit,
                    activeDeadlineSeconds: migrations.activeDeadlineSeconds,
                    template: jobPod(component, migrations.command, migrations.resources, env),
                },
            },
            { ...child, dependsOn: [settings, ...(secret ? [secret] : []), ...waitFor] },
        );
    }

    /**
     * The image pull secret of the app image's registry. Its name is fixed; its content is secret
     * whole, and nothing about it is derived from the password.
     */
    private createPullSecret(name: string, pull: NonNullable<AppArgs["imagePull"]>, metadata: { name: string; namespace: pulumi.Input<string>; labels: Record<string, string> }): core.Secret {
        const dockerConfig = pulumi.secret(
            pulumi.output(pull.password).apply((password) =>
                JSON.stringify({ auths: { [pull.server]: { username: pull.username, password, auth: Buffer.from(`${pull.username}:${password}`).toString("base64") } } }),
            ),
        );
        return new core.Secret(`${name}-registry`, { metadata, type: "kubernetes.io/dockerconfigjson", stringData: { ".dockerconfigjson": dockerConfig } }, { parent: this });
    }

    private cronJob(
        name: string,
        job: CronJobArgs,
        metadata: { name: string; namespace: pulumi.Input<string>; labels: Record<string, string> },
        podTemplate: inputs.core.v1.PodTemplateSpec,
        dependsOn: pulumi.Resource[] | undefined,
    ): batch.CronJob {
        const { labels } = metadata;
        return new batch.CronJob(
            name,
            {
                metadata,
                spec: {
                    schedule: job.schedule,
                    timeZone: job.timeZone,
                    concurrencyPolicy: "Forbid",
                    startingDeadlineSeconds: job.startingDeadlineSeconds,
                    successfulJobsHistoryLimit: job.successfulJobsHistoryLimit,
                    failedJobsHistoryLimit: job.failedJobsHistoryLimit,
                    jobTemplate: {
                        metadata: { labels },
                        spec: {
                            backoffLimit: job.backoffLimit,
                            activeDeadlineSeconds: job.activeDeadlineSeconds,
                            template: podTemplate,
                        },
                    },
                },
            },
            { parent: this, dependsOn },
        );
    }

    private createIngress(name: string, ingress: IngressArgs, args: AppArgs, frontend: Workload | undefined): networking.Ingress {
        const backend = (workload: Workload) => ({ service: { name: workload.objectName, port: { name: servingPortName } } });
        const paths = [
            { path: "/api", pathType: "Prefix", backend: backend(this.api) },
            ...(frontend ? [{ path: "/", pathType: "Prefix", backend: backend(frontend) }] : []),
        ];
        const annotations: Record<string, string> = { ...ingress.annotations };
        if (!ingress.publishesStatus) {
            annotations["pulumi.com/skipAwait"] = "true";
        }
        return new networking.Ingress(
            `${name}-ingress`,
            {
                metadata: { name: args.appName, namespace: args.namespace, labels: appLabels(args.appName, "ingress"), annotations },
                spec: {
                    ingressClassName: ingress.className,
                    tls: ingress.tls ? [{ hosts: [ingress.host], secretName: ingress.tls.secretName }] : undefined,
                    rules: [{ host: ingress.host, http: { paths } }],
                },
            },
            { parent: this },
        );
    }
}
