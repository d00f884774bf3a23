import { strict as assert } from "node:assert";
import { evaluate, stackSettingsFromValues } from "../scripts/offline";
import { policyResources, runPack } from "./policyPack";

// The cloud rules name type tokens and inputs of @pulumi/aws, @pulumi/gcp and @pulumi/azure-native
// without importing them. Here the real SDK classes register each kind of resource the rules
// read, with inputs that break them, so that a renamed token or input fails a test.

const sdks = ["@pulumi/aws", "@pulumi/gcp", "@pulumi/azure-native"];
const installed = (name: string) => {
    try {
        require.resolve(`${name}/package.json`);
        return true;
    } catch {
        return false;
    }
};
/** The SDKs arrive with the cloud targets; until then this test is pending, not passed. */
const load = (module: string): any => require(module);

describe("the cloud policy rules against the cloud SDKs", function () {
    this.timeout(60_000);

    it("reads the tokens and inputs the SDKs register", async function () {
        if (!sdks.every(installed)) {
            this.skip();
        }
        const { resources } = await evaluate("sdk", stackSettingsFromValues({}), async () => {
            const rds = load("@pulumi/aws/rds");
            const elasticache = load("@pulumi/aws/elasticache");
            const s3 = load("@pulumi/aws/s3");
            const eks = load("@pulumi/aws/eks");
            const sql = load("@pulumi/gcp/sql");
            const storage = load("@pulumi/gcp/storage");
            const container = load("@pulumi/gcp/container");
            const postgres = load("@pulumi/azure-native/dbforpostgresql");
            const redis = load("@pulumi/azure-native/redis");
            const azureStorage = load("@pulumi/azure-native/storage");
            const aks = load("@pulumi/azure-native/containerservice");
            new rds.Instance("rds", { instanceClass: "db.t4g.micro", engine: "postgres", publiclyAccessible: true });
            new elasticache.ReplicationGroup("elasticache", { description: "cache" });
            new s3.BucketAcl("s3-acl", { bucket: "bucket", acl: "public-read" });
            new eks.Cluster("eks", { roleArn: "role", vpcConfig: { subnetIds: ["subnet"] } });
            new sql.DatabaseInstance("cloudsql", { databaseVersion: "POSTGRES_17", settings: { tier: "db-f1-micro", ipConfiguration: { ipv4Enabled: true } } });
            new storage.Bucket("gcs", { location: "EU" });
            new container.Cluster("gke", { location: "europe-west1" });
            new postgres.Server("azure-postgres", { resourceGroupName: "rg", network: { publicNetworkAccess: "Enabled" } });
            new redis.Redis("azure-redis", { resourceGroupName: "rg", sku: { name: "Basic", family: "C", capacity: 0 } });
            new azureStorage.StorageAccount("azure-storage", {
                resourceGroupName: "rg",
                kind: "StorageV2",
                sku: { name: "Standard_LRS" },
                allowBlobPublicAccess: true,
            });
            new aks.ManagedCluster("aks", { resourceGroupName: "rg", agentPoolProfiles: [{ name: "system", mode: "System", enableNodePublicIP: true }] });
        });
        const violations = await runPack(policyResources(resources), { "deletion-protection": "mandatory" });
        const found = (name: string) => [...new Set(violations.filter((v) => v.message.includes(` ${name}: `)).map((v) => v.policy))].sort();
        assert.deepEqual(found("rds"), ["deletion-protection", "encrypted-at-rest", "no-public-data"]);
        assert.deepEqual(found("elasticache"), ["deletion-protection", "encrypted-at-rest", "no-public-data"]);
        assert.deepEqual(found("s3-acl"), ["no-public-data"]);
        assert.deepEqual(found("eks"), ["deletion-protection", "encrypted-at-rest"]);
        assert.deepEqual(found("cloudsql"), ["deletion-protection", "no-public-data"]);
        assert.deepEqual(found("gcs"), ["deletion-protection", "no-public-data"]);
        assert.deepEqual(found("gke"), ["deletion-protection", "encrypted-at-rest", "private-nodes"]);
        assert.deepEqual(found("azure-postgres"), ["deletion-protection", "no-public-data"]);
        assert.deepEqual(found("azure-redis"), ["deletion-protection", "no-public-data"]);
        assert.deepEqual(found("azure-storage"), ["deletion-protection", "no-public-data"]);
        assert.deepEqual(found("aks"), ["deletion-protection", "encrypted-at-rest", "private-nodes"]);
    });
});
