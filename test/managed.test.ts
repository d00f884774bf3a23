import * as k8s from "@pulumi/kubernetes";
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { loadManagedStores, type ManagedNetwork } from "../components/data/managed";
import type { DataStoreConnection } from "../components/data/connection";
import { ObjectStore } from "../components/data/objectstore";
import { Postgres } from "../components/data/postgres";
import { Redis } from "../components/data/redis";
import { evaluate, manifestsOf, projectRoot, type Evaluation, type Manifest } from "../scripts/offline";
import { policyResources, runPack } from "./policyPack";
import { settingsOf } from "./support";

// Managed stores per cloud, under mocks: the cloud resources with their security-relevant inputs
// (private networking only, encryption at rest and in transit, backups, deletion protection in
// prod), and what the consumers get: the same variables as in every mode, egress to the cluster's
// network ranges alone, credentials only in Secrets.

const networks: Record<ManagedNetwork["cloud"], ManagedNetwork> = {
    aws: {
        cloud: "aws",
        region: "eu-west-1",
        vpcId: "vpc-0abc",
        privateSubnetIds: ["subnet-a", "subnet-b"],
        cidrs: ["10.0.0.0/16"],
        nodeSecurityGroupId: "sg-nodes",
    },
    gcp: {
        cloud: "gcp",
        project: "acme-prod",
        region: "europe-west1",
        networkId: "projects/acme-prod/global/networks/appstack",
        cidrs: ["10.10.0.0/20", "10.20.0.0/14"],
    },
    azure: {
        cloud: "azure",
        location: "westeurope",
        resourceGroupName: "appstack-rg",
        vnetId: "/subscriptions/s/resourceGroups/appstack-rg/providers/Microsoft.Network/virtualNetworks/appstack",
        nodeSubnetId: "/subscriptions/s/.../subnets/nodes",
        cidrs: ["10.224.0.0/12"],
    },
};

interface Rendered extends Evaluation {
    manifests: Manifest[];
    of(type: string): any[];
    connections: DataStoreConnection[];
}

async function renderManaged(cloud: ManagedNetwork["cloud"], production: boolean): Promise<Rendered> {
    const kept = { production, protect: production };
    const connections: DataStoreConnection[] = [];
    const evaluation = await evaluate(`managed-${cloud}`, settingsOf({}), async () => {
        const provider = new k8s.Provider("cluster", { kubeconfig: "unused" });
        const managed = loadManagedStores({
            network: networks[cloud],
            postgres: { ...kept, database: "app", username: "app", storageGb: 50, highAvailability: production, backupRetentionDays: 14 },
            redis: { ...kept, highAvailability: production },
            bucket: { ...kept, bucket: "acme-appstack-prod" },
        });
        const common = { appName: "appstack", namespace: "appstack-prod", protect: production, retain: production, clients: ["api"] };
        connections.push(
            new ObjectStore(
                "appstack-objectstore",
                { ...common, bucket: "acme-appstack-prod", server: { mode: "managed", provision: managed.bucket! } },
                { providers: [provider] },
            ).connection,
            new Redis("appstack-redis", { ...common, server: { mode: "managed", provision: managed.redis! } }, { providers: [provider] }).connection,
            new Postgres(
                "appstack-postgres",
                { ...common, database: "app", username: "app", server: { mode: "managed", provision: managed.postgres!, sslMode: "require" } },
                { providers: [provider] },
            ).connection,
        );
    });
    const manifests = manifestsOf(evaluation.resources);
    return {
        ...evaluation,
        manifests,
        connections,
        of: (type) => evaluation.resources.filter((r) => r.type === type).map((r) => ({ ...r.inputs, protect: r.protect })),
    };
}

function sharedChecks(rendered: () => Rendered) {
    it("creates no server in the cluster, and keeps every credential in a Secret", () => {
        const { manifests, resources } = rendered();
        assert.ok(!manifests.some((m) => m.kind === "StatefulSet"));
        const secrets = manifests.filter((m) => m.kind === "Secret");
        assert.deepEqual(secrets.map((m) => m.metadata.name).sort(), ["appstack-postgres", "appstack-redis"]);
        for (const secret of secrets) {
            assert.ok(
                Object.values(secret.stringData as object).every((value) => value === "[secret]"),
                secret.metadata.name,
            );
        }
        assert.ok(!JSON.stringify(resources).includes("generated-password"));
    });

    it("passes the cloud rules of the policy pack (no public data, encryption, deletion protection in prod)", async () => {
        const violations = await runPack(policyResources(rendered().resources), {
            "deletion-protection": "mandatory",
            "no-public-data": "mandatory",
            "encrypted-at-rest": "mandatory",
        });
        assert.deepEqual(
            violations.filter((v) => v.level === "mandatory"),
            [],
        );
    });
}

