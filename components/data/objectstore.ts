import * as batch from "@pulumi/kubernetes/batch/v1";
import * as core from "@pulumi/kubernetes/core/v1";
import * as pulumi from "@pulumi/pulumi";
import { jobNetworkPolicy } from "../batch";
import type { NetworkRule } from "../network";
import { appLabels, hardenedContainer, hardenedPodSpec } from "../pod";
import {
    bundledServer,
    credentialsSecret,
    fromSecret,
    generatedPassword,
    serverProbes,
    scratch,
    serviceHost,
    type BundledSettings,
    type StoreArgs,
} from "./bundled";
import type { DataStoreConnection } from "./connection";
import type { CloudPermission } from "../targets/target";
import { objectName, objectStoreSetupComponent, storeComponents } from "../names";

/** MinIO, S3-compatible, the last community release published as an image; pinned. It carries `mc`, the client the setup and backup jobs run. */
export const minioImage = "minio/minio:RELEASE.2025-04-22T22-12-26Z";
const port = 9000;
const bundledRegion = "us-east-1";

/** A cloud's bucket, reached by the pods' cloud identity: no keys. */
export interface ManagedBucket {
    endpoint: pulumi.Input<string>;
    bucket: pulumi.Input<string>;
    region: pulumi.Input<string>;
    /** Where the service's private endpoint listens; egress is opened to these on 443. */
    cidrs: pulumi.Input<string>[];
    resources: pulumi.Resource[];
    /** What a consumer's cloud identity must be granted to use the bucket (no keys are issued). */
    permission: CloudPermission;
}

export type ObjectStoreMode =
    | (BundledSettings & { mode: "bundled" })
    | { mode: "external"; endpoint: string; region: string; accessKeyId: pulumi.Input<string>; secretAccessKey: pulumi.Input<string>; cidrs: string[] }
    | { mode: "managed"; provision: (name: string, parent: pulumi.Resource) => ManagedBucket };

export interface ObjectStoreArgs extends StoreArgs {
    bucket: string;
    server: ObjectStoreMode;
}

/**
 * S3-compatible object storage: MinIO in the cluster (with the bucket and an application user
 * made by a setup Job), a cloud's bucket, or an external S3 endpoint. Consumers get
 * `S3_ENDPOINT`, `S3_BUCKET` and `S3_REGION`, plus `S3_ACCESS_KEY_ID` and
 * `S3_SECRET_ACCESS_KEY` when the store is reached with keys.
 */
export class ObjectStore extends pulumi.ComponentResource {
    readonly connection: DataStoreConnection;
    readonly secret?: core.Secret;
    readonly usesKeys: boolean;

    constructor(name: string, args: ObjectStoreArgs, opts?: pulumi.ComponentResourceOptions) {
        super("appstack:data:ObjectStore", name, {}, opts);
        const component = storeComponents.objectStore;
        const { server } = args;

        if (server.mode === "managed") {
            const managed = server.provision(name, this);
            this.usesKeys = false;
            this.connection = {
                kind: "objectStore",
                variables: { S3_ENDPOINT: managed.endpoint, S3_BUCKET: managed.bucket, S3_REGION: managed.region },
                secretVariables: {},
                egress: managed.cidrs.map((cidr) => ({ peer: { cidr }, ports: [443] })),
                waitFor: managed.resources,
                identity: pulumi.interpolate`${managed.endpoint}/${managed.bucket}`,
                cloudPermissions: [managed.permission],
            };
            this.registerOutputs({});
            return;
        }

        this.usesKeys = true;
        let endpoint: pulumi.Input<string>;
        let region: string;
        let egress: NetworkRule[];
        let waitFor: pulumi.Resource[] = [];
        const secretName = objectName(args.appName, component);

        if (server.mode === "bundled") {
            endpoint = pulumi.interpolate`http://${serviceHost(args.appName, component, args.namespace)}:${port}`;
            region = bundledRegion;
            const values = {
                MINIO_ROOT_USER: generatedPassword(`${name}-root-user`, this, args, 20, server.credentials?.rootUser),
                MINIO_ROOT_PASSWORD: generatedPassword(`${name}-root-password`, this, args, 40, server.credentials?.rootPassword),
                S3_ACCESS_KEY_ID: generatedPassword(`${name}-access-key`, this, args, 20, server.credentials?.accessKeyId),
                S3_SECRET_ACCESS_KEY: generatedPassword(`${name}-secret-key`, this, args, 40, server.credentials?.secretAccessKey),
            };
            this.secret = credentialsSecret(`${name}-credentials`, args, component, values, this);
            const setupComponent = objectStoreSetupComponent;
            const bundled = bundledServer(
                name,
                {
                    ...server,
                    appName: args.appName,
                    namespace: args.namespace,
                    clients: [...args.clients, setupComponent],
                    protect: args.protect,
                    retain: args.retain,
                },
                {
                    component,
                    port: { name: "s3", number: port },
                    // The console is not served: the application needs the S3 API alone.
                    args: ["server", "/data", "--address", `:${port}`, "--certs-dir", "/tmp/certs"],
                    env: [
                        fromSecret("MINIO_ROOT_USER", secretName, "MINIO_ROOT_USER"),
                        fromSecret("MINIO_ROOT_PASSWORD", secretName, "MINIO_ROOT_PASSWORD"),
                        { name: "MINIO_BROWSER", value: "off" },
                        { name: "MINIO_UPDATE", value: "off" },
                    ],
                    probes: serverProbes({ httpGet: { path: "/minio/health/ready", port: "s3" } }, { httpGet: { path: "/minio/health/live", port: "s3" } }),
                    dataPath: "/data",
                    mounts: [scratch("config", "/.minio")],
                },
                this,
                this.secret,
            );
            const setup = this.setupJob(name, args, server, endpoint, setupComponent, [bundled.statefulSet]);
            egress = [{ peer: { component }, ports: [port] }];
            waitFor = [bundled.statefulSet, setup];
        } else {
            endpoint = server.endpoint;
            region = server.region;
            this.secret = credentialsSecret(
                `${name}-credentials`,
                args,
                component,
                { S3_ACCESS_KEY_ID: server.accessKeyId, S3_SECRET_ACCESS_KEY: server.secretAccessKey },
                this,
            );
            const endpointPort = portOf(server.endpoint);
            egress = server.cidrs.map((cidr) => ({ peer: { cidr }, ports: [endpointPort] }));
        }

        this.connection = {
            kind: "objectStore",
            variables: { S3_ENDPOINT: endpoint, S3_BUCKET: args.bucket, S3_REGION: region },
            secretVariables: {
                S3_ACCESS_KEY_ID: { secretName: this.secret.metadata.name, key: "S3_ACCESS_KEY_ID" },
                S3_SECRET_ACCESS_KEY: { secretName: this.secret.metadata.name, key: "S3_SECRET_ACCESS_KEY" },
            },
            egress,
            waitFor: [this.secret, ...waitFor],
            identity: pulumi.interpolate`${endpoint}/${args.bucket}`,
        };
        this.registerOutputs({ secret: this.secret.metadata.name });
    }

