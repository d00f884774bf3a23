import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { strict as assert } from "node:assert";
import { isDeepStrictEqual } from "node:util";
import { App } from "../components/app";
import type { DataStoreConnection } from "../components/data/connection";
import { evaluate, manifestsOf, type Manifest } from "../scripts/offline";
import { appArgs } from "../stacks/args";
import { parseValues, settingsOf, settingsRead, stackValues } from "./support";

// The seam the data stores plug into: whatever provides a store hands the app a connection, and
// the app wires its settings, credentials and network access.

const postgres: DataStoreConnection = {
    name: "postgres",
    settings: { DATABASE_HOST: "db.internal.example.com", DATABASE_NAME: "app" },
    secrets: { DATABASE_URL: pulumi.secret("postgresql://app:pw-never-shown@db.internal.example.com/app") },
    endpoint: { peer: { cidr: "10.20.0.0/24" }, ports: [5432] },
};

describe("a data store connection", () => {
    let manifests: Manifest[];
    let everything: string;

    before(async () => {
        // The local stack has a frontend, which must get no access to the store.
        const config = parseValues("local", stackValues("local"));
        const evaluation = await evaluate("dev", settingsOf({}), async () => {
            const provider = new k8s.Provider("cluster", { kubeconfig: "unused" });
            new App("appstack", appArgs(config, { namespace: "appstack-dev", ingressPublishesStatus: true, dataStores: [postgres] }), { providers: [provider] });
        });
        manifests = manifestsOf(evaluation.resources);
        everything = JSON.stringify(evaluation.resources);
    });

    const find = (kind: string, name: string) => manifests.find((m) => m.kind === kind && m.metadata.name === name) as any;

    it("puts its settings in the ConfigMap and its credentials in the Secret", () => {
        for (const deployment of ["appstack-api", "appstack-worker-extraction"]) {
            const { configMap, secret } = settingsRead(manifests, find("Deployment", deployment).spec.template.spec);
            assert.equal(configMap.data!.DATABASE_HOST, "db.internal.example.com");
            assert.equal(configMap.data!.DATABASE_URL, undefined);
            assert.deepEqual(secret!.stringData, { DATABASE_URL: "[secret]" });
        }
        assert.ok(!everything.includes("pw-never-shown"));
        const env = find("Deployment", "appstack-worker-extraction").spec.template.spec.containers[0].env;
        assert.ok(env.some((e: any) => e.name === "DATABASE_URL" && e.valueFrom.secretKeyRef.key === "DATABASE_URL"));
    });

    it("opens egress to it from the api, the workers and the jobs, and from nothing else", () => {
        const toDatabase = { to: [{ ipBlock: { cidr: "10.20.0.0/24" } }], ports: [{ protocol: "TCP", port: 5432 }] };
        const policies = manifests.filter((m) => m.kind === "NetworkPolicy");
        const withEgressToDatabase = policies.filter((policy: any) => (policy.spec.egress ?? []).some((rule: unknown) => isDeepStrictEqual(rule, toDatabase)));
        assert.deepEqual(withEgressToDatabase.map((policy) => policy.metadata.name).sort(), ["appstack-api", "appstack-jobs", "appstack-worker-extraction", "appstack-worker-indexing"]);
        for (const policy of withEgressToDatabase) {
            assert.deepEqual((policy as any).spec.egress, [toDatabase], policy.metadata.name);
        }
        assert.ok(find("NetworkPolicy", "appstack-frontend"), "the frontend is there to be left out");
    });
});

describe("the migrations of a database", () => {
    const jobName = async (database: string | undefined) => {
        const config = parseValues("dev", stackValues("dev"));
        const evaluation = await evaluate("dev", settingsOf({}), async () => {
            const provider = new k8s.Provider("cluster", { kubeconfig: "unused" });
            const args = appArgs(config, { namespace: "appstack-dev", ingressPublishesStatus: true, dataStores: [postgres] });
            new App("appstack", { ...args, migrations: { ...args.migrations!, database } }, { providers: [provider] });
        });
        return manifestsOf(evaluation.resources).find((m) => m.kind === "Job")!.metadata.name;
    };

    it("run again when the app is pointed at another database, and not otherwise", async () => {
        const first = await jobName("db.internal.example.com/app");
        assert.equal(await jobName("db.internal.example.com/app"), first);
        assert.notEqual(await jobName("db2.internal.example.com/app"), first);
        assert.notEqual(await jobName(undefined), first);
    });
});
