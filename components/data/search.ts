import type * as core from "@pulumi/kubernetes/core/v1";
import * as pulumi from "@pulumi/pulumi";
import { bundledServer, credentialsSecret, fromSecret, generatedPassword, serverProbes, serviceHost, type BundledSettings, type StoreArgs } from "./bundled";
import type { DataStoreConnection } from "./connection";
import { objectName, storeComponents } from "../names";

/** Meilisearch, the official image, pinned. */
export const meilisearchImage = "getmeili/meilisearch:v1.15.2";
const port = 7700;

export type SearchMode =
    (BundledSettings & { mode: "bundled" }) | { mode: "external"; url: string; masterKey: pulumi.Input<string>; cidrs: string[]; port: number };

export interface SearchArgs extends StoreArgs {
    server: SearchMode;
}

/**
 * Meilisearch: in the cluster, in production mode behind a generated master key, or an external
 * instance. No cloud runs it as a managed service. Consumers get `MEILI_URL` and `MEILI_MASTER_KEY`.
 */
export class Search extends pulumi.ComponentResource {
    readonly connection: DataStoreConnection;
    readonly secret: core.Secret;

    constructor(name: string, args: SearchArgs, opts?: pulumi.ComponentResourceOptions) {
        super("appstack:data:Search", name, {}, opts);
        const component = storeComponents.search;
        const secretName = objectName(args.appName, component);
        const { server } = args;
        const masterKey = server.mode === "bundled" ? generatedPassword(`${name}-master-key`, this, args, 40, server.credentials?.masterKey) : server.masterKey;
        this.secret = credentialsSecret(`${name}-credentials`, args, component, { MEILI_MASTER_KEY: masterKey }, this);

        let url: pulumi.Input<string>;
        let egress: DataStoreConnection["egress"];
        let waitFor: pulumi.Resource[] = [];
        if (server.mode === "bundled") {
            url = pulumi.interpolate`http://${serviceHost(args.appName, component, args.namespace)}:${port}`;
            const bundled = bundledServer(
                name,
                { ...server, appName: args.appName, namespace: args.namespace, clients: args.clients, protect: args.protect, retain: args.retain },
                {
                    component,
                    port: { name: "http", number: port },
                    env: [
                        { name: "MEILI_ENV", value: "production" },
                        fromSecret("MEILI_MASTER_KEY", secretName, "MEILI_MASTER_KEY"),
                        { name: "MEILI_HTTP_ADDR", value: `0.0.0.0:${port}` },
                        { name: "MEILI_DB_PATH", value: "/meili_data/data.ms" },
                        { name: "MEILI_DUMP_DIR", value: "/meili_data/dumps" },
                        { name: "MEILI_SNAPSHOT_DIR", value: "/meili_data/snapshots" },
                        { name: "MEILI_NO_ANALYTICS", value: "true" },
                    ],
                    probes: serverProbes({ httpGet: { path: "/health", port: "http" } }, { tcpSocket: { port: "http" } }),
                    dataPath: "/meili_data",
                },
                this,
                this.secret,
            );
            egress = [{ peer: { component }, ports: [port] }];
            waitFor = [bundled.statefulSet];
        } else {
            url = server.url;
            egress = server.cidrs.map((cidr) => ({ peer: { cidr }, ports: [server.port] }));
        }

        this.connection = {
            kind: "search",
            variables: { MEILI_URL: url },
            secretVariables: { MEILI_MASTER_KEY: { secretName: this.secret.metadata.name, key: "MEILI_MASTER_KEY" } },
            egress,
            waitFor: [this.secret, ...waitFor],
            identity: url,
        };
        this.registerOutputs({ secret: this.secret.metadata.name });
    }
}
