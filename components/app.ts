import * as batch from "@pulumi/kubernetes/batch/v1";
import * as core from "@pulumi/kubernetes/core/v1";
import * as networking from "@pulumi/kubernetes/networking/v1";
import type * as inputs from "@pulumi/kubernetes/types/input";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";
import type { CronJobConfig, StackConfig } from "../stacks/schema";
import type { DataStoreConnection } from "./data/connection";
import { cronJobComponent, migrationsJobName, objectName, workerComponent } from "./names";
import type { NetworkPeer, NetworkRule } from "./network";
import { policyRules } from "./network";
import { appLabels, checksumOf, hardenedContainer, hardenedPodSpec, type AppEnvironment } from "./pod";
import { Workload } from "./workload";

export interface AppArgs {
    config: Pick<StackConfig, "name" | "environment" | "runAsUser" | "topologySpread" | "settings" | "api" | "workers" | "frontend" | "migrations" | "cronJobs" | "ingress" | "monitoringNamespace">;
    namespace: pulumi.Input<string>;
    /** Reference of the application image, pinned by digest or tag. */
    image: pulumi.Input<string>;
    /** Reference of the frontend image; the frontend is deployed when there is one. */
    frontendImage?: pulumi.Input<string>;
    /** Secret settings by variable name; the values are secret Outputs. */
    secrets: Record<string, pulumi.Input<string>>;
    dataStores: DataStoreConnection[];
    /** False where no ingress controller publishes an address, so the engine does not wait. */
    ingressPublishesStatus: boolean;
}

