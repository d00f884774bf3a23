import * as batch from "@pulumi/kubernetes/batch/v1";
import * as core from "@pulumi/kubernetes/core/v1";
import * as pulumi from "@pulumi/pulumi";
import { cronJob, jobNetworkPolicy } from "../batch";
import type { NetworkRule } from "../network";
import { appLabels, hardenedContainer, hardenedPodSpec } from "../pod";
import {
    bundledServer,
    credentialsSecret,
    serverProbes,
    fromSecret,
    generatedPassword,
    scratch,
    serviceHost,
    type BundledSettings,
    type StoreArgs,
} from "./bundled";
import type { DataStoreConnection } from "./connection";
import type { ManagedProvisioner, ManagedServer } from "./managed/server";
import { objectName, postgresBackupComponent, storeComponents } from "../names";

/** PostgreSQL 17, the official image, pinned. */
export const postgresImage = "postgres:17.6-bookworm";
const port = 5432;

export interface PostgresBackups {
    /** Cron schedule of the dumps. */
    schedule: string;
    /** Dumps older than this are deleted after each new one. */
    retentionDays: number;
    /** Where the dumps go: an object store reached with keys. */
    objectStore: DataStoreConnection;
    /** An image with MinIO's `mc`, the client that uploads the dumps. */
    clientImage: string;
}

export type PostgresMode =
    | (BundledSettings & { mode: "bundled"; backups?: PostgresBackups })
    | { mode: "external"; host: string; port: number; sslMode: string; password: pulumi.Input<string>; cidrs: string[] }
    | { mode: "managed"; provision: ManagedProvisioner<ManagedServer>; sslMode: string };

/** What a mode of the store provides its clients. */
interface Provided {
    endpoint: { host: pulumi.Input<string>; port: pulumi.Input<number>; sslMode: string; password: pulumi.Input<string> };
    /** The password the stack generated for the server, kept in the credentials Secret. */
    generated?: pulumi.Output<string>;
    egress: NetworkRule[];
    waitFor: pulumi.Resource[];
    /** Starts a server that reads the credentials Secret; what it returns is waited for instead of `waitFor`. */
    start?: (credentials: core.Secret) => pulumi.Resource[];
    caBundle?: pulumi.Input<string>;
}

export interface PostgresArgs extends StoreArgs {
    database: string;
    username: string;
    server: PostgresMode;
}

/**
 * The application's PostgreSQL database: a StatefulSet in the cluster, a cloud's managed server
 * or an external one. Whichever it is, consumers get one `DATABASE_URL` from a Secret.
 */
export class Postgres extends pulumi.ComponentResource {
    readonly connection: DataStoreConnection;
    readonly secret: core.Secret;
    readonly backups?: batch.CronJob;

    constructor(name: string, args: PostgresArgs, opts?: pulumi.ComponentResourceOptions) {
        super("appstack:data:Postgres", name, {}, opts);
        const component = storeComponents.postgres;
        const { server } = args;

        const provided = this.provide(name, args, server);
        const { endpoint, generated } = provided;
        const databaseUrl = pulumi.interpolate`postgresql://${encodeURIComponent(args.username)}:${pulumi.output(endpoint.password).apply(encodeURIComponent)}@${endpoint.host}:${endpoint.port}/${encodeURIComponent(args.database)}?sslmode=${endpoint.sslMode}`;
        this.secret = credentialsSecret(
            `${name}-credentials`,
            args,
            component,
            { ...(generated ? { password: generated } : {}), DATABASE_URL: databaseUrl },
            this,
        );
        const waitFor = provided.start?.(this.secret) ?? provided.waitFor;

        if (server.mode === "bundled" && server.backups) {
            this.backups = this.backupJob(name, args, server, server.backups, provided.egress);
        }

        this.connection = {
            kind: "postgres",
            // The certificate authority of a managed server, for clients that verify it (public).
            variables: provided.caBundle ? { DATABASE_CA_CERT: provided.caBundle } : {},
            secretVariables: { DATABASE_URL: { secretName: this.secret.metadata.name, key: "DATABASE_URL" } },
            egress: provided.egress,
            waitFor: [this.secret, ...waitFor],
            identity: pulumi.interpolate`postgresql://${endpoint.host}:${endpoint.port}/${args.database}`,
        };
        this.registerOutputs({ secret: this.secret.metadata.name });
    }

