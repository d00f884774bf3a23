import * as pulumi from "@pulumi/pulumi";
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as YAML from "yaml";
import { listStacks, projectRoot } from "../scripts/offline";
import { ConfigError, loadStackConfig, parseStackConfig } from "../stacks/load";
import { stackConfigSchema } from "../stacks/schema";
import { stackFileVariable } from "../stacks/stack-file";
import { z } from "zod";
import { clone, render, renderCommitted, renderInvalid, stackValues } from "./support";

// Every invalid configuration stops the program before it registers anything but the stack
// itself, and names each problem by its key path with what it got and what is allowed.

type Values = Record<string, any>;

interface BadConfig {
    what: string;
    change: (values: Values) => void;
    /** Expected problems: the key path, and a fragment of what is said about it. */
    expect: [path: string, said: RegExp][];
    /** Key paths that must not be reported. */
    fine?: string[];
    secrets?: Record<string, unknown>;
}

const secure = { secure: "v1:AAAABBBBCCCC" };
const digest = `sha256:${"0123456789abcdef".repeat(4)}`;

const worker = (name: string) => ({ name, command: ["python", "-m", "app.worker"], queues: [name] });

const cases: BadConfig[] = [
    { what: "an unknown environment", change: (v) => (v.environment = "staging"), expect: [["environment", /one of "dev", "prod"/]] },
    { what: "a missing environment", change: (v) => delete v.environment, expect: [["environment", /required|one of/]] },
    { what: "a number where a map is expected", change: (v) => (v.settings = 5), expect: [["settings", /got 5; allowed: a map/]] },
    {
        what: "a string where a number is expected",
        change: (v) => (v.api = { replicas: "three" }),
        expect: [["api.replicas", /got "three"; allowed: a number/]],
    },
    { what: "a string where a boolean is expected", change: (v) => (v.protect = "yes"), expect: [["protect", /allowed: a boolean/]] },
    { what: "a misspelt top-level key", change: (v) => (v.workrs = []), expect: [["workrs", /did you mean "workers"/]] },
    { what: "a misspelt nested key", change: (v) => (v.api = { replcas: 2 }), expect: [["api.replcas", /did you mean "replicas"/]] },
    { what: "a misspelt key in a list entry", change: (v) => (v.workers[0].concurrncy = 3), expect: [["workers[0].concurrncy", /did you mean "concurrency"/]] },
    { what: "zero replicas", change: (v) => (v.api = { replicas: 0 }), expect: [["api.replicas", /got 0; allowed: at least 1/]] },
    { what: "negative replicas", change: (v) => (v.workers[0].replicas = -2), expect: [["workers[0].replicas", /at least 1/]] },
    { what: "fractional replicas", change: (v) => (v.api = { replicas: 1.5 }), expect: [["api.replicas", /whole number/]] },
    {
        what: "autoscaling min above max",
        change: (v) => (v.api = { autoscaling: { minReplicas: 6, maxReplicas: 3 } }),
        expect: [["api.autoscaling.minReplicas", /got 6; allowed: at most maxReplicas \(3\)/]],
    },
    {
        what: "a utilisation over 100%",
        change: (v) => (v.api = { autoscaling: { cpuUtilization: 150 } }),
        expect: [["api.autoscaling.cpuUtilization", /1 to 100/]],
    },
    {
        what: 'memory as "1Gb"',
        change: (v) => (v.api = { resources: { requests: { memory: "1Gb" } } }),
        expect: [["api.resources.requests.memory", /got "1Gb"; allowed: a positive Kubernetes quantity/]],
    },
    {
        what: 'CPU as "0.5cores"',
        change: (v) => (v.api = { resources: { requests: { cpu: "0.5cores" } } }),
        expect: [["api.resources.requests.cpu", /got "0.5cores"/]],
    },
    {
        what: "a request above its limit",
        change: (v) => (v.api = { resources: { requests: { memory: "2Gi" }, limits: { memory: "1Gi" } } }),
        expect: [["api.resources.limits.memory", /at least requests.memory \(2Gi\)/]],
    },
    { what: "a name that is not a DNS label", change: (v) => (v.workers[0].name = "Heavy_Worker"), expect: [["workers[0].name", /DNS label/]] },
    { what: "a namespace that is too long", change: (v) => (v.namespace = "n".repeat(64)), expect: [["namespace", /at most 63/]] },
    { what: "a port out of range", change: (v) => (v.api = { port: 70000 }), expect: [["api.port", /got 70000; allowed: a port from 1 to 65535/]] },
    { what: "port zero", change: (v) => (v.frontend = { port: 0 }), expect: [["frontend.port", /a port from 1 to 65535/]] },
    {
        what: "an unknown target kind",
        change: (v) => (v.target = { kind: "openshift" }),
        expect: [["target.kind", /got "openshift"; allowed: one of "existing", "local"/]],
    },
    { what: "a missing required secret", change: (v) => (v.target = { kind: "existing" }), expect: [["target.kubeconfig", /kubeconfig, set as a secret/]] },
    {
        what: "a secret given in plain text",
        change: (v) => (v.secrets = { SECRET_KEY: "hunter2" }),
        expect: [["secrets.SECRET_KEY", /got a plain-text value; allowed: a secret.*--secret --path 'secrets.SECRET_KEY'/]],
    },
    {
        what: "a plain-text secret beside an encrypted one",
        change: (v) => (v.secrets = { A: "plain", B: secure }),
        expect: [["secrets.A", /got a plain-text value; allowed: a secret/]],
        fine: ["secrets.B", "secrets"],
    },
    {
        what: "a plain-text kubeconfig beside an encrypted context",
        change: (v) => (v.target = { kind: "existing", kubeconfig: "apiVersion: v1", context: secure }),
        expect: [["target.kubeconfig", /got a plain-text value; allowed: a secret.*`pulumi config set --secret --path 'target.kubeconfig' < kubeconfig`/]],
        fine: ["target.context"],
    },
    {
        what: "a key in a misspelt namespace",
        change: (v) => (v["appstak:ingress"] = { enabled: false }),
        expect: [["appstak:ingress", /namespace "appstak".*did you mean `appstack:ingress`/]],
    },
    {
        what: "a key in a differently cased namespace",
        change: (v) => (v["AppStack:protect"] = true),
        expect: [["AppStack:protect", /did you mean `appstack:protect`/]],
    },
    {
        what: "a misspelt key inside the TLS settings",
        change: (v) => (v.ingress.tls = { mod: "none" }),
        expect: [["ingress.tls.mod", /an unknown key; allowed: did you mean "mode"/]],
    },
    {
        what: "an unknown target kind with a misspelt key",
        change: (v) => (v.target = { kind: "openshift", contxt: "prod" }),
        expect: [
            ["target.kind", /got "openshift"; allowed: one of "existing", "local"/],
            ["target.contxt", /an unknown key; allowed: did you mean "context"/],
        ],
    },
    {
        what: "a target whose kind is left empty, with a misspelt key",
        change: (v) => (v.target = { kind: null, contxt: "prod" }),
        expect: [
            ["target.kind", /got null; allowed: one of "existing", "local"/],
            ["target.contxt", /an unknown key; allowed: did you mean "context"/],
        ],
    },
    {
        what: "a TLS mode changed without what the new mode needs",
        change: (v) => (v.ingress.tls = { mode: "secret" }),
        expect: [
            [
                "ingress.tls.secretName",
                /required\): ingress.tls with mode "secret" must contain mode, secretName; a new mode replaces the preset's ingress.tls whole/,
            ],
        ],
    },
    {
        what: "a target kind changed without what the new kind needs",
        change: (v) => (v.target = { kind: "local" }),
        expect: [
            ["target.kubeconfigPath", /required\): target with kind "local" must contain kind, kubeconfigPath; a new kind replaces the preset's target whole/],
        ],
    },
    {
        what: "a cron job name that makes the CronJob name too long",
        change: (v) => (v.cronJobs[0].name = "nightly-synchronisation-of-the-search-index"),
        expect: [
            [
                "cronJobs[0].name",
                /at most 38 characters with name "appstack": the CronJob name "appstack-cron-nightly-.*" would be 57 characters, over the limit of 52/,
            ],
        ],
    },
    {
        what: "a worker name that makes a label value too long",
        change: (v) => (v.workers[1].name = "w".repeat(60)),
        expect: [
            [
                "workers[1].name",
                /at most 56 characters with name "appstack": the app.kubernetes.io\/component label value and container name "worker-w+" would be 67 characters, over the limit of 63/,
            ],
        ],
    },
    {
        what: "an app name that leaves a cron job name no room",
        change: (v) => {
            v.name = "a".repeat(40);
            v.cronJobs[0].name = "sync-all";
        },
        expect: [
            [
                "cronJobs[0].name",
                /got "sync-all"; allowed: at most 6 characters with name "a{40}": the CronJob name "a{40}-cron-sync-all" would be 54 characters/,
            ],
        ],
        fine: ["name"],
    },
    {
        what: "an app name that makes the migrations Job name too long",
        change: (v) => (v.name = "a".repeat(50)),
        expect: [["name", /at most 44 characters: the migrations Job name "a{50}-migrate-0+" would be 69 characters, over the limit of 63/]],
    },
    {
        what: "an app name too long for a bundled store's StatefulSet",
        change: (v) => (v.name = "a".repeat(41)),
        expect: [["name", /at most 40 characters: the objectStore StatefulSet name "a{41}-objectstore" would be 53 characters, over the limit of 52/]],
    },
    {
        what: "an app name too long for the prod backups of a bundled PostgreSQL",
        change: (v) => {
            v.environment = "prod";
            v.name = "a".repeat(37);
        },
        expect: [["name", /at most 36 characters: the postgres backup CronJob name "a{37}-postgres-backup" would be 53 characters, over the limit of 52/]],
    },
    { what: "an app name starting with a digit", change: (v) => (v.name = "1app"), expect: [["name", /starting with a letter/]] },
    {
        what: "an unknown time zone",
        change: (v) => (v.cronJobs[0].timeZone = "Europe/Berln"),
        expect: [["cronJobs[0].timeZone", /got "Europe\/Berln"; allowed: an IANA time zone .*did you mean "Europe\/Berlin"/]],
    },
    { what: "a time zone offset", change: (v) => (v.cronJobs[0].timeZone = "+01:00"), expect: [["cronJobs[0].timeZone", /an IANA time zone/]] },
    {
        what: "a time zone in the wrong case",
        change: (v) => (v.cronJobs[0].timeZone = "europe/berlin"),
        expect: [["cronJobs[0].timeZone", /did you mean "Europe\/Berlin"/]],
    },
    {
        what: "a prod image without a digest",
        change: (v) => {
            v.environment = "prod";
            v.frontend = { enabled: true, image: { repository: "ghcr.io/acme/frontend", tag: "1.0.0" } };
        },
        expect: [
            ["image.digest", /got nothing; allowed: a digest \(sha256:...\) in prod/],
            ["frontend.image.digest", /a digest \(sha256:...\) in prod/],
        ],
    },
    {
        what: "two workers with the same name",
        change: (v) => v.workers.push(worker("extraction")),
        expect: [["workers[2].name", /not already used by workers\[0\]/]],
    },
    {
        what: "two cron jobs with the same name",
        change: (v) => v.cronJobs.push({ name: "sync", schedule: "@daily", command: ["true"] }),
        expect: [["cronJobs[1].name", /not already used by cronJobs\[0\]/]],
    },
    { what: "a worker without a command", change: (v) => delete v.workers[1].command, expect: [["workers[1].command", /a list \(required\)/]] },
    { what: "a worker with no queue", change: (v) => (v.workers[0].queues = []), expect: [["workers[0].queues", /at least one queue/]] },
    { what: "an invalid cron schedule", change: (v) => (v.cronJobs[0].schedule = "every hour"), expect: [["cronJobs[0].schedule", /cron schedule/]] },
    { what: "the latest tag", change: (v) => (v.image = { repository: "ghcr.io/acme/app", tag: "latest" }), expect: [["image.tag", /not "latest"/]] },
    {
        what: "an image with neither tag nor digest",
        change: (v) => (v.image = { repository: "ghcr.io/acme/app" }),
        expect: [["image.tag", /a tag or a digest/]],
    },
    { what: "a malformed digest", change: (v) => (v.image.digest = "sha256:xyz"), expect: [["image.digest", /64 hex digits/]] },
    { what: "a UID below 10000", change: (v) => (v.runAsUser = 1000), expect: [["runAsUser", /at least 10000/]] },
    {
        what: "a preStop pause longer than the grace period",
        change: (v) => (v.api = { preStopSeconds: 40, terminationGracePeriodSeconds: 30 }),
        expect: [["api.preStopSeconds", /less than terminationGracePeriodSeconds \(30\)/]],
    },
    { what: "an enabled ingress without a host", change: (v) => (v.ingress = { enabled: true, host: undefined }), expect: [["ingress.host", /a host name/]] },
    {
        what: "an unknown TLS mode",
        change: (v) => (v.ingress.tls = { mode: "acme" }),
        expect: [["ingress.tls.mode", /one of "cert-manager", "secret", "none"/]],
    },
    { what: "a TLS secret mode without a secret", change: (v) => (v.ingress.tls = { mode: "secret" }), expect: [["ingress.tls.secretName", /required/]] },
    {
        what: "an enabled frontend without an image",
        change: (v) => (v.frontend = { enabled: true }),
        expect: [["frontend.image", /an image when the frontend is enabled/]],
    },
    {
        what: "an invalid environment variable name",
        change: (v) => (v.settings = { "LOG-LEVEL": "debug" }),
        expect: [['settings["LOG-LEVEL"]', /environment variable name/]],
    },
    {
        what: "an HTTP probe path that is not absolute",
        change: (v) => (v.api = { probes: { liveness: { path: "health" } } }),
        expect: [["api.probes.liveness.path", /absolute URL path/]],
    },
];

