import { strict as assert } from "node:assert";
import * as YAML from "yaml";
import type { DataStoreConnection } from "../components/data/connection";
import { consumerEnvironment } from "../components/data/consumer";
import { podTemplates } from "../policy/objects";
import { policyResources, runPack, stackPolicyConfig } from "./policyPack";
import { schemaViolation } from "./schemas";
import { clone, render, renderCommitted, renderInvalid, stackValues, type Rendered } from "./support";

// The data stores, in every mode, through the program's public surface: the objects a stack
// config produces and their security-relevant inputs, the variables and egress each component
// gets, and the config that is refused.

type Values = Record<string, any>;

const container = (rendered: Rendered, kind: string, name: string): any => {
    const owner = podTemplates(rendered.manifests).find(({ object }) => object.kind === kind && object.metadata.name === name);
    assert.ok(owner, `no ${kind} ${name}`);
    return owner.podSpec.containers[0];
};
const envNames = (c: any): string[] => c.env.map((e: any) => e.name);
const secretRef = (c: any, name: string) => c.env.find((e: any) => e.name === name)?.valueFrom?.secretKeyRef;
const plainValue = (c: any, name: string) => c.env.find((e: any) => e.name === name)?.value;
const egressOf = (rendered: Rendered, policy: string): any[] => (rendered.find("NetworkPolicy", policy) as any).spec.egress;
const componentPeer = (component: string) => ({
    podSelector: { matchLabels: { "app.kubernetes.io/name": "appstack", "app.kubernetes.io/component": component } },
});
const toComponent = (component: string, port: number) => ({ to: [componentPeer(component)], ports: [{ protocol: "TCP", port }] });
const toCidr = (cidr: string, port: number) => ({ to: [{ ipBlock: { cidr } }], ports: [{ protocol: "TCP", port }] });

