import type * as batch from "@pulumi/kubernetes/batch/v1";
import * as core from "@pulumi/kubernetes/core/v1";
import * as networking from "@pulumi/kubernetes/networking/v1";
import * as pulumi from "@pulumi/pulumi";
import type { DataStoreConnection } from "./data/connection";
import { consumerEnvironment, storeVariables, type ConsumerEnvironment, type StoreUser } from "./data/consumer";
import { Jobs, type CronJobArgs, type MigrationsArgs } from "./jobs";
import { objectName, workerComponent } from "./names";
import type { NetworkPeer } from "./network";
import { appLabels } from "./pod";
import { settingsObjects } from "./settings";
import type { WorkloadIdentityHook } from "./targets/target";
import { cloudIdentity, servingPortName, Workload, type WorkloadSpec } from "./workload";

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
    /** What must exist before the Ingress is applied (its controller, the issuer of its certificate). */
    dependsOn?: pulumi.Resource[];
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

/**
 * The application: its settings and secrets, its jobs (the migrations that precede every rollout
 * onto a new image, and the scheduled jobs), the api itself, the workers, the optional frontend
 * and the Ingress.
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
            consumerEnvironment(component, user.uses ?? [], args.dataStores, [...ownKeys, ...Object.keys(env)], this);
        const { env } = settingsObjects(
            name,
            {
                namespace: args.namespace,
                settings: plainSettings,
                secrets: secretSettings,
                labels: { configMap: appLabels(appName, "settings"), secret: appLabels(appName, "secrets") },
            },
            child,
        );
        const ingressSources = args.ingress?.sources ?? [];
        const imagePullSecrets = args.imagePull ? [{ name: this.createPullSecret(name, args.imagePull, metadata("registry")).metadata.name }] : undefined;

        // The jobs come first: everything that runs the app image waits for its migrations.
        const jobs = new Jobs(
            name,
            {
                appName,
                namespace: args.namespace,
                image: args.image,
                runAsUser: args.runAsUser,
                settings: plainSettings,
                secrets: secretSettings,
                env,
                migrations: args.migrations,
                cronJobs: args.cronJobs,
                dataStores: args.dataStores,
                workloadIdentity: args.workloadIdentity,
                imagePullSecrets,
            },
            child,
        );
        this.migrations = jobs.migrations;
        this.cronJobs = jobs.cronJobs;
        const afterMigrations = this.migrations ? [this.migrations] : undefined;

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
                allowFrom: [...ingressSources, ...(frontend ? [{ component: "frontend" }] : [])],
                allowTo: apiStores.egress,
                extraEnv: storeVariables(apiStores),
                cloudIdentity: cloudIdentity(args.workloadIdentity, apiStores.cloudPermissions, this),
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
                    plainEnv: {
                        ...spec.plainEnv,
                        WORKER_NAME: workerName,
                        WORKER_CONCURRENCY: String(concurrency),
                        WORKER_QUEUES: queues.join(","),
                        ...(spec.metrics ? { METRICS_PORT: String(spec.metrics.port) } : {}),
                    },
                    allowFrom: [],
                    allowTo: workerStores.egress,
                    extraEnv: storeVariables(workerStores),
                    cloudIdentity: cloudIdentity(args.workloadIdentity, workerStores.cloudPermissions, this),
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
                    allowFrom: ingressSources,
                    allowTo: [{ peer: { component: "api" }, ports: [args.api.port] }],
                },
                child,
            );
        }

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
     * The image pull secret of the app image's registry. Its name is fixed; its content is secret
     * whole, and nothing about it is derived from the password.
     */
    private createPullSecret(
        name: string,
        pull: NonNullable<AppArgs["imagePull"]>,
        metadata: { name: string; namespace: pulumi.Input<string>; labels: Record<string, string> },
    ): core.Secret {
        const dockerConfig = pulumi.secret(
            pulumi.output(pull.password).apply((password) =>
                JSON.stringify({
                    auths: { [pull.server]: { username: pull.username, password, auth: Buffer.from(`${pull.username}:${password}`).toString("base64") } },
                }),
            ),
        );
        return new core.Secret(
            `${name}-registry`,
            { metadata, type: "kubernetes.io/dockerconfigjson", stringData: { ".dockerconfigjson": dockerConfig } },
            { parent: this },
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
            { parent: this, dependsOn: ingress.dependsOn },
        );
    }
}