describe("managed data stores on AWS", () => {
    let prod: Rendered;
    let dev: Rendered;
    before(async () => {
        prod = await renderManaged("aws", true);
        dev = await renderManaged("aws", false);
    });
    sharedChecks(() => prod);

    it("runs PostgreSQL 17 on RDS: private, encrypted, TLS forced, backed up, protected in prod", () => {
        const [db] = prod.of("aws:rds/instance:Instance");
        assert.equal(db.engine, "postgres");
        assert.equal(db.engineVersion, "17");
        assert.equal(db.publiclyAccessible, false);
        assert.equal(db.storageEncrypted, true);
        assert.equal(db.backupRetentionPeriod, 14);
        assert.equal(db.deletionProtection, true);
        assert.equal(db.multiAz, true);
        assert.equal(db.skipFinalSnapshot, false);
        assert.equal(db.password, "[secret]");
        assert.ok(db.protect);
        assert.deepEqual(prod.of("aws:rds/parameterGroup:ParameterGroup")[0].parameters, [{ name: "rds.force_ssl", value: "1" }]);
        const [devDb] = dev.of("aws:rds/instance:Instance");
        assert.equal(devDb.deletionProtection, false);
        assert.equal(devDb.skipFinalSnapshot, true);
    });

    it("admits only the cluster's nodes and pods to the database and the cache", () => {
        for (const group of prod.of("aws:ec2/securityGroup:SecurityGroup")) {
            assert.equal(group.ingress.length, 1);
            assert.deepEqual(group.ingress[0].securityGroups, ["sg-nodes"]);
            assert.equal(group.ingress[0].cidrBlocks, undefined);
        }
    });

    it("runs Redis on ElastiCache with TLS, encryption at rest and an auth token", () => {
        const [cache] = prod.of("aws:elasticache/replicationGroup:ReplicationGroup");
        assert.equal(cache.transitEncryptionEnabled, true);
        assert.equal(cache.atRestEncryptionEnabled, true);
        assert.equal(cache.authToken, "[secret]");
        assert.equal(cache.automaticFailoverEnabled, true);
    });

    it("keeps the bucket private, encrypted, versioned in prod, TLS only, reached through the VPC", () => {
        const [block] = prod.of("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock");
        assert.deepEqual([block.blockPublicAcls, block.blockPublicPolicy, block.ignorePublicAcls, block.restrictPublicBuckets], [true, true, true, true]);
        assert.equal(
            prod.of("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")[0].rules[0].applyServerSideEncryptionByDefault
                .sseAlgorithm,
            "aws:kms",
        );
        assert.equal(prod.of("aws:s3/bucketVersioning:BucketVersioning")[0].versioningConfiguration.status, "Enabled");
        assert.match(prod.of("aws:s3/bucketPolicy:BucketPolicy")[0].policy, /aws:SecureTransport/);
        const [endpoint] = prod.of("aws:ec2/vpcEndpoint:VpcEndpoint");
        assert.equal(endpoint.vpcEndpointType, "Interface");
        assert.equal(endpoint.privateDnsEnabled, true);
    });
});

describe("managed data stores on GCP", () => {
    let prod: Rendered;
    before(async () => (prod = await renderManaged("gcp", true)));
    sharedChecks(() => prod);

    it("runs PostgreSQL 17 on Cloud SQL with a private IP only, TLS only, backups and deletion protection", () => {
        const [db] = prod.of("gcp:sql/databaseInstance:DatabaseInstance");
        assert.equal(db.databaseVersion, "POSTGRES_17");
        assert.equal(db.settings.ipConfiguration.ipv4Enabled, false);
        assert.equal(db.settings.ipConfiguration.privateNetwork, networks.gcp.cloud === "gcp" ? networks.gcp.networkId : "");
        assert.equal(db.settings.ipConfiguration.sslMode, "ENCRYPTED_ONLY");
        assert.equal(db.settings.backupConfiguration.enabled, true);
        assert.equal(db.settings.availabilityType, "REGIONAL");
        assert.equal(db.deletionProtection, true);
        assert.equal(db.settings.deletionProtectionEnabled, true);
        assert.equal(prod.of("gcp:servicenetworking/connection:Connection").length, 1, "one peering shared by Cloud SQL and Memorystore");
    });

    it("runs Memorystore with AUTH and TLS, and a bucket with uniform access and public access prevention", () => {
        const [cache] = prod.of("gcp:redis/instance:Instance");
        assert.equal(cache.authEnabled, true);
        assert.equal(cache.transitEncryptionMode, "SERVER_AUTHENTICATION");
        assert.equal(cache.connectMode, "PRIVATE_SERVICE_ACCESS");
        const [bucket] = prod.of("gcp:storage/bucket:Bucket");
        assert.equal(bucket.uniformBucketLevelAccess, true);
        assert.equal(bucket.publicAccessPrevention, "enforced");
    });
});

