import * as batch from "@pulumi/kubernetes/batch/v1";
import * as core from "@pulumi/kubernetes/core/v1";
import * as pulumi from "@pulumi/pulumi";
import { cronJob, jobNetworkPolicy } from "../batch";
import type { NetworkRule } from "../network";
import { appLabels, hardenedContainer, hardenedPodSpec } from "../pod";
import { bundledServer, credentialsSecret, serverProbes, fromSecret, generatedPassword, scratch, serviceHost, type BundledSettings, type StoreArgs } from "./bundled";
import type { DataStoreConnection } from "./connection";
import type { ManagedProvisioner, ManagedServer } from "./managed/server";
import { postgresBackupComponent, storeComponents } from "../names";

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
        const secretName = `${args.appName}-${component}`;
        const { server } = args;

        const generated = server.mode === "external" ? undefined : generatedPassword(`${name}-password`, this, args);
        const managed = server.mode === "managed" ? server.provision(name, this, () => generated!) : undefined;
        const endpoint =
            server.mode === "bundled"
                ? { host: serviceHost(args.appName, component, args.namespace), port, sslMode: "disable", password: generated! }
                : server.mode === "external"
                  ? { host: server.host, port: server.port, sslMode: server.sslMode, password: server.password }
                  : { host: managed!.host, port: managed!.port, sslMode: server.sslMode, password: generated! };
        const databaseUrl = pulumi.interpolate`postgresql://${encodeURIComponent(args.username)}:${pulumi.output(endpoint.password).apply(encodeURIComponent)}@${endpoint.host}:${endpoint.port}/${encodeURIComponent(args.database)}?sslmode=${endpoint.sslMode}`;
        this.secret = credentialsSecret(`${name}-credentials`, args, component, { ...(generated ? { password: generated } : {}), DATABASE_URL: databaseUrl }, this);

        let egress: NetworkRule[];
        let waitFor: pulumi.Resource[];
        if (server.mode === "bundled") {
            const clients = server.backups ? [...args.clients, "postgres-backup"] : args.clients;
            const bundled = bundledServer(
                name,
                { ...server, appName: args.appName, namespace: args.namespace, clients, protect: args.protect, retain: args.retain },
                {
                    component,
                    port: { name: "postgres", number: port },
                    env: [
                        { name: "POSTGRES_USER", value: args.username },
                        { name: "POSTGRES_DB", value: args.database },
                        fromSecret("POSTGRES_PASSWORD", secretName, "password"),
                        // A directory below the mount point: the volume's root may hold lost+found.
                        { name: "PGDATA", value: "/var/lib/postgresql/data/pgdata" },
                    ],
                    probes: serverProbes(
                        { exec: { command: ["pg_isready", "--host=127.0.0.1", `--port=${port}`, `--username=${args.username}`, `--dbname=${args.database}`] } },
                        { tcpSocket: { port: "postgres" } },
                    ),
                    dataPath: "/var/lib/postgresql/data",
                    mounts: [scratch("run", "/var/run/postgresql")],
                },
                this,
                this.secret,
            );
            egress = [{ peer: { component }, ports: [port] }];
            waitFor = [bundled.statefulSet];
        } else if (server.mode === "external") {
            egress = server.cidrs.map((cidr) => ({ peer: { cidr }, ports: [server.port] }));
            waitFor = [];
        } else {
            egress = managed!.cidrs.map((cidr) => ({ peer: { cidr }, ports: [managed!.port] }));
            waitFor = managed!.resources;
        }

        if (server.mode === "bundled" && server.backups) {
            this.backups = this.backupJob(name, args, server, server.backups, egress);
        }

        this.connection = {
            kind: "postgres",
            // The certificate authority of a managed server, for clients that verify it (public).
            variables: managed?.caBundle ? { DATABASE_CA_CERT: managed.caBundle } : {},
            secretVariables: { DATABASE_URL: { secretName: this.secret.metadata.name, key: "DATABASE_URL" } },
            egress,
            waitFor: [this.secret, ...waitFor],
            identity: pulumi.interpolate`postgresql://${endpoint.host}:${endpoint.port}/${args.database}`,
        };
        this.registerOutputs({ secret: this.secret.metadata.name });
    }

    /** Nightly logical dumps: pg_dump into a scratch volume, then the object store's client uploads and prunes. */
    private backupJob(name: string, args: PostgresArgs, server: BundledSettings, backups: PostgresBackups, toDatabase: NetworkRule[]): batch.CronJob {
        const component = postgresBackupComponent;
        const metadata = { name: `${args.appName}-${component}`, namespace: args.namespace, labels: appLabels(args.appName, component) };
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
            { schedule: backups.schedule, startingDeadlineSeconds: 3600, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 3, backoffLimit: 2, activeDeadlineSeconds: 6 * 3600 },
            { metadata: { labels: metadata.labels }, spec: podSpec },
            { parent: this, dependsOn: store.waitFor },
        );
    }
}