describe("invalid stack configuration", () => {
    for (const testCase of cases) {
        it(`rejects ${testCase.what}`, async () => {
            const values: Values = clone(stackValues("dev"));
            testCase.change(values);
            const { error, registered } = await renderInvalid(values, testCase.secrets);
            for (const [path, said] of testCase.expect) {
                const saidThere = error.problems.filter((p) => p.path === path).map((p) => `got ${p.got}; allowed: ${p.allowed}`);
                assert.ok(saidThere.length > 0, `no problem at ${path} in:\n${error.message}`);
                assert.ok(
                    saidThere.some((text) => said.test(text)),
                    `${said} not in:\n${error.message}`,
                );
            }
            for (const path of testCase.fine ?? []) {
                assert.ok(!error.problems.some((p) => p.path === path), `${path} reported in:\n${error.message}`);
            }
            assert.deepEqual(
                registered.filter((r) => r.type !== "pulumi:pulumi:Stack").map((r) => r.urn),
                [],
                "nothing but the stack itself may be registered",
            );
        });
    }

    it("reports every problem at once", async () => {
        const values: Values = clone(stackValues("dev"));
        values.environment = "staging";
        values.api = { replicas: 0, port: 0, replcas: 1 };
        values.workers.push(worker("indexing"));
        values.image.tag = "latest";
        const { error } = await renderInvalid(values);
        assert.deepEqual(error.problems.map((p) => p.path).sort(), ["api.port", "api.replcas", "api.replicas", "environment", "image.tag", "workers[2].name"]);
        assert.match(error.message, /^Invalid configuration of stack "invalid": 6 problems\n {2}- /);
    });

    it("accepts every committed stack", async () => {
        for (const stack of listStacks()) {
            const rendered = await renderCommitted(stack);
            assert.ok(rendered.resources.length > 1, stack);
        }
    });
});

