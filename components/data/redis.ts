import type * as core from "@pulumi/kubernetes/core/v1";
import * as pulumi from "@pulumi/pulumi";
import { bundledServer, credentialsSecret, serverProbes, fromSecret, generatedPassword, serviceHost, type BundledSettings, type StoreArgs } from "./bundled";
import type { DataStoreConnection } from "./connection";
import type { ManagedProvisioner, ManagedServer } from "./managed/server";
import { objectName, storeComponents } from "../names";

/** Redis 7.4, the official image, pinned. */
export const redisImage = "redis:7.4.5-bookworm";
const port = 6379;

/** A managed Redis: the server, and the password it was created with (when it has one). */
export interface ManagedRedis extends ManagedServer {
    password?: pulumi.Input<string>;
    tls: boolean;
}

export type RedisMode =
    | (BundledSettings & { mode: "bundled" })
    | { mode: "external"; host: string; port: number; tls: boolean; password?: pulumi.Input<string>; cidrs: string[] }
    | { mode: "managed"; provision: ManagedProvisioner<ManagedRedis> };

export interface RedisArgs extends StoreArgs {
    server: RedisMode;
}

/**
 * Redis for queues, caches and results: in the cluster with a password and an append-only file
 * flushed every second, a cloud's managed cache, or an external server. Consumers get `REDIS_URL`.
 */
export class Redis extends pulumi.ComponentResource {
    readonly connection: DataStoreConnection;
    readonly secret: core.Secret;

    constructor(name: string, args: RedisArgs, opts?: pulumi.ComponentResourceOptions) {
        super("appstack:data:Redis", name, {}, opts);
        const component = storeComponents.redis;
        const secretName = objectName(args.appName, component);
        const { server } = args;
        const values: Record<string, pulumi.Input<string>> = {};
        let url: pulumi.Output<string>;
        let identity: pulumi.Input<string>;
        const managed = server.mode === "managed" ? server.provision(name, this, () => generatedPassword(`${name}-password`, this, args)) : undefined;
        const host =
            server.mode === "bundled" ? serviceHost(args.appName, component, args.namespace) : server.mode === "external" ? server.host : managed!.host;
        if (server.mode === "bundled") {
            const password = generatedPassword(`${name}-password`, this, args, 32, server.credentials?.password);
            // The password lives in the configuration file, read from the Secret, so that it
            // appears neither in the pod template nor on the server's command line.
            values["redis.conf"] = pulumi.interpolate`requirepass ${password}\nappendonly yes\nappendfsync everysec\ndir /data\n`;
            values.password = password;
            url = redisUrl(false, host, port, password);
            identity = pulumi.interpolate`redis://${host}:${port}`;
        } else if (server.mode === "external") {
            url = redisUrl(server.tls, host, server.port, server.password);
            identity = `redis://${server.host}:${server.port}`;
        } else {
            url = redisUrl(managed!.tls, host, managed!.port, managed!.password);
            identity = pulumi.interpolate`redis://${host}:${managed!.port}`;
        }
        values.REDIS_URL = url;
        this.secret = credentialsSecret(`${name}-credentials`, args, component, values, this);

        let connection: Pick<DataStoreConnection, "egress" | "waitFor">;
        if (server.mode === "bundled") {
            const bundled = bundledServer(
                name,
                { ...server, appName: args.appName, namespace: args.namespace, clients: args.clients, protect: args.protect, retain: args.retain },
                {
                    component,
                    port: { name: "redis", number: port },
                    command: ["redis-server", "/etc/redis/redis.conf"],
                    env: [fromSecret("REDISCLI_AUTH", secretName, "password")],
                    probes: serverProbes({ exec: { command: ["sh", "-c", "redis-cli -h 127.0.0.1 ping | grep -q PONG"] } }, { tcpSocket: { port: "redis" } }),
                    dataPath: "/data",
                    mounts: [
                        {
                            volume: { name: "config", secret: { secretName, items: [{ key: "redis.conf", path: "redis.conf" }] } },
                            mountPath: "/etc/redis",
                            readOnly: true,
                        },
                    ],
                },
                this,
                this.secret,
            );
            connection = { egress: [{ peer: { component }, ports: [port] }], waitFor: [bundled.statefulSet] };
        } else if (server.mode === "external") {
            connection = { egress: server.cidrs.map((cidr) => ({ peer: { cidr }, ports: [server.port] })), waitFor: [] };
        } else {
            connection = { egress: managed!.cidrs.map((cidr) => ({ peer: { cidr }, ports: [managed!.port] })), waitFor: managed!.resources };
        }
        this.connection = {
            kind: "redis",
            variables: managed?.caBundle ? { REDIS_CA_CERT: managed.caBundle } : {},
            secretVariables: { REDIS_URL: { secretName: this.secret.metadata.name, key: "REDIS_URL" } },
            egress: connection.egress,
            waitFor: [this.secret, ...connection.waitFor],
            identity,
        };
        this.registerOutputs({ secret: this.secret.metadata.name });
    }
}

// The user is named: Redis 6 and later read `AUTH default PASSWORD` as the password of
// `requirepass`, and some clients send no password at all when the user part is empty.
function redisUrl(tls: boolean, host: pulumi.Input<string>, serverPort: number, password: pulumi.Input<string> | undefined): pulumi.Output<string> {
    const scheme = tls ? "rediss" : "redis";
    return password === undefined
        ? pulumi.interpolate`${scheme}://${host}:${serverPort}/0`
        : pulumi.interpolate`${scheme}://default:${pulumi.output(password).apply(encodeURIComponent)}@${host}:${serverPort}/0`;
}