    /**
     * Makes the bucket and the application's user, limited to that bucket, so that the
     * application never holds the root credentials. Every step may run again.
     */
    private setupJob(
        name: string,
        args: ObjectStoreArgs,
        server: BundledSettings,
        endpoint: pulumi.Input<string>,
        component: string,
        after: pulumi.Resource[],
    ): batch.Job {
        const metadata = { name: objectName(args.appName, component), namespace: args.namespace, labels: appLabels(args.appName, component) };
        const secretName = this.secret!.metadata.name;
        const policy = JSON.stringify({
            Version: "2012-10-17",
            Statement: [
                { Effect: "Allow", Action: ["s3:ListBucket", "s3:GetBucketLocation"], Resource: [`arn:aws:s3:::${args.bucket}`] },
                {
                    Effect: "Allow",
                    Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
                    Resource: [`arn:aws:s3:::${args.bucket}/*`],
                },
            ],
        });
        const script = [
            `mc alias set store "$S3_ENDPOINT" "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD" >/dev/null`,
            `mc mb --ignore-existing "store/$S3_BUCKET"`,
            `printf '%s' "$BUCKET_POLICY" > /tmp/policy.json`,
            `mc admin policy create store app-bucket /tmp/policy.json`,
            `mc admin user add store "$S3_ACCESS_KEY_ID" "$S3_SECRET_ACCESS_KEY"`,
            `mc admin policy entities --user "$S3_ACCESS_KEY_ID" store | grep -q app-bucket || mc admin policy attach store app-bucket --user "$S3_ACCESS_KEY_ID"`,
        ].join("\n");
        const container = hardenedContainer({
            name: "setup",
            image: server.image,
            command: ["sh", "-ec", script],
            extraEnv: [
                { name: "S3_ENDPOINT", value: endpoint },
                { name: "S3_BUCKET", value: args.bucket },
                { name: "BUCKET_POLICY", value: policy },
                { name: "MC_CONFIG_DIR", value: "/tmp/mc" },
                ...["MINIO_ROOT_USER", "MINIO_ROOT_PASSWORD", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY"].map((key) => fromSecret(key, secretName, key)),
            ],
            resources: { requests: { cpu: "20m", memory: "64Mi", "ephemeral-storage": "64Mi" }, limits: { memory: "256Mi" } },
        });
        const serviceAccount = new core.ServiceAccount(`${name}-setup`, { metadata, automountServiceAccountToken: false }, { parent: this });
        jobNetworkPolicy(`${name}-setup`, args.appName, metadata, component, [{ peer: { component: storeComponents.objectStore }, ports: [port] }], {
            parent: this,
        });
        return new batch.Job(
            `${name}-setup`,
            {
                metadata,
                spec: {
                    backoffLimit: 6,
                    activeDeadlineSeconds: 600,
                    template: {
                        metadata: { labels: metadata.labels },
                        spec: hardenedPodSpec(server.runAsUser, serviceAccount.metadata.name, [container], { restartPolicy: "Never" }),
                    },
                },
            },
            { parent: this, dependsOn: after },
        );
    }
}

/** The TCP port of an endpoint URL, from its scheme when it names none. */
export function portOf(endpoint: string): number {
    const url = new URL(endpoint);
    return url.port ? Number(url.port) : url.protocol === "http:" ? 80 : 443;
}