describe("managed data stores on Azure", () => {
    let prod: Rendered;
    before(async () => (prod = await renderManaged("azure", true)));
    sharedChecks(() => prod);

    it("puts every store behind a private endpoint in the cluster's subnet, with public access off", () => {
        const [db] = prod.of("azure-native:dbforpostgresql:Server");
        assert.equal(db.version, "17");
        assert.equal(db.network.publicNetworkAccess, "Disabled");
        assert.equal(db.backup.backupRetentionDays, 14);
        assert.equal(db.highAvailability.mode, "ZoneRedundant");
        const [cache] = prod.of("azure-native:redis:Redis");
        assert.equal(cache.publicNetworkAccess, "Disabled");
        assert.equal(cache.enableNonSslPort, false);
        const [account] = prod.of("azure-native:storage:StorageAccount");
        assert.equal(account.publicNetworkAccess, "Disabled");
        assert.equal(account.allowBlobPublicAccess, false);
        assert.equal(account.allowSharedKeyAccess, false);
        const endpoints = prod.of("azure-native:network:PrivateEndpoint");
        assert.deepEqual(endpoints.map((e) => e.privateLinkServiceConnections[0].groupIds[0]).sort(), ["blob", "postgresqlServer", "redisCache"]);
        assert.ok(endpoints.every((e) => e.subnet.id === (networks.azure.cloud === "azure" ? networks.azure.nodeSubnetId : "")));
    });
});

describe("the connection of a managed store", () => {
    const egressOf = (connection: DataStoreConnection) => connection.egress.map((rule) => [(rule.peer as { cidr: string }).cidr, ...rule.ports]);
    const byKind = (rendered: Rendered, kind: string) => rendered.connections.find((c) => c.kind === kind)!;

    for (const [cloud, redisPort, bucketRanges] of [
        ["aws", 6379, ["10.0.0.0/16"]],
        ["gcp", 6378, ["199.36.153.8/30"]],
        ["azure", 6380, ["10.224.0.0/12"]],
    ] as const) {
        it(`on ${cloud}: the same variables as the other modes, and egress to the cluster's network alone`, async () => {
            const rendered = await renderManaged(cloud, false);
            const ranges = networks[cloud].cidrs as string[];
            assert.deepEqual(
                egressOf(byKind(rendered, "postgres")),
                ranges.map((cidr) => [cidr, 5432]),
            );
            assert.deepEqual(
                egressOf(byKind(rendered, "redis")),
                ranges.map((cidr) => [cidr, redisPort]),
            );
            assert.deepEqual(
                egressOf(byKind(rendered, "objectStore")),
                bucketRanges.map((cidr) => [cidr, 443]),
            );
            assert.deepEqual(Object.keys(byKind(rendered, "postgres").secretVariables), ["DATABASE_URL"]);
            assert.deepEqual(Object.keys(byKind(rendered, "redis").secretVariables), ["REDIS_URL"]);
            // Object storage is reached by the pods' cloud identity: no keys.
            assert.deepEqual(Object.keys(byKind(rendered, "objectStore").variables), ["S3_ENDPOINT", "S3_BUCKET", "S3_REGION"]);
            assert.deepEqual(byKind(rendered, "objectStore").secretVariables, {});
        });
    }

    it("hands clients the server's certificate authority where the cloud gives one", async () => {
        const rendered = await renderManaged("gcp", false);
        assert.ok("DATABASE_CA_CERT" in byKind(rendered, "postgres").variables);
        assert.ok("REDIS_CA_CERT" in byKind(rendered, "redis").variables);
    });

    it("loads no cloud SDK for a stack without managed stores", () => {
        const script = `require(${JSON.stringify(path.join(projectRoot, "bin", "scripts", "offline"))}).evaluateProgram("dev", require(${JSON.stringify(path.join(projectRoot, "bin", "scripts", "offline"))}).readStackSettings("dev")).then(() => { const sdks = Object.keys(require.cache).filter((f) => /@pulumi[\\\\/](aws|gcp|azure-native)[\\\\/]/.test(f)); console.log(JSON.stringify(sdks.length)); })`;
        const result = spawnSync(process.execPath, ["-e", script], { cwd: projectRoot, encoding: "utf8" });
        assert.equal(result.status, 0, result.stderr);
        assert.equal(result.stdout.trim().split("\n").pop(), "0");
    });
});