describe("stack configuration that is accepted", () => {
    const renderDev = (change: (values: Values) => void, secrets?: Record<string, unknown>) => {
        const values: Values = clone(stackValues("dev"));
        change(values);
        return render("dev", values, secrets);
    };

    it("takes secrets encrypted one by one", async () => {
        const rendered = await renderDev((v) => (v.secrets = { A: secure, B: secure }));
        const env = (rendered.find("Deployment", "appstack-api") as any).spec.template.spec.containers[0].env as { name: string; valueFrom?: unknown }[];
        assert.deepEqual(
            env.filter((e) => e.valueFrom !== undefined && ["A", "B"].includes(e.name)).map((e) => e.name),
            ["A", "B"],
        );
    });

    it("keeps the keys of providers' namespaces and of namespaces far from its own", async () => {
        const providers = {
            "kubernetes:context": "ops",
            "aws:region": "eu-west-1",
            "gcp:project": "acme",
            "azure-native:location": "westeurope",
            "azure:location": "westeurope",
            "pulumi:tags": "{}",
            "docker:host": "unix:///var/run/docker.sock",
            "random:seed": "1",
            "cloudflare:apiToken": "x",
        };
        const rendered = await renderDev((v) => Object.assign(v, providers));
        assert.ok(rendered.resources.length > 1);
    });

    it("merges a nested object onto the preset: only ingress.tls.clusterIssuer", async () => {
        const rendered = await renderDev((v) => (v.ingress.tls = { clusterIssuer: "letsencrypt-staging" }));
        const ingress = rendered.manifests.find((m) => m.kind === "Ingress")!;
        assert.equal(ingress.metadata.annotations?.["cert-manager.io/cluster-issuer"], "letsencrypt-staging");
    });

    it("merges a nested object onto the preset: only target.context", async () => {
        const rendered = await renderDev((v) => (v.target = { context: "staging-cluster" }));
        const provider = rendered.resources.find((r) => r.type === "pulumi:providers:kubernetes")!;
        assert.equal(provider.inputs.context, "staging-cluster");
    });

    it("merges a nested object onto the preset: one field of a scaling policy", async () => {
        const rendered = await renderDev((v) => (v.api = { autoscaling: { enabled: true, scaleDown: { pods: 2 } } }));
        const hpa = rendered.find("HorizontalPodAutoscaler", "appstack-api") as any;
        assert.deepEqual(hpa.spec.behavior.scaleDown.policies, [
            { type: "Percent", value: 10, periodSeconds: 60 },
            { type: "Pods", value: 2, periodSeconds: 60 },
        ]);
    });

    it("builds names at exactly their limits as the check composed them", async () => {
        const cron = "c".repeat(52 - "appstack-cron-".length);
        const worker = "w".repeat(63 - "appstack-worker-".length);
        const rendered = await renderDev((v) => {
            v.cronJobs[0].name = cron;
            v.workers[0].name = worker;
        });
        assert.equal(rendered.find("CronJob", `appstack-cron-${cron}`).metadata.name!.length, 52);
        const deployment = rendered.find("Deployment", `appstack-worker-${worker}`);
        assert.equal(deployment.metadata.name!.length, 63);
        assert.equal(deployment.metadata.labels?.["app.kubernetes.io/component"], `worker-${worker}`);
    });

    it("builds a bundled store's names at their limits as the check composed them, and checks only stores it bundles", async () => {
        const name = "a".repeat(40);
        const rendered = await renderDev((v) => (v.name = name));
        assert.equal(rendered.find("StatefulSet", `${name}-objectstore`).metadata.name!.length, 52);
        assert.ok(rendered.find("Service", `${name}-search-headless`));
        const longer = "a".repeat(41);
        const withoutObjectStore = await renderDev((v) => {
            v.name = longer;
            v.data = { objectStore: { mode: "disabled" } };
            for (const worker of v.workers) delete worker.uses;
        });
        assert.ok(withoutObjectStore.find("StatefulSet", `${longer}-postgres`));
    });

    for (const zone of ["UTC", "Etc/UTC", "Europe/Berlin", "Asia/Kolkata", "America/Argentina/Buenos_Aires"]) {
        it(`takes the time zone ${zone}`, async () => {
            const rendered = await renderDev((v) => (v.cronJobs[0].timeZone = zone));
            assert.equal((rendered.find("CronJob", "appstack-cron-sync") as any).spec.timeZone, zone);
        });
    }

    it("takes every time zone Node lists", () => {
        const timeZone = (stackConfigSchema.shape.cronJobs.element as unknown as z.ZodObject).shape.timeZone as z.ZodType;
        const refused = Intl.supportedValuesOf("timeZone").filter((zone) => !timeZone.safeParse(zone).success);
        assert.deepEqual(refused, []);
    });

    it("takes a prod image pinned by digest", async () => {
        const rendered = await renderDev((v) => {
            v.environment = "prod";
            v.image = { repository: "ghcr.io/acme/app", tag: "1.0.0", digest };
        });
        assert.equal(rendered.outputs.image, `ghcr.io/acme/app@${digest}`);
    });
});

