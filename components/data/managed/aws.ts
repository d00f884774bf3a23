import * as ec2 from "@pulumi/aws/ec2";
import * as elasticache from "@pulumi/aws/elasticache";
import * as rds from "@pulumi/aws/rds";
import * as s3 from "@pulumi/aws/s3";
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

// AWS's managed stores, in the cluster's VPC: RDS PostgreSQL, ElastiCache Redis and an S3 bucket
// reached through an interface endpoint. Loaded only by stacks that ask for a managed store on EKS.

type AwsNetwork = Extract<ManagedNetwork, { cloud: "aws" }>;

/** A security group that admits the cluster's nodes and pods on one port, and nothing else. */
function admitCluster(name: string, network: AwsNetwork, port: number, parent: pulumi.Resource, settings: ManagedSettings): ec2.SecurityGroup {
    return new ec2.SecurityGroup(
        name,
        {
            vpcId: network.vpcId,
            description: `port ${port} from the cluster's nodes and pods`,
            ingress: [{ protocol: "tcp", fromPort: port, toPort: port, securityGroups: [network.nodeSecurityGroupId], description: "cluster nodes and pods" }],
            egress: [],
        },
        plainOptions(parent, settings),
    );
}

export function rdsPostgres(
    name: string,
    network: AwsNetwork,
    settings: ManagedDatabaseSettings,
    parent: pulumi.Resource,
    password: () => pulumi.Output<string>,
): ManagedServer {
    const port = 5432;
    const databasePassword = password();
    const subnets = new rds.SubnetGroup(
        name,
        { subnetIds: network.privateSubnetIds, description: "private subnets of the cluster's VPC" },
        plainOptions(parent, settings),
    );
    const firewall = admitCluster(`${name}-sg`, network, port, parent, settings);
    // Connections without TLS are refused by the server itself.
    const parameters = new rds.ParameterGroup(
        name,
        { family: "postgres17", parameters: [{ name: "rds.force_ssl", value: "1" }] },
        plainOptions(parent, settings),
    );
    const instance = new rds.Instance(
        name,
        {
            engine: "postgres",
            engineVersion: "17",
            instanceClass: settings.instanceClass ?? (settings.production ? "db.m7g.large" : "db.t4g.micro"),
            allocatedStorage: settings.storageGb,
            storageType: "gp3",
            storageEncrypted: true,
            dbName: settings.database,
            username: settings.username,
            password: databasePassword,
            port,
            dbSubnetGroupName: subnets.id,
            vpcSecurityGroupIds: [firewall.id],
            parameterGroupName: parameters.id,
            publiclyAccessible: false,
            multiAz: settings.highAvailability,
            backupRetentionPeriod: settings.backupRetentionDays,
            deletionProtection: settings.production,
            skipFinalSnapshot: !settings.production,
            finalSnapshotIdentifier: settings.production ? `${name}-final` : undefined,
            autoMinorVersionUpgrade: true,
            copyTagsToSnapshot: true,
        },
        keptOptions(parent, settings),
    );
    return { host: instance.address, port, cidrs: network.cidrs, resources: [instance] };
}

export function elasticacheRedis(
    name: string,
    network: AwsNetwork,
    settings: ManagedCacheSettings,
    parent: pulumi.Resource,
    password: () => pulumi.Output<string>,
): ManagedRedis {
    const port = 6379;
    const token = password();
    const subnets = new elasticache.SubnetGroup(
        name,
        { subnetIds: network.privateSubnetIds, description: "private subnets of the cluster's VPC" },
        plainOptions(parent, settings),
    );
    const firewall = admitCluster(`${name}-sg`, network, port, parent, settings);
    const group = new elasticache.ReplicationGroup(
        name,
        {
            description: "queues, caches and results of the application",
            engine: "redis",
            engineVersion: "7.1",
            nodeType: settings.instanceClass ?? (settings.production ? "cache.m7g.large" : "cache.t4g.micro"),
            numCacheClusters: settings.highAvailability ? 2 : 1,
            automaticFailoverEnabled: settings.highAvailability,
            multiAzEnabled: settings.highAvailability,
            port,
            subnetGroupName: subnets.id,
            securityGroupIds: [firewall.id],
            atRestEncryptionEnabled: true,
            transitEncryptionEnabled: true,
            authToken: token,
            snapshotRetentionLimit: settings.production ? 7 : 0,
            autoMinorVersionUpgrade: true,
        },
        keptOptions(parent, settings),
    );
    return { host: group.primaryEndpointAddress, port, cidrs: network.cidrs, resources: [group], password: token, tls: true };
}

export function s3Bucket(name: string, network: AwsNetwork, settings: ManagedBucketSettings, parent: pulumi.Resource): ManagedBucket {
    const bucket = new s3.Bucket(name, { bucket: settings.bucket, forceDestroy: !settings.production }, keptOptions(parent, settings));
    const options = { ...plainOptions(parent, settings), dependsOn: [bucket] };
    new s3.BucketPublicAccessBlock(
        name,
        { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
        options,
    );
    new s3.BucketOwnershipControls(name, { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } }, options);
    new s3.BucketServerSideEncryptionConfiguration(
        name,
        { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" }, bucketKeyEnabled: true }] },
        options,
    );
    new s3.BucketVersioning(name, { bucket: bucket.id, versioningConfiguration: { status: settings.production ? "Enabled" : "Suspended" } }, options);
    // TLS only: a request over plain HTTP is denied by the bucket itself.
    new s3.BucketPolicy(
        name,
        {
            bucket: bucket.id,
            policy: pulumi.jsonStringify({
                Version: "2012-10-17",
                Statement: [
                    {
                        Sid: "TlsOnly",
                        Effect: "Deny",
                        Principal: "*",
                        Action: "s3:*",
                        Resource: [bucket.arn, pulumi.interpolate`${bucket.arn}/*`],
                        Condition: { Bool: { "aws:SecureTransport": "false" } },
                    },
                ],
            }),
        },
        options,
    );
    // An interface endpoint gives S3 addresses inside the VPC, so that egress can be opened to the
    // VPC's ranges instead of to the internet.
    const endpointFirewall = admitCluster(`${name}-endpoint-sg`, network, 443, parent, settings);
    const endpoint = new ec2.VpcEndpoint(
        name,
        {
            vpcId: network.vpcId,
            serviceName: pulumi.interpolate`com.amazonaws.${network.region}.s3`,
            vpcEndpointType: "Interface",
            subnetIds: network.privateSubnetIds,
            securityGroupIds: [endpointFirewall.id],
            privateDnsEnabled: true,
            dnsOptions: { privateDnsOnlyForInboundResolverEndpoint: false },
        },
        plainOptions(parent, settings),
    );
    return {
        endpoint: pulumi.interpolate`https://s3.${network.region}.amazonaws.com`,
        bucket: bucket.bucket,
        region: network.region,
        cidrs: network.cidrs,
        resources: [bucket, endpoint],
        permission: {
            cloud: "aws",
            inlinePolicies: [
                pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: [
                        { Effect: "Allow", Action: ["s3:ListBucket"], Resource: [bucket.arn] },
                        {
                            Effect: "Allow",
                            Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"],
                            Resource: [pulumi.interpolate`${bucket.arn}/*`],
                        },
                    ],
                }),
            ],
        },
    };
}
