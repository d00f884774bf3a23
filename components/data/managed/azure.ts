import * as dbforpostgresql from "@pulumi/azure-native/dbforpostgresql";
import * as network from "@pulumi/azure-native/network";
import * as privatedns from "@pulumi/azure-native/privatedns";
import * as redis from "@pulumi/azure-native/redis";
import * as storage from "@pulumi/azure-native/storage";
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

// Azure's managed stores, each behind a private endpoint in the cluster's VNet with public
// network access off: Database for PostgreSQL Flexible Server, Azure Cache for Redis, and a
// storage account with a container. Loaded only by stacks that ask for a managed store on AKS.

type AzureNetwork = Extract<ManagedNetwork, { cloud: "azure" }>;

/** Storage Blob Data Contributor: read, write and delete blobs, nothing on the account. */
const blobDataContributor = "/providers/Microsoft.Authorization/roleDefinitions/ba92f5b4-2d11-453d-a403-e96b0029c9fe";

/**
 * A private endpoint for one service in the nodes' subnet, with the private DNS zone that makes
 * the service's own host name resolve to it inside the VNet.
 */
function privateEndpoint(
    name: string,
    net: AzureNetwork,
    resourceId: pulumi.Input<string>,
    groupId: string,
    zoneName: string,
    settings: ManagedSettings,
    parent: pulumi.Resource,
): network.PrivateEndpoint {
    const options = plainOptions(parent, settings);
    const zone = new privatedns.PrivateZone(name, { resourceGroupName: net.resourceGroupName, privateZoneName: zoneName, location: "Global" }, options);
    new privatedns.VirtualNetworkLink(
        name,
        {
            resourceGroupName: net.resourceGroupName,
            privateZoneName: zone.name,
            location: "Global",
            virtualNetwork: { id: net.vnetId },
            registrationEnabled: false,
        },
        options,
    );
    const endpoint = new network.PrivateEndpoint(
        name,
        {
            resourceGroupName: net.resourceGroupName,
            location: net.location,
            subnet: { id: net.nodeSubnetId },
            privateLinkServiceConnections: [{ name, privateLinkServiceId: resourceId, groupIds: [groupId] }],
        },
        options,
    );
    new network.PrivateDnsZoneGroup(
        name,
        { resourceGroupName: net.resourceGroupName, privateEndpointName: endpoint.name, privateDnsZoneConfigs: [{ name: groupId, privateDnsZoneId: zone.id }] },
        options,
    );
    return endpoint;
}

export function flexiblePostgres(
    name: string,
    net: AzureNetwork,
    settings: ManagedDatabaseSettings,
    parent: pulumi.Resource,
    password: () => pulumi.Output<string>,
): ManagedServer {
    const [skuName, tier] = settings.instanceClass
        ? [settings.instanceClass, settings.instanceClass.startsWith("Standard_B") ? "Burstable" : "GeneralPurpose"]
        : settings.production
          ? ["Standard_D2ds_v5", "GeneralPurpose"]
          : ["Standard_B1ms", "Burstable"];
    const server = new dbforpostgresql.Server(
        name,
        {
            resourceGroupName: net.resourceGroupName,
            location: net.location,
            version: "17",
            sku: { name: skuName, tier },
            storage: { storageSizeGB: settings.storageGb, autoGrow: "Enabled" },
            backup: { backupRetentionDays: settings.backupRetentionDays, geoRedundantBackup: settings.production ? "Enabled" : "Disabled" },
            highAvailability: { mode: settings.highAvailability ? "ZoneRedundant" : "Disabled" },
            // TLS is required by the server's default (require_secure_transport); data is
            // encrypted at rest with service-managed keys.
            network: { publicNetworkAccess: "Disabled" },
            administratorLogin: settings.username,
            administratorLoginPassword: password(),
            authConfig: { passwordAuth: "Enabled", activeDirectoryAuth: "Disabled" },
        },
        keptOptions(parent, settings),
    );
    const database = new dbforpostgresql.Database(
        name,
        { resourceGroupName: net.resourceGroupName, serverName: server.name, databaseName: settings.database, charset: "UTF8" },
        keptOptions(parent, settings),
    );
    const endpoint = privateEndpoint(`${name}-private`, net, server.id, "postgresqlServer", "privatelink.postgres.database.azure.com", settings, parent);
    return { host: server.fullyQualifiedDomainName, port: 5432, cidrs: net.cidrs, resources: [server, database, endpoint] };
}

export function azureRedis(name: string, net: AzureNetwork, settings: ManagedCacheSettings, parent: pulumi.Resource): ManagedRedis {
    const cache = new redis.Redis(
        name,
        {
            resourceGroupName: net.resourceGroupName,
            location: net.location,
            sku:
                settings.production || settings.highAvailability
                    ? { name: "Standard", family: "C", capacity: Number(settings.instanceClass ?? 1) }
                    : { name: "Basic", family: "C", capacity: Number(settings.instanceClass ?? 0) },
            redisVersion: "6",
            enableNonSslPort: false,
            minimumTlsVersion: "1.2",
            publicNetworkAccess: "Disabled",
        },
        keptOptions(parent, settings),
    );
    const endpoint = privateEndpoint(`${name}-private`, net, cache.id, "redisCache", "privatelink.redis.cache.windows.net", settings, parent);
    const keys = redis.listRedisKeysOutput({ name: cache.name, resourceGroupName: net.resourceGroupName }, { parent, provider: settings.provider });
    return { host: cache.hostName, port: 6380, cidrs: net.cidrs, resources: [cache, endpoint], password: pulumi.secret(keys.primaryKey), tls: true };
}

export function blobContainer(name: string, net: AzureNetwork, settings: ManagedBucketSettings, parent: pulumi.Resource): ManagedBucket {
    const account = new storage.StorageAccount(
        name,
        {
            resourceGroupName: net.resourceGroupName,
            location: net.location,
            kind: "StorageV2",
            sku: { name: settings.production ? "Standard_ZRS" : "Standard_LRS" },
            allowBlobPublicAccess: false,
            // Pods reach it with their workload identity, never with the account's keys.
            allowSharedKeyAccess: false,
            publicNetworkAccess: "Disabled",
            enableHttpsTrafficOnly: true,
            minimumTlsVersion: "TLS1_2",
            encryption: { keySource: "Microsoft.Storage", requireInfrastructureEncryption: true, services: { blob: { enabled: true, keyType: "Account" } } },
        },
        keptOptions(parent, settings),
    );
    const container = new storage.BlobContainer(
        name,
        { resourceGroupName: net.resourceGroupName, accountName: account.name, containerName: settings.bucket, publicAccess: "None" },
        keptOptions(parent, settings),
    );
    const endpoint = privateEndpoint(`${name}-private`, net, account.id, "blob", "privatelink.blob.core.windows.net", settings, parent);
    return {
        endpoint: account.primaryEndpoints.blob,
        bucket: container.name,
        region: net.location,
        cidrs: net.cidrs,
        resources: [account, container, endpoint],
        permission: { cloud: "azure", roleAssignments: [{ roleDefinitionId: blobDataContributor, scope: container.id }] },
    };
}