/** Minimal engine-form config of a valid stack. */
const base = () => ({
    "appstack:environment": "dev",
    "appstack:target": JSON.stringify({ kind: "existing", context: "c" }),
    "appstack:image": JSON.stringify({ repository: "r", tag: "1" }),
});
const problemPaths = (run: () => unknown) => {
    try {
        run();
    } catch (error) {
        assert.ok(error instanceof ConfigError);
        return error.problems.map((p) => p.path);
    }
    return [];
};

describe("keys outside the appstack: namespace", () => {
    it("names a key set in a renamed project's own namespace, which nothing would read", () => {
        const config = { ...base(), "shop:api": JSON.stringify({ replicas: 3 }) };
        assert.deepEqual(
            problemPaths(() => parseStackConfig("s", { config, project: "shop", secretKeys: new Set(), written: () => undefined })),
            ["shop:api"],
        );
        assert.deepEqual(
            problemPaths(() => parseStackConfig("s", { config, project: "appstack", secretKeys: new Set(), written: () => undefined })),
            [],
        );
    });
});

describe("secret values, checked one by one", () => {
    const parse = (config: Record<string, string>, secretKeys: string[], written: Record<string, unknown> | undefined) => () =>
        parseStackConfig("s", { config, secretKeys: new Set(secretKeys), written: () => written });

    it("takes a whole map encrypted at once", () => {
        const config = { ...base(), "appstack:secrets": JSON.stringify({ A: "x", B: "y" }) };
        assert.deepEqual(problemPaths(parse(config, ["appstack:secrets"], { "appstack:secrets": secure })), []);
    });

    it("finds the plain value the engine's per-key mark hides", () => {
        const config = { ...base(), "appstack:secrets": JSON.stringify({ A: "x", B: "y" }) };
        assert.deepEqual(problemPaths(parse(config, ["appstack:secrets"], { "appstack:secrets": { A: "x", B: secure } })), ["secrets.A"]);
    });

    it("trusts the engine's mark for a key the stack file does not hold", () => {
        const config = { ...base(), "appstack:secrets": JSON.stringify({ A: "x" }) };
        assert.deepEqual(problemPaths(parse(config, ["appstack:secrets"], {})), []);
        assert.deepEqual(problemPaths(parse(config, [], undefined)), ["secrets.A"]);
    });

    it("reads the stack file only when a secret-only key has values", () => {
        let read = 0;
        parseStackConfig("s", { config: base(), secretKeys: new Set(), written: () => (read++, {}) });
        assert.equal(read, 0);
    });

    // As the engine runs the program: a process of its own, told the project's directory by the
    // variable the language host sets, the config in the runtime, and no APPSTACK_STACK_FILE.
    function loadInProject(env: Record<string, string>, cwd: string): string {
        const script = `
            const pulumi = require(${JSON.stringify(require.resolve("@pulumi/pulumi"))});
            pulumi.runtime.setAllConfig(${JSON.stringify({ ...base(), "appstack:secrets": JSON.stringify({ A: "x", B: "y" }) })}, ["appstack:secrets"]);
            pulumi.runtime.setMocks({ newResource: () => ({}), call: () => ({}) }, "appstack", "file-test");
            try {
                require(${JSON.stringify(path.join(projectRoot, "bin", "stacks", "load.js"))}).loadStackConfig();
                console.log("accepted");
            } catch (error) {
                console.log(error.problems.map((p) => p.path).join());
            }`;
        const { [stackFileVariable]: _, ...inherited } = process.env;
        const result = spawnSync(process.execPath, ["-e", script], { cwd, env: { ...inherited, ...env }, encoding: "utf8" });
        assert.equal(result.status, 0, result.stderr);
        return result.stdout.trim();
    }

    function project(): string {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "appstack-project-"));
        fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: appstack\nruntime: nodejs\nstackConfigDir: stacks\n");
        fs.mkdirSync(path.join(dir, "stacks"));
        fs.writeFileSync(path.join(dir, "stacks", "Pulumi.file-test.yaml"), YAML.stringify({ config: { "appstack:secrets": { A: "x", B: secure } } }));
        return dir;
    }

    it("reads Pulumi.<stack>.yaml in the project directory the engine names, under its stackConfigDir", () => {
        const dir = project();
        try {
            assert.equal(loadInProject({ PULUMI_NODEJS_ROOT_DIRECTORY: dir }, os.tmpdir()), "secrets.A");
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("reads Pulumi.<stack>.yaml in the working directory when the engine names no project directory", async () => {
        const dir = project();
        const cwd = process.cwd();
        const named = process.env[stackFileVariable];
        delete process.env[stackFileVariable];
        process.chdir(dir);
        try {
            pulumi.runtime.setAllConfig({ ...base(), "appstack:secrets": JSON.stringify({ A: "x", B: "y" }) }, ["appstack:secrets"]);
            await pulumi.runtime.setMocks({ newResource: () => ({ id: undefined, state: {} }), call: () => ({}) }, "appstack", "file-test");
            assert.throws(loadStackConfig, (error: unknown) => error instanceof ConfigError && error.problems.map((p) => p.path).join() === "secrets.A");
        } finally {
            process.chdir(cwd);
            restore(stackFileVariable, named);
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

function restore(variable: string, value: string | undefined): void {
    if (value !== undefined) {
        process.env[variable] = value;
    }
}

describe("ConfigError", () => {
    it("keeps the error's stack trace and names the stack apart", () => {
        const error = new ConfigError("prod", [{ path: "name", got: "1", allowed: "a name" }]);
        assert.equal(error.stackName, "prod");
        assert.match(error.stack ?? "", /^ConfigError: Invalid configuration of stack "prod": 1 problem\n {2}- name: got 1; allowed: a name\n\s+at /);
    });
});
