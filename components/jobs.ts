import * as batch from "@pulumi/kubernetes/batch/v1";
import * as core from "@pulumi/kubernetes/core/v1";
import * as networking from "@pulumi/kubernetes/networking/v1";
import type * as inputs from "@pulumi/kubernetes/types/input";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";
import { cronJob, jobNetworkPolicy, type CronSchedule } from "./batch";
import type { DataStoreConnection } from "./data/connection";
import { consumerEnvironment, storeVariables, type ConsumerEnvironment, type StoreUser } from "./data/consumer";
import { cronJobComponent, jobsComponent, migrationsComponent, migrationsJobName, migrationsSettingsName, objectName } from "./names";
import { appLabels, hardenedContainer, hardenedPodSpec, type AppEnvironment } from "./pod";
import type { WorkloadIdentityHook } from "./targets/target";
import { settingsObjects } from "./settings";
import { cloudIdentity } from "./workload";

type ResourceRequirements = inputs.core.v1.ResourceRequirements;

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
export interface CronJobArgs extends StoreUser, CronSchedule {
    /** Its CronJob is APP-cron-NAME. */
    name: string;
    command: string[];
    resources: ResourceRequirements;
}

export interface JobsArgs {
    appName: string;
    namespace: pulumi.Input<string>;
    /** Reference of the application image the jobs run. */
    image: pulumi.Input<string>;
    runAsUser: number;
    /** The app's settings and secrets: the migrations read copies of fixed names (see `createMigrations`). */
    settings: Record<string, pulumi.Input<string>>;
    secrets: Record<string, pulumi.Input<string>>;
    /** The app's settings and secrets as the cron jobs read them. */
    env: AppEnvironment;
    /** Database migrations; absent: none. */
    migrations?: MigrationsArgs;
    cronJobs: CronJobArgs[];
    /** The data stores the stack provides, for the jobs that use them. */
    dataStores: DataStoreConnection[];
    /** The target's binding of ServiceAccounts to cloud identities; absent: the target has none. */
    workloadIdentity?: WorkloadIdentityHook;
    imagePullSecrets?: inputs.core.v1.LocalObjectReference[];
}

/**
 * The run-to-completion side of the app: the migrations Job that precedes every rollout onto a
 * new image, and the scheduled jobs. They share one ServiceAccount, and with it one cloud
 * identity with what they all use; nobody connects to a job, and each reaches the stores it uses.
 * Its children were the App's before: each carries an alias from there, so nothing is replaced.
 */
export class Jobs extends pulumi.ComponentResource {
    readonly migrations?: batch.Job;
    readonly cronJobs: batch.CronJob[];

    constructor(name: string, args: JobsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("appstack:jobs:Jobs", name, {}, opts);
        const { appName } = args;
        const aliases: pulumi.Alias[] = opts?.parent ? [{ parent: opts.parent }] : [];
        const child: pulumi.CustomResourceOptions = { parent: this, aliases };
        const metadata = (component: string) => ({ name: objectName(appName, component), namespace: args.namespace, labels: appLabels(appName, component) });

        const ownKeys = [...Object.keys(args.settings), ...Object.keys(args.secrets)];
        const jobStores = new Map<string, ConsumerEnvironment>();
        if (args.migrations) {
            jobStores.set(migrationsComponent, consumerEnvironment(migrationsComponent, args.migrations.uses ?? [], args.dataStores, ownKeys, this));
        }
        for (const job of args.cronJobs) {
            const component = cronJobComponent(job.name);
            jobStores.set(component, consumerEnvironment(component, job.uses ?? [], args.dataStores, ownKeys, this));
        }
        const permissions = [...jobStores.values()].flatMap((env) => env.cloudPermissions);
        const identity = cloudIdentity(args.workloadIdentity, permissions, this);
        const jobIdentity = identity?.bind(
            `${name}-jobs`,
            { namespace: args.namespace, serviceAccountName: objectName(appName, jobsComponent), permissions },
            this,
            aliases,
        );
        const jobServiceAccount = new core.ServiceAccount(
            `${name}-jobs`,
            { metadata: { ...metadata(jobsComponent), annotations: jobIdentity?.serviceAccountAnnotations }, automountServiceAccountToken: false },
            child,
        );
        const jobPod = (component: string, command: string[], resources: ResourceRequirements, jobEnv: AppEnvironment): inputs.core.v1.PodTemplateSpec => ({
            metadata: { labels: { ...appLabels(appName, component), ...jobIdentity?.podLabels } },
            spec: hardenedPodSpec(
                args.runAsUser,
                jobServiceAccount.metadata.name,
                [
                    hardenedContainer({
                        name: component,
                        image: args.image,
                        command,
                        env: jobEnv,
                        plainEnv: { APP_COMPONENT: component },
                        extraEnv: storeVariables(jobStores.get(component)!),
                        resources,
                    }),
                ],
                { restartPolicy: "Never", imagePullSecrets: args.imagePullSecrets },
            ),
        });

        if (args.migrations) {
            this.migrations = this.createMigrations(name, args, args.migrations, child, jobPod, jobStores.get(migrationsComponent)!.waitFor);
        }
        const afterMigrations = this.migrations ? [this.migrations] : [];
        const jobComponents = [migrationsComponent, ...args.cronJobs.map((job) => cronJobComponent(job.name))];
        // Nobody connects to a job; each job reaches the stores it uses (policies add up).
        new networking.NetworkPolicy(
            `${name}-jobs`,
            {
                metadata: metadata(jobsComponent),
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
                jobNetworkPolicy(`${name}-${component}-egress`, appName, metadata(`${component}-egress`), component, storeEnv.egress, child);
            }
        }

        this.cronJobs = args.cronJobs.map((job) => {
            const component = cronJobComponent(job.name);
            const storeEnv = jobStores.get(component)!;
            return cronJob(`${name}-${component}`, metadata(component), job, jobPod(component, job.command, job.resources, args.env), {
                ...child,
                dependsOn: [...afterMigrations, ...storeEnv.waitFor],
            });
        });

        this.registerOutputs({ migrations: this.migrations?.metadata.name, cronJobs: this.cronJobs.map((job) => job.metadata.name) });
    }

    /**
     * The migrations Job. Its name carries a hash of what decides whether migrations must run
     * again (the image, the command and the database) and its spec nothing that changes with
     * other settings, so that the same migration never runs twice: it reads the settings under a
     * fixed name (see `settingsObjects`).
     */
    private createMigrations(
        name: string,
        args: JobsArgs,
        migrations: MigrationsArgs,
        child: pulumi.CustomResourceOptions,
        jobPod: (component: string, command: string[], resources: ResourceRequirements, env: AppEnvironment) => inputs.core.v1.PodTemplateSpec,
        waitFor: pulumi.Resource[],
    ): batch.Job {
        const { appName } = args;
        const component = migrationsComponent;
        const labels = appLabels(appName, component);
        const { configMap, secret, env } = settingsObjects(
            `${name}-migrations`,
            {
                namespace: args.namespace,
                settings: args.settings,
                secrets: args.secrets,
                labels: { configMap: labels, secret: labels },
                fixedName: migrationsSettingsName(appName),
            },
            child,
        );
        const identity = pulumi.all([args.image, migrations.command, migrations.database]).apply(([image, command, database]) =>
            createHash("sha256")
                .update(JSON.stringify({ image, command, database: database ?? null }))
                .digest("hex"),
        );
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
            { ...child, dependsOn: [configMap, ...(secret ? [secret] : []), ...waitFor] },
        );
    }
}
