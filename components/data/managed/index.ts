import type * as pulumi from "@pulumi/pulumi";
import type { ManagedBucket } from "../objectstore";
import type { ManagedRedis } from "../redis";
import type { ManagedBucketSettings, ManagedCacheSettings, ManagedDatabaseSettings, ManagedNetwork, ManagedProvisioner, ManagedServer } from "./server";

export type { ManagedNetwork } from "./server";

/** The managed stores a stack asks for, on the cloud network of its cluster. */
export interface ManagedStoresArgs {
    network: ManagedNetwork;
    postgres?: ManagedDatabaseSettings;
    redis?: ManagedCacheSettings;
    bucket?: ManagedBucketSettings;
}

export interface ManagedProvisioners {
    postgres?: ManagedProvisioner<ManagedServer>;
    redis?: ManagedProvisioner<ManagedRedis>;
    bucket?: (name: string, parent: pulumi.Resource) => ManagedBucket;
}

/**
 * The provisioners of the cloud the cluster runs in. Its module, and with it the cloud's SDK, is
 * loaded here and only here: a stack without managed stores loads none.
 */
export function loadManagedStores(args: ManagedStoresArgs): ManagedProvisioners {
    const { network } = args;
    switch (network.cloud) {
        case "aws": {
            const aws = require("./aws") as typeof import("./aws");
            return {
                postgres: args.postgres && ((name, parent, password) => aws.rdsPostgres(name, network, args.postgres!, parent, password)),
                redis: args.redis && ((name, parent, password) => aws.elasticacheRedis(name, network, args.redis!, parent, password)),
                bucket: args.bucket && ((name, parent) => aws.s3Bucket(name, network, args.bucket!, parent)),
            };
        }
        case "gcp": {
            const gcp = require("./gcp") as typeof import("./gcp");
            // Cloud SQL and Memorystore share the VPC's one peering with Google's services.
            let peering: ReturnType<typeof gcp.privateServicesAccess> | undefined;
            const peered = (name: string, parent: pulumi.Resource) =>
                (peering ??= gcp.privateServicesAccess(
                    `${name}-peering`,
                    network,
                    { production: false, protect: false, provider: args.postgres?.provider ?? args.redis?.provider },
                    parent,
                ));
            return {
                postgres:
                    args.postgres && ((name, parent, password) => gcp.cloudSqlPostgres(name, network, peered(name, parent), args.postgres!, parent, password)),
                redis: args.redis && ((name, parent) => gcp.memorystoreRedis(name, network, peered(name, parent), args.redis!, parent)),
                bucket: args.bucket && ((name, parent) => gcp.gcsBucket(name, network, args.bucket!, parent)),
            };
        }
        case "azure": {
            const azure = require("./azure") as typeof import("./azure");
            return {
                postgres: args.postgres && ((name, parent, password) => azure.flexiblePostgres(name, network, args.postgres!, parent, password)),
                redis: args.redis && ((name, parent) => azure.azureRedis(name, network, args.redis!, parent)),
                bucket: args.bucket && ((name, parent) => azure.blobContainer(name, network, args.bucket!, parent)),
            };
        }
    }
}