/**
 * The application: its settings and secrets, the migrations Job that precedes every rollout of
 * the api, the api itself, the workers, the optional frontend, the scheduled jobs and the Ingress.
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
        const { config } = args;
        const appName = config.name;
        const child = { parent: this };
        const metadata = (component: string) => ({ name: objectName(appName, component), namespace: args.namespace, labels: appLabels(appName, component) });

        const plainSettings: Record<string, pulumi.Input<string>> = {
            APP_NAME: appName,
            APP_ENVIRONMENT: config.environment,
            ...config.settings,
            ...Object.assign({}, ...args.dataStores.map((store) => store.settings)),
        };
        const secretSettings: Record<string, pulumi.Input<string>> = {
            ...args.secrets,
            ...Object.assign({}, ...args.dataStores.map((store) => store.secrets)),
        };
        const settings = new core.ConfigMap(`${name}-settings`, { metadata: metadata("settings"), data: plainSettings }, child);
        const secret = new core.Secret(
            `${name}-secrets`,
            { metadata: metadata("secrets"), type: "Opaque", stringData: secretSettings },
            { ...child, additionalSecretOutputs: ["stringData"] },
        );
        const env: AppEnvironment = {
            configMapName: settings.metadata.name,
            secretName: secret.metadata.name,
            secretKeys: Object.keys(secretSettings),
            checksum: checksumOf({ ...plainSettings, ...secretSettings }),
        };
        const storeRules: NetworkRule[] = args.dataStores.map((store) => store.endpoint);
        const monitoring: NetworkPeer[] = config.monitoringNamespace ? [{ namespace: config.monitoringNamespace }] : [];
        const ingressController: NetworkPeer[] = config.ingress.enabled ? [{ namespace: config.ingress.controllerNamespace }] : [];

        const jobServiceAccount = new core.ServiceAccount(`${name}-jobs`, { metadata: metadata("jobs"), automountServiceAccountToken: false }, child);
        // Migrations and scheduled jobs run the api's image with the api's resources.
        const jobPod = (component: string, command: string[]) =>
            hardenedPodSpec(
                config.runAsUser,
                jobServiceAccount.metadata.name,
                [hardenedContainer({ name: component, image: args.image, command, env, plainEnv: { APP_COMPONENT: component }, resources: config.api.resources })],
                { restartPolicy: "Never" },
            );

        if (config.migrations.enabled) {
            // The image is part of the name: a new image makes a new Job, which must complete
            // before the api rolls out; the same image never migrates twice.
            const imageHash = pulumi.output(args.image).apply((image) => createHash("sha256").update(image).digest("hex"));
            this.migrations = new batch.Job(
                `${name}-migrations`,
                {
                    metadata: { ...metadata("migrations"), name: imageHash.apply((hash) => migrationsJobName(appName, hash)) },
                    spec: {
                        backoffLimit: config.migrations.backoffLimit,
                        activeDeadlineSeconds: config.migrations.activeDeadlineSeconds,
                        template: {
                            metadata: { labels: appLabels(appName, "migrations") },
                            spec: jobPod("migrations", config.migrations.command),
                        },
                    },
                },
                child,
            );
        }

        const jobComponents = ["migrations", ...config.cronJobs.map((job) => cronJobComponent(job.name))];
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
                    egress: policyRules(storeRules, appName).map((rule) => ({ to: rule.peers, ports: rule.ports })),
                },
            },
            child,
        );

        const shared = { appName, namespace: args.namespace, env, runAsUser: config.runAsUser, topologySpread: config.topologySpread };
        const { frontendImage } = args;

        this.api = new Workload(
            `${name}-api`,
            {
                ...shared,
                component: "api",
                image: args.image,
                command: config.api.command,
                args: config.api.args,
                port: config.api.port,
                probes: { kind: "http", http: config.api.probes },
                lifecycle: config.api,
                allowFrom: [...ingressController, ...(frontendImage ? [{ component: "frontend" }] : []), ...monitoring],
                allowTo: storeRules,
                rolloutAfter: this.migrations ? [this.migrations] : undefined,
            },
            child,
        );

        this.workers = config.workers.map(
            (worker) =>
                new Workload(
                    `${name}-worker-${worker.name}`,
                    {
                        ...shared,
                        component: workerComponent(worker.name),
                        image: args.image,
                        command: worker.command,
                        probes: { kind: "exec", exec: worker.probe },
                        lifecycle: worker,
                        plainEnv: { WORKER_NAME: worker.name, WORKER_CONCURRENCY: String(worker.concurrency), WORKER_QUEUES: worker.queues.join(",") },
                        allowFrom: [],
                        allowTo: storeRules,
                    },
                    child,
                ),
        );

        if (frontendImage) {
            this.frontend = new Workload(
                `${name}-frontend`,
                {
                    ...shared,
                    // The frontend serves static files: it gets the api's address, no settings
                    // and no credentials.
                    env: undefined,
                    component: "frontend",
                    image: frontendImage,
                    port: config.frontend.port,
                    probes: { kind: "http", http: config.frontend.probes },
                    lifecycle: config.frontend,
                    plainEnv: { API_URL: `http://${this.api.objectName}:${config.api.port}` },
                    allowFrom: [...ingressController, ...monitoring],
                    allowTo: [{ peer: { component: "api" }, ports: [config.api.port] }],
                },
                child,
            );
        }

        this.cronJobs = config.cronJobs.map((job) => {
            const component = cronJobComponent(job.name);
            return this.cronJob(`${name}-${component}`, job, metadata(component), jobPod(component, job.command));
        });

        if (config.ingress.enabled && config.ingress.host) {
            this.ingress = this.createIngress(name, args, metadata("ingress").labels, this.frontend);
            const scheme = config.ingress.tls.mode === "none" ? "http" : "https";
            this.url = pulumi.output(`${scheme}://${config.ingress.host}`);
        }

        this.registerOutputs({
            api: this.api.objectName,
            workers: this.workers.map((worker) => worker.objectName),
            frontend: this.frontend?.objectName,
            url: this.url,
        });
    }

    private cronJob(
        name: string,
        job: CronJobConfig,
        metadata: { name: string; namespace: pulumi.Input<string>; labels: Record<string, string> },
        podSpec: inputs.core.v1.PodSpec,
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
                            template: { metadata: { labels }, spec: podSpec },
                        },
                    },
                },
            },
            { parent: this },
        );
    }

    private createIngress(name: string, args: AppArgs, labels: Record<string, string>, frontend: Workload | undefined): networking.Ingress {
        const { ingress, name: appName } = args.config;
        const backend = (workload: Workload) => ({ service: { name: workload.objectName, port: { name: "http" } } });
        const paths = [
            { path: "/api", pathType: "Prefix", backend: backend(this.api) },
            ...(frontend ? [{ path: "/", pathType: "Prefix", backend: backend(frontend) }] : []),
        ];
        const tls = ingress.tls;
        const annotations: Record<string, string> = {};
        if (tls.mode !== "none") {
            annotations["nginx.ingress.kubernetes.io/force-ssl-redirect"] = "true";
        }
        if (tls.mode === "cert-manager") {
            annotations["cert-manager.io/cluster-issuer"] = tls.clusterIssuer;
        }
        if (!args.ingressPublishesStatus) {
            annotations["pulumi.com/skipAwait"] = "true";
        }
        return new networking.Ingress(
            `${name}-ingress`,
            {
                metadata: { name: appName, namespace: args.namespace, labels, annotations },
                spec: {
                    ingressClassName: ingress.className,
                    tls:
                        tls.mode === "none"
                            ? undefined
                            : [{ hosts: [ingress.host!], secretName: tls.mode === "secret" ? tls.secretName : `${appName}-tls` }],
                    rules: [{ host: ingress.host, http: { paths } }],
                },
            },
            { parent: this },
        );
    }
}