const storeVariables = {
    postgres: ["DATABASE_URL"],
    redis: ["REDIS_URL"],
    objectStore: ["S3_ENDPOINT", "S3_BUCKET", "S3_REGION", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY"],
    search: ["MEILI_URL", "MEILI_MASTER_KEY"],
};

describe("the connection contract", () => {
    const fake = (kind: DataStoreConnection["kind"], variables: Record<string, string>, secret: string[]): DataStoreConnection => ({
        kind,
        variables,
        secretVariables: Object.fromEntries(secret.map((key) => [key, { secretName: kind, key }])),
        egress: [{ peer: { component: kind }, ports: [1] }],
        waitFor: [],
        identity: kind,
    });
    const postgres = fake("postgres", {}, ["DATABASE_URL"]);
    const search = fake("search", { MEILI_URL: "http://search:7700" }, ["MEILI_MASTER_KEY"]);

    it("gives a component the variables and egress of the stores it uses, and of no other", () => {
        const env = consumerEnvironment("worker-a", ["search"], [postgres, search]);
        assert.deepEqual(Object.keys(env.variables), ["MEILI_URL"]);
        assert.deepEqual(Object.keys(env.secretVariables), ["MEILI_MASTER_KEY"]);
        assert.deepEqual(env.egress, search.egress);
    });

    it("refuses a variable set by two stores, or by a store and the application's settings", () => {
        const clash = fake("redis", { MEILI_URL: "redis://elsewhere" }, []);
        assert.throws(
            () => consumerEnvironment("api", ["search", "redis"], [search, clash]),
            /api: variable MEILI_URL is set by both the search store and the redis store/,
        );
        assert.throws(
            () => consumerEnvironment("api", ["postgres"], [postgres], ["DATABASE_URL"]),
            /DATABASE_URL is set by both the application's own settings and the postgres store/,
        );
    });

    it("refuses a store the stack does not provide", () => {
        assert.throws(() => consumerEnvironment("api", ["redis"], [postgres]), /api uses the redis store, which this stack does not provide/);
    });
});

describe("bundled data stores (the dev stack)", () => {
    let dev: Rendered;
    before(async () => (dev = await renderCommitted("dev")));

    const servers = [
        { store: "postgres", port: 5432, size: "10Gi", image: /^postgres:17\.\d+-bookworm$/, data: "/var/lib/postgresql/data" },
        { store: "redis", port: 6379, size: "2Gi", image: /^redis:7\.4\.\d+-bookworm$/, data: "/data" },
        { store: "objectstore", port: 9000, size: "10Gi", image: /^minio\/minio:RELEASE\.\d{4}-/, data: "/data" },
        { store: "search", port: 7700, size: "5Gi", image: /^getmeili\/meilisearch:v1\.\d+\.\d+$/, data: "/meili_data" },
    ];

    for (const { store, port, size, image, data } of servers) {
        it(`runs ${store} as a StatefulSet on a pinned image with its own claim, Services, budget and probes`, () => {
            const sts = dev.find("StatefulSet", `appstack-${store}`) as any;
            assert.equal(sts.spec.replicas, 1);
            assert.equal(sts.spec.serviceName, `appstack-${store}-headless`);
            const claim = sts.spec.volumeClaimTemplates[0];
            assert.deepEqual(claim.spec.resources.requests, { storage: size });
            assert.equal(claim.spec.storageClassName, undefined, "the cluster's default class");
            const c = sts.spec.template.spec.containers[0];
            assert.match(c.image, image);
            assert.deepEqual(
                c.ports.map((p: any) => p.containerPort),
                [port],
            );
            assert.ok(c.volumeMounts.some((m: any) => m.name === "data" && m.mountPath === data));
            for (const probe of ["startupProbe", "livenessProbe", "readinessProbe"]) {
                assert.ok(c[probe].exec || c[probe].httpGet || c[probe].tcpSocket, `${store} ${probe}`);
            }
            assert.equal(sts.spec.template.spec.securityContext.fsGroup, 10001);
            assert.equal(c.securityContext.readOnlyRootFilesystem, true);
            assert.equal((dev.find("Service", `appstack-${store}-headless`) as any).spec.clusterIP, "None");
            assert.equal((dev.find("Service", `appstack-${store}`) as any).spec.ports[0].port, port);
            assert.deepEqual((dev.find("PodDisruptionBudget", `appstack-${store}`) as any).spec.selector.matchLabels, sts.spec.selector.matchLabels);
            // dev keeps no claim after the stack is gone.
            assert.equal(sts.spec.persistentVolumeClaimRetentionPolicy.whenDeleted, "Delete");
        });
    }

    it("restarts a server only when it stops accepting connections, not when it is busy", () => {
        for (const store of ["postgres", "redis", "search"]) {
            const c = container(dev, "StatefulSet", `appstack-${store}`);
            assert.ok(c.livenessProbe.tcpSocket, store);
            assert.notDeepEqual(c.livenessProbe, c.readinessProbe);
        }
        assert.equal(container(dev, "StatefulSet", "appstack-objectstore").livenessProbe.httpGet.path, "/minio/health/live");
    });

    it("runs a bundled server on the image the config names, pinned by digest", async () => {
        const digest = `sha256:${"cd".repeat(32)}`;
        const values = clone(stackValues("dev"));
        values.data = { postgres: { bundled: { image: { repository: "registry.example.com/mirror/postgres", tag: "17.6-bookworm", digest } } } };
        const rendered = await render("dev", values);
        assert.equal(container(rendered, "StatefulSet", "appstack-postgres").image, `registry.example.com/mirror/postgres@${digest}`);
    });

    it("probes each server the way it answers: pg_isready, a PING, the HTTP health endpoints", () => {
        assert.equal(container(dev, "StatefulSet", "appstack-postgres").readinessProbe.exec.command[0], "pg_isready");
        assert.match(container(dev, "StatefulSet", "appstack-redis").readinessProbe.exec.command.join(" "), /redis-cli .*ping/);
        assert.equal(container(dev, "StatefulSet", "appstack-objectstore").readinessProbe.httpGet.path, "/minio/health/ready");
        assert.equal(container(dev, "StatefulSet", "appstack-search").readinessProbe.httpGet.path, "/health");
    });

    it("admits to each server only the components that use it", () => {
        const admitted = (store: string) =>
            (dev.find("NetworkPolicy", `appstack-${store}`) as any).spec.ingress
                .map((rule: any) => rule.from[0].podSelector.matchLabels["app.kubernetes.io/component"])
                .sort();
        assert.deepEqual(admitted("postgres"), ["api", "cron-sync", "migrations", "worker-extraction", "worker-indexing"]);
        assert.deepEqual(admitted("redis"), ["api", "worker-extraction", "worker-indexing"]);
        assert.deepEqual(admitted("objectstore"), ["api", "objectstore-setup", "worker-extraction"]);
        assert.deepEqual(admitted("search"), ["api", "worker-indexing"]);
        for (const store of ["postgres", "redis", "objectstore", "search"]) {
            assert.deepEqual(egressOf(dev, `appstack-${store}`), [], `${store} opens no connection`);
        }
    });

    it("gives each component the variables of the stores it uses and no other", () => {
        const expected: Record<string, (keyof typeof storeVariables)[]> = {
            "Deployment appstack-api": ["postgres", "redis", "objectStore", "search"],
            "Deployment appstack-worker-extraction": ["postgres", "redis", "objectStore"],
            "Deployment appstack-worker-indexing": ["postgres", "redis", "search"],
            "CronJob appstack-cron-sync": ["postgres"],
        };
        const all = Object.values(storeVariables).flat();
        for (const [owner, stores] of Object.entries(expected)) {
            const [kind, name] = owner.split(" ");
            const names = envNames(container(dev, kind, name)).filter((n) => all.includes(n));
            assert.deepEqual(names.sort(), stores.flatMap((store) => storeVariables[store]).sort(), owner);
        }
        const migrations = podTemplates(dev.manifests).find(({ object }) => object.kind === "Job" && object.metadata.name!.startsWith("appstack-migrate-"))!;
        assert.deepEqual(
            envNames(migrations.podSpec.containers[0]).filter((n) => all.includes(n)),
            ["DATABASE_URL"],
        );
    });

    it("reads credentials from the stores' Secrets and sets only endpoints in plain", () => {
        const api = container(dev, "Deployment", "appstack-api");
        assert.deepEqual(secretRef(api, "DATABASE_URL"), { name: "appstack-postgres", key: "DATABASE_URL" });
        assert.deepEqual(secretRef(api, "REDIS_URL"), { name: "appstack-redis", key: "REDIS_URL" });
        assert.deepEqual(secretRef(api, "S3_SECRET_ACCESS_KEY"), { name: "appstack-objectstore", key: "S3_SECRET_ACCESS_KEY" });
        assert.deepEqual(secretRef(api, "MEILI_MASTER_KEY"), { name: "appstack-search", key: "MEILI_MASTER_KEY" });
        assert.equal(plainValue(api, "S3_ENDPOINT"), "http://appstack-objectstore.appstack-dev.svc:9000");
        assert.equal(plainValue(api, "S3_BUCKET"), "appstack-dev");
        assert.equal(plainValue(api, "MEILI_URL"), "http://appstack-search.appstack-dev.svc:7700");
        for (const store of ["postgres", "redis", "objectstore", "search"]) {
            const { stringData } = dev.find("Secret", `appstack-${store}`) as any;
            assert.ok(Object.keys(stringData).length > 0, store);
            assert.ok(
                Object.values(stringData).every((value) => value === "[secret]"),
                `${store}: ${JSON.stringify(stringData)}`,
            );
        }
        assert.deepEqual(Object.keys((dev.find("Secret", "appstack-objectstore") as any).stringData).sort(), [
            "MINIO_ROOT_PASSWORD",
            "MINIO_ROOT_USER",
            "S3_ACCESS_KEY_ID",
            "S3_SECRET_ACCESS_KEY",
        ]);
        const passwords = dev.resources.filter((r) => r.type === "random:index/randomPassword:RandomPassword");
        assert.equal(passwords.length, 7);
        assert.ok(!JSON.stringify(dev.manifests).includes("generated-password"));
    });

    it("opens egress from each component to the stores it uses, and nowhere else", () => {
        assert.deepEqual(egressOf(dev, "appstack-worker-extraction"), [
            toComponent("postgres", 5432),
            toComponent("redis", 6379),
            toComponent("objectstore", 9000),
        ]);
        assert.deepEqual(egressOf(dev, "appstack-worker-indexing"), [toComponent("postgres", 5432), toComponent("redis", 6379), toComponent("search", 7700)]);
        assert.deepEqual(egressOf(dev, "appstack-api"), [
            toComponent("postgres", 5432),
            toComponent("redis", 6379),
            toComponent("objectstore", 9000),
            toComponent("search", 7700),
        ]);
        assert.deepEqual(egressOf(dev, "appstack-migrations-egress"), [toComponent("postgres", 5432)]);
        assert.deepEqual(egressOf(dev, "appstack-cron-sync-egress"), [toComponent("postgres", 5432)]);
        assert.deepEqual(egressOf(dev, "appstack-jobs"), []);
    });

    it("starts the consumers after the stores they use", () => {
        const urnOf = (type: string, name: string) => dev.resources.find((r) => r.type === type && (r.inputs as any).metadata?.name === name)!;
        const postgres = urnOf("kubernetes:apps/v1:StatefulSet", "appstack-postgres").urn;
        const search = urnOf("kubernetes:apps/v1:StatefulSet", "appstack-search").urn;
        const job = dev.resources.find((r) => r.type === "kubernetes:batch/v1:Job" && (r.inputs as any).metadata.name.startsWith("appstack-migrate-"))!;
        assert.ok(job.dependencies.includes(postgres));
        assert.ok(!job.dependencies.includes(search));
        assert.ok(urnOf("kubernetes:apps/v1:Deployment", "appstack-worker-indexing").dependencies.includes(search));
        assert.ok(!urnOf("kubernetes:apps/v1:Deployment", "appstack-worker-extraction").dependencies.includes(search));
    });

    it("makes the bucket and an application user limited to it, so the application never holds the root credentials", () => {
        const setup = container(dev, "Job", "appstack-objectstore-setup");
        assert.match(setup.command.join(" "), /mc mb --ignore-existing/);
        const policy = JSON.parse(plainValue(setup, "BUCKET_POLICY"));
        assert.deepEqual(
            policy.Statement.flatMap((s: any) => s.Resource),
            ["arn:aws:s3:::appstack-dev", "arn:aws:s3:::appstack-dev/*"],
        );
        const api = container(dev, "Deployment", "appstack-api");
        assert.ok(!envNames(api).some((n) => n.startsWith("MINIO_ROOT")));
    });

    it("keeps Redis's password off the command line and in an append-only file", () => {
        const redis = container(dev, "StatefulSet", "appstack-redis");
        assert.deepEqual(redis.command, ["redis-server", "/etc/redis/redis.conf"]);
        assert.deepEqual(secretRef(redis, "REDISCLI_AUTH"), { name: "appstack-redis", key: "password" });
        const volume = (dev.find("StatefulSet", "appstack-redis") as any).spec.template.spec.volumes.find((v: any) => v.name === "config");
        assert.equal(volume.secret.secretName, "appstack-redis");
    });

    it("migrates again for another database, not for a new password", async () => {
        const jobName = (rendered: Rendered) =>
            rendered.manifests.find((m) => m.kind === "Job" && m.metadata.name!.startsWith("appstack-migrate-"))!.metadata.name;
        const values = clone(stackValues("dev"));
        const otherDatabase = await render("dev", { ...values, data: { postgres: { database: "shop" } } });
        assert.notEqual(jobName(otherDatabase), jobName(dev));
        const otherCache = await render("dev", { ...values, data: { redis: { bundled: { storage: { size: "3Gi" } } } } });
        assert.equal(jobName(otherCache), jobName(dev));
    });
});

describe("bundled data stores in prod", () => {
    let prod: Rendered;
    before(async () => (prod = await renderCommitted("prod")));

    it("retains and protects the servers, their claims and their credentials", () => {
        for (const store of ["postgres", "redis", "objectstore", "search"]) {
            const sts = prod.resources.find((r) => r.type === "kubernetes:apps/v1:StatefulSet" && (r.inputs as any).metadata.name === `appstack-${store}`)!;
            assert.ok(sts.protect, store);
            assert.equal((sts.inputs as any).spec.persistentVolumeClaimRetentionPolicy.whenDeleted, "Retain");
            const secret = prod.resources.find((r) => r.type === "kubernetes:core/v1:Secret" && (r.inputs as any).metadata.name === `appstack-${store}`)!;
            assert.ok(secret.protect, `${store} credentials`);
        }
        assert.ok(prod.resources.filter((r) => r.type.startsWith("random:")).every((r) => r.protect));
    });

    it("dumps the database nightly to the object store and prunes old dumps", () => {
        const cron = prod.find("CronJob", "appstack-postgres-backup") as any;
        assert.equal(cron.spec.schedule, "0 3 * * *");
        assert.equal(cron.spec.concurrencyPolicy, "Forbid");
        const pod = cron.spec.jobTemplate.spec.template.spec;
        assert.deepEqual(pod.initContainers[0].command.slice(0, 2), ["pg_dump", "--format=custom"]);
        assert.match(pod.containers[0].command.join(" "), /mc cp [^\n]*\nmc rm --recursive --force --older-than 30d/);
        assert.deepEqual(egressOf(prod, "appstack-postgres-backup"), [toComponent("postgres", 5432), toComponent("objectstore", 9000)]);
        const admitted = (store: string) =>
            (prod.find("NetworkPolicy", `appstack-${store}`) as any).spec.ingress.map(
                (rule: any) => rule.from[0].podSelector.matchLabels["app.kubernetes.io/component"],
            );
        assert.ok(admitted("postgres").includes("postgres-backup"));
        assert.ok(admitted("objectstore").includes("postgres-backup"));
    });

    it("uses the storage class and sizes the config names", async () => {
        const values = clone(stackValues("prod"));
        values.data = { postgres: { bundled: { storage: { size: "200Gi", storageClass: "fast-ssd" } } } };
        const rendered = await render("prod", values);
        const claim = (rendered.find("StatefulSet", "appstack-postgres") as any).spec.volumeClaimTemplates[0].spec;
        assert.equal(claim.storageClassName, "fast-ssd");
        assert.deepEqual(claim.resources.requests, { storage: "200Gi" });
    });
});

describe("external and disabled data stores", () => {
    const passwords = {
        pg: "pg-pass-never-shown",
        redis: "redis-pass-never-shown",
        key: "AKIA-never-shown",
        secret: "s3-secret-never-shown",
        meili: "meili-master-key-never-shown",
    };
    let rendered: Rendered;
    before(async () => {
        const values: Values = clone(stackValues("dev"));
        const data = {
            postgres: {
                mode: "external",
                external: { host: "db.corp.example.com", port: 6432, sslMode: "verify-full", cidrs: ["10.40.0.0/24", "10.41.0.0/24"] },
            },
            redis: { mode: "external", external: { host: "cache.corp.example.com", port: 6380, tls: true, cidrs: ["10.42.0.0/24"] } },
            objectStore: {
                mode: "external",
                bucket: "corp-appstack",
                external: { endpoint: "https://s3.corp.example.com:9443", region: "eu-central-1", cidrs: ["10.43.0.0/24"] },
            },
            search: { mode: "disabled" },
        };
        values.data = data;
        values.workers[1].uses = ["postgres", "redis"];
        rendered = await render("dev", values, {
            data: {
                ...data,
                postgres: { ...data.postgres, external: { ...data.postgres.external, password: passwords.pg } },
                redis: { ...data.redis, external: { ...data.redis.external, password: passwords.redis } },
                objectStore: { ...data.objectStore, external: { ...data.objectStore.external, accessKeyId: passwords.key, secretAccessKey: passwords.secret } },
            },
        });
    });

    it("creates no server in the cluster, only the credentials' Secrets", () => {
        assert.ok(!rendered.manifests.some((m) => m.kind === "StatefulSet"));
        assert.deepEqual(
            rendered.manifests
                .filter((m) => m.kind === "Secret" && m.metadata.name !== "appstack-secrets")
                .map((m) => m.metadata.name)
                .sort(),
            ["appstack-objectstore", "appstack-postgres", "appstack-redis"],
        );
        assert.ok(!rendered.resources.some((r) => r.type.startsWith("random:")));
    });

    it("opens egress to the configured ranges and ports, and nothing else", () => {
        assert.deepEqual(egressOf(rendered, "appstack-api"), [
            toCidr("10.40.0.0/24", 6432),
            toCidr("10.41.0.0/24", 6432),
            toCidr("10.42.0.0/24", 6380),
            toCidr("10.43.0.0/24", 9443),
        ]);
        assert.deepEqual(egressOf(rendered, "appstack-worker-indexing"), [
            toCidr("10.40.0.0/24", 6432),
            toCidr("10.41.0.0/24", 6432),
            toCidr("10.42.0.0/24", 6380),
        ]);
        assert.deepEqual(egressOf(rendered, "appstack-migrations-egress"), [toCidr("10.40.0.0/24", 6432), toCidr("10.41.0.0/24", 6432)]);
    });

    it("shows none of the credentials anywhere", () => {
        const everything = JSON.stringify(rendered.resources) + rendered.manifests.map((m) => YAML.stringify(m)).join("\n") + JSON.stringify(rendered.outputs);
        for (const value of Object.values(passwords)) {
            assert.ok(!everything.includes(value), value);
        }
    });

    it("gives the same variables as in bundled mode, and none of a disabled store", () => {
        const api = container(rendered, "Deployment", "appstack-api");
        const all = Object.values(storeVariables).flat();
        assert.deepEqual(
            envNames(api)
                .filter((n) => all.includes(n))
                .sort(),
            [...storeVariables.postgres, ...storeVariables.redis, ...storeVariables.objectStore].sort(),
        );
        assert.equal(plainValue(api, "S3_ENDPOINT"), "https://s3.corp.example.com:9443");
        assert.equal(plainValue(api, "S3_BUCKET"), "corp-appstack");
        assert.equal(plainValue(api, "S3_REGION"), "eu-central-1");
        assert.ok(!rendered.manifests.some((m) => m.metadata.name?.startsWith("appstack-search")));
    });

    it("is valid against the schemas and the policies", async () => {
        assert.deepEqual((await Promise.all(rendered.manifests.map(schemaViolation))).filter(Boolean), []);
        const violations = await runPack(policyResources(rendered.resources), stackPolicyConfig("prod"));
        assert.deepEqual(
            violations.filter((v) => v.level === "mandatory"),
            [],
        );
    });
});

describe("data store config that is refused", () => {
    const refused = async (change: (values: Values) => void, secrets: Record<string, unknown> = {}) => {
        const values: Values = clone(stackValues("dev"));
        change(values);
        const { error, registered } = await renderInvalid(values, secrets);
        assert.ok(
            registered.every((r) => r.type === "pulumi:pulumi:Stack"),
            "nothing registered",
        );
        return error.message;
    };

    it("refuses managed Meilisearch with the reason", async () => {
        const message = await refused((v) => (v.data = { search: { mode: "managed" } }));
        assert.match(message, /data\.search\.mode: got "managed"; allowed: .*no cloud runs Meilisearch as a managed service/);
    });

    it("refuses a managed store on a target that is not a cloud", async () => {
        const message = await refused((v) => (v.data = { postgres: { mode: "managed" } }));
        assert.match(message, /data\.postgres\.mode: got "managed"; allowed: "bundled" or "external" on a target of kind "existing"/);
    });

    it("refuses a component that uses a disabled store, naming the component", async () => {
        const message = await refused((v) => (v.data = { search: { mode: "disabled" } }));
        assert.match(message, /workers\[1\]\.uses\[2\]: got "search"; allowed: a store the stack provides/);
    });

    it("refuses a setting that takes a store's variable name", async () => {
        const message = await refused((v) => (v.settings = { DATABASE_URL: "postgresql://elsewhere" }));
        assert.match(message, /settings\.DATABASE_URL: got "DATABASE_URL"; allowed: a name other than DATABASE_URL, which the postgres store sets/);
    });

    it("refuses external mode without the server, and external credentials in plain text", async () => {
        assert.match(
            await refused((v) => (v.data = { redis: { mode: "external" } })),
            /data\.redis\.external: got nothing; allowed: the server's address and credentials/,
        );
        const message = await refused(
            (v) =>
                (v.data = {
                    postgres: { mode: "external", external: { host: "db", port: 5432, sslMode: "require", cidrs: ["10.0.0.0/8"], password: "plain" } },
                }),
        );
        assert.match(message, /data\.postgres\.external\.password: got a plain-text value; allowed: a secret/);
    });

    it("refuses backups with nowhere to put them", async () => {
        const message = await refused((v) => (v.data = { postgres: { backups: { enabled: true } }, objectStore: { mode: "disabled" } }));
        assert.match(message, /data\.postgres\.backups\.enabled: got true; allowed: false unless data\.objectStore\.mode is "bundled" or "external"/);
    });
});
