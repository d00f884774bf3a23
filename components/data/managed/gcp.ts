import * as compute from "@pulumi/gcp/compute";
import * as dns from "@pulumi/gcp/dns";
import * as redis from "@pulumi/gcp/redis";
import * as servicenetworking from "@pulumi/gcp/servicenetworking";
import * as sql from "@pulumi/gcp/sql";
import * as storage from "@pulumi/gcp/storage";
import * as pulumi from "@pulumi/pulumi";
import type { ManagedBucket } from "../objectstore";
import type { ManagedRedis } from "../redis";
import {
    keptOptions,
    plainOptions,
    type ManagedBucketSettings,
    type ManagedCacheSettings,
    type ManagedDatabaseSettings,
    type ManagedNetwork,
    type ManagedServer,
    type ManagedSettings,
} from "./server";

// GCP's managed stores, on private IPs of the cluster's VPC: Cloud SQL for PostgreSQL and
// Memorystore for Redis through private services access, and a GCS bucket reached through
// Private Google Access. Loaded only by stacks that ask for a managed store on GKE.

type GcpNetwork = Extract<ManagedNetwork, { cloud: "gcp" }>;

/** Google's range for private access to its APIs (private.googleapis.com). */
const privateGoogleApis = "199.36.153.8/30";

/**
 * The peering that gives Google's managed services addresses in the VPC. One per VPC: Cloud SQL
 * and Memorystore share it.
 */
export function privateServicesAccess(name: string, network: GcpNetwork, settings: ManagedSettings, parent: pulumi.Resource): servicenetworking.Connection {
    const range = new compute.GlobalAddress(
        name,
        { project: network.project, network: network.networkId, purpose: "VPC_PEERING", addressType: "INTERNAL", prefixLength: 20 },
        plainOptions(parent, settings),
    );
    return new servicenetworking.Connection(
        name,
        { network: network.networkId, service: "servicenetworking.googleapis.com", reservedPeeringRanges: [range.name] },
        plainOptions(parent, settings),
    );
}

export function cloudSqlPostgres(
    name: string,
    network: GcpNetwork,
    peering: servicenetworking.Connection,
    settings: ManagedDatabaseSettings,
    parent: pulumi.Resource,
    password: () => pulumi.Output<string>,
): ManagedServer {
    const instance = new sql.DatabaseInstance(
        name,
        {
            project: network.project,
            region: network.region,
            databaseVersion: "POSTGRES_17",
            deletionProtection: settings.production,
            settings: {
                tier: settings.instanceClass ?? (settings.production ? "db-custom-2-7680" : "db-f1-micro"),
                edition: "ENTERPRISE",
                diskSize: settings.storageGb,
                diskType: "PD_SSD",
                diskAutoresize: true,
                availabilityType: settings.highAvailability ? "REGIONAL" : "ZONAL",
                deletionProtectionEnabled: settings.production,
                ipConfiguration: { ipv4Enabled: false, privateNetwork: network.networkId, sslMode: "ENCRYPTED_ONLY" },
                backupConfiguration: {
                    enabled: true,
                    pointInTimeRecoveryEnabled: true,
                    backupRetentionSettings: { retainedBackups: settings.backupRetentionDays, retentionUnit: "COUNT" },
                },
            },
        },
        { ...keptOptions(parent, settings), dependsOn: [peering] },
    );
    const database = new sql.Database(name, { project: network.project, instance: instance.name, name: settings.database }, keptOptions(parent, settings));
    const user = new sql.User(
        name,
        { project: network.project, instance: instance.name, name: settings.username, password: password() },
        plainOptions(parent, settings),
    );
    return {
        host: instance.privateIpAddress,
        port: 5432,
        cidrs: network.cidrs,
        resources: [instance, database, user],
        caBundle: instance.serverCaCerts.apply((certs) => certs.map((cert) => cert.cert).join("\n")),
    };
}

export function memorystoreRedis(
    name: string,
    network: GcpNetwork,
    peering: servicenetworking.Connection,
    settings: ManagedCacheSettings,
    parent: pulumi.Resource,
): ManagedRedis {
    const instance = new redis.Instance(
        name,
        {
            project: network.project,
            region: network.region,
            tier: settings.highAvailability ? "STANDARD_HA" : "BASIC",
            memorySizeGb: Number(settings.instanceClass ?? (settings.production ? "5" : "1")),
            redisVersion: "REDIS_7_2",
            authorizedNetwork: network.networkId,
            connectMode: "PRIVATE_SERVICE_ACCESS",
            authEnabled: true,
            transitEncryptionMode: "SERVER_AUTHENTICATION",
        },
        { ...keptOptions(parent, settings), dependsOn: [peering] },
    );
    return {
        host: instance.host,
        port: 6378,
        cidrs: network.cidrs,
        resources: [instance],
        password: pulumi.secret(instance.authString),
        tls: true,
        caBundle: instance.serverCaCerts.apply((certs) => certs.map((cert) => cert.cert).join("\n")),
    };
}

export function gcsBucket(name: string, network: GcpNetwork, settings: ManagedBucketSettings, parent: pulumi.Resource): ManagedBucket {
    const bucket = new storage.Bucket(
        name,
        {
            project: network.project,
            name: settings.bucket,
            location: network.region,
            uniformBucketLevelAccess: true,
            publicAccessPrevention: "enforced",
            versioning: { enabled: settings.production },
            forceDestroy: !settings.production,
        },
        keptOptions(parent, settings),
    );
    // storage.googleapis.com resolves to Google's private range inside the VPC, so that egress
    // goes to that range and not to the internet.
    const zone = new dns.ManagedZone(
        `${name}-apis`,
        {
            project: network.project,
            dnsName: "storage.googleapis.com.",
            visibility: "private",
            privateVisibilityConfig: { networks: [{ networkUrl: network.networkId }] },
            description: "Private Google Access for Cloud Storage",
        },
        plainOptions(parent, settings),
    );
    new dns.RecordSet(
        `${name}-apis`,
        {
            project: network.project,
            managedZone: zone.name,
            name: "storage.googleapis.com.",
            type: "A",
            ttl: 300,
            rrdatas: ["199.36.153.8", "199.36.153.9", "199.36.153.10", "199.36.153.11"],
        },
        plainOptions(parent, settings),
    );
    return {
        endpoint: "https://storage.googleapis.com",
        bucket: bucket.name,
        region: network.region,
        cidrs: [privateGoogleApis],
        resources: [bucket, zone],
        permission: { cloud: "gcp", bucketRoles: [{ bucket: bucket.name, role: "roles/storage.objectUser" }] },
    };
}