    /**
     * What the mode provides: where the server listens and with which password (one the stack
     * generates, except for an external server), how clients reach it, and what they wait for. A
     * bundled server is started once its credentials exist (`start`).
     */
    private provide(name: string, args: PostgresArgs, server: PostgresMode): Provided {
        const component = storeComponents.postgres;
        switch (server.mode) {
            case "external":
                return {
                    endpoint: { host: server.host, port: server.port, sslMode: server.sslMode, password: server.password },
                    egress: server.cidrs.map((cidr) => ({ peer: { cidr }, ports: [server.port] })),
                    waitFor: [],
                };
            case "managed": {
                const generated = generatedPassword(`${name}-password`, this, args);
                const managed = server.provision(name, this, () => generated);
                return {
                    endpoint: { host: managed.host, port: managed.port, sslMode: server.sslMode, password: generated },
                    generated,
                    egress: managed.cidrs.map((cidr) => ({ peer: { cidr }, ports: [managed.port] })),
                    waitFor: managed.resources,
                    caBundle: managed.caBundle,
                };
            }
            case "bundled": {
                const generated = generatedPassword(`${name}-password`, this, args, 32, server.credentials?.password);
                const clients = server.backups ? [...args.clients, postgresBackupComponent] : args.clients;
                const start = (credentials: core.Secret) => [
                    bundledServer(
                        name,
                        { ...server, appName: args.appName, namespace: args.namespace, clients, protect: args.protect, retain: args.retain },
                        {
                            component,
                            port: { name: "postgres", number: port },
                            env: [
                                { name: "POSTGRES_USER", value: args.username },
                                { name: "POSTGRES_DB", value: args.database },
                                fromSecret("POSTGRES_PASSWORD", objectName(args.appName, component), "password"),
                                // A directory below the mount point: the volume's root may hold lost+found.
                                { name: "PGDATA", value: "/var/lib/postgresql/data/pgdata" },
                            ],
                            probes: serverProbes(
                                {
                                    exec: {
                                        command: [
                                            "pg_isready",
                                            "--host=127.0.0.1",
                                            `--port=${port}`,
                                            `--username=${args.username}`,
                                            `--dbname=${args.database}`,
                                        ],
                                    },
                                },
                                { tcpSocket: { port: "postgres" } },
                            ),
                            dataPath: "/var/lib/postgresql/data",
                            mounts: [scratch("run", "/var/run/postgresql")],
                        },
                        this,
                        credentials,
                    ).statefulSet,
                ];
                return {
                    endpoint: { host: serviceHost(args.appName, component, args.namespace), port, sslMode: "disable", password: generated },
                    generated,
                    egress: [{ peer: { component }, ports: [port] }],
                    waitFor: [],
                    start,
                };
            }
        }
    }

    /** Nightly logical dumps: pg_dump into a scratch volume, then the object store's client uploads and prunes. */
    private backupJob(name: string, args: PostgresArgs, server: BundledSettings, backups: PostgresBackups, toDatabase: NetworkRule[]): batch.CronJob {
        const component = postgresBackupComponent;
        const metadata = { name: objectName(args.appName, component), namespace: args.namespace, labels: appLabels(args.appName, component) };
        const store = backups.objectStore;
        const storeEnv = [
            ...Object.entries(store.variables).map(([key, value]) => ({ name: key, value })),
            ...Object.entries(store.secretVariables).map(([key, ref]) => fromSecret(key, ref.secretName, ref.key)),
        ];
        const resources = { requests: { cpu: "50m", memory: "128Mi", "ephemeral-storage": "64Mi" }, limits: { memory: "512Mi" } };
        const dumpDir = { name: "dump", mountPath: "/backup" };
        const dump = hardenedContainer({
            name: "dump",
            image: server.image,
            command: ["pg_dump", "--format=custom", "--no-owner", "--file=/backup/database.dump", "--dbname=$(DATABASE_URL)"],
            extraEnv: [fromSecret("DATABASE_URL", this.secret.metadata.name, "DATABASE_URL")],
            resources,
            volumeMounts: [dumpDir],
        });
        const prefix = "backups/postgres";
        const upload = hardenedContainer({
            name: "upload",
            image: backups.clientImage,
            command: [
                "sh",
                "-ec",
                [
                    `mc alias set store "$S3_ENDPOINT" "$S3_ACCESS_KEY_ID" "$S3_SECRET_ACCESS_KEY" >/dev/null`,
                    `mc cp /backup/database.dump "store/$S3_BUCKET/${prefix}/$(date -u +%Y%m%dT%H%M%SZ).dump"`,
                    `mc rm --recursive --force --older-than ${backups.retentionDays}d "store/$S3_BUCKET/${prefix}/"`,
                ].join("\n"),
            ],
            extraEnv: [...storeEnv, { name: "MC_CONFIG_DIR", value: "/tmp/mc" }],
            resources,
            volumeMounts: [dumpDir],
        });
        const serviceAccount = new core.ServiceAccount(`${name}-backup`, { metadata, automountServiceAccountToken: false }, { parent: this });
        const podSpec = hardenedPodSpec(server.runAsUser, serviceAccount.metadata.name, [upload], {
            initContainers: [dump],
            restartPolicy: "Never",
            volumes: [{ name: dumpDir.name, emptyDir: { sizeLimit: "20Gi" } }],
        });
        jobNetworkPolicy(`${name}-backup`, args.appName, metadata, component, [...toDatabase, ...store.egress], { parent: this });
        return cronJob(
            `${name}-backup`,
            metadata,
            {
                schedule: backups.schedule,
                startingDeadlineSeconds: 3600,
                successfulJobsHistoryLimit: 3,
                failedJobsHistoryLimit: 3,
                backoffLimit: 2,
                activeDeadlineSeconds: 6 * 3600,
            },
            { metadata: { labels: metadata.labels }, spec: podSpec },
            { parent: this, dependsOn: store.waitFor },
        );
    }
}
