import { strict as assert } from "node:assert";
import { listStacks } from "../scripts/offline";
import { clone, renderCommitted, renderInvalid, stackValues } from "./support";

// Every invalid configuration stops the program before it registers anything but the stack
// itself, and names each problem by its key path with what it got and what is allowed.

type Values = Record<string, any>;

interface BadConfig {
    what: string;
    change: (values: Values) => void;
    /** Expected problems: the key path, and a fragment of what is said about it. */
    expect: [path: string, said: RegExp][];
    secrets?: Record<string, unknown>;
}

const worker = (name: string) => ({ name, command: ["python", "-m", "app.worker"], queues: [name] });

const cases: BadConfig[] = [
    { what: "an unknown environment", change: (v) => (v.environment = "staging"), expect: [["environment", /one of "dev", "prod"/]] },
    { what: "a missing environment", change: (v) => delete v.environment, expect: [["environment", /required|one of/]] },
    { what: "a number where a map is expected", change: (v) => (v.settings = 5), expect: [["settings", /got 5; allowed: a map/]] },
    { what: "a string where a number is expected", change: (v) => (v.api = { replicas: "three" }), expect: [["api.replicas", /got "three"; allowed: a number/]] },
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
    { what: "a utilisation over 100%", change: (v) => (v.api = { autoscaling: { cpuUtilization: 150 } }), expect: [["api.autoscaling.cpuUtilization", /1 to 100/]] },
    { what: 'memory as "1Gb"', change: (v) => (v.api = { resources: { requests: { memory: "1Gb" } } }), expect: [["api.resources.requests.memory", /got "1Gb"; allowed: a positive Kubernetes quantity/]] },
    { what: 'CPU as "0.5cores"', change: (v) => (v.api = { resources: { requests: { cpu: "0.5cores" } } }), expect: [["api.resources.requests.cpu", /got "0.5cores"/]] },
    { what: "a request above its limit", change: (v) => (v.api = { resources: { requests: { memory: "2Gi" }, limits: { memory: "1Gi" } } }), expect: [["api.resources.limits.memory", /at least requests.memory \(2Gi\)/]] },
    { what: "a name that is not a DNS label", change: (v) => (v.workers[0].name = "Heavy_Worker"), expect: [["workers[0].name", /DNS label/]] },
    { what: "a namespace that is too long", change: (v) => (v.namespace = "n".repeat(64)), expect: [["namespace", /at most 63/]] },
    { what: "a port out of range", change: (v) => (v.api = { port: 70000 }), expect: [["api.port", /got 70000; allowed: a port from 1 to 65535/]] },
    { what: "port zero", change: (v) => (v.frontend = { port: 0 }), expect: [["frontend.port", /a port from 1 to 65535/]] },
    { what: "an unknown target kind", change: (v) => (v.target = { kind: "openshift" }), expect: [["target.kind", /got "openshift"; allowed: one of "existing", "local"/]] },
    { what: "a missing required secret", change: (v) => (v.target = { kind: "existing" }), expect: [["target.kubeconfig", /kubeconfig, set as a secret/]] },
    {
        what: "a secret given in plain text",
        change: (v) => (v.secrets = { SECRET_KEY: "hunter2" }),
        expect: [["secrets", /got a plain-text value; allowed: a secret/]],
    },
    { what: "two workers with the same name", change: (v) => v.workers.push(worker("extraction")), expect: [["workers[2].name", /not already used by workers\[0\]/]] },
    {
        what: "two cron jobs with the same name",
        change: (v) => v.cronJobs.push({ name: "sync", schedule: "@daily", command: ["true"] }),
        expect: [["cronJobs[1].name", /not already used by cronJobs\[0\]/]],
    },
    { what: "a worker without a command", change: (v) => delete v.workers[1].command, expect: [["workers[1].command", /a list \(required\)/]] },
    { what: "a worker with no queue", change: (v) => (v.workers[0].queues = []), expect: [["workers[0].queues", /at least one queue/]] },
    { what: "an invalid cron schedule", change: (v) => (v.cronJobs[0].schedule = "every hour"), expect: [["cronJobs[0].schedule", /cron schedule/]] },
    { what: "the latest tag", change: (v) => (v.image = { repository: "ghcr.io/acme/app", tag: "latest" }), expect: [["image.tag", /not "latest"/]] },
    { what: "an image with neither tag nor digest", change: (v) => (v.image = { repository: "ghcr.io/acme/app" }), expect: [["image.tag", /a tag or a digest/]] },
    { what: "a malformed digest", change: (v) => (v.image.digest = "sha256:xyz"), expect: [["image.digest", /64 hex digits/]] },
    { what: "a UID below 10000", change: (v) => (v.runAsUser = 1000), expect: [["runAsUser", /at least 10000/]] },
    { what: "a preStop pause longer than the grace period", change: (v) => (v.api = { preStopSeconds: 40, terminationGracePeriodSeconds: 30 }), expect: [["api.preStopSeconds", /less than terminationGracePeriodSeconds \(30\)/]] },
    { what: "an enabled ingress without a host", change: (v) => (v.ingress = { enabled: true, host: undefined }), expect: [["ingress.host", /a host name/]] },
    { what: "an unknown TLS mode", change: (v) => (v.ingress.tls = { mode: "acme" }), expect: [["ingress.tls.mode", /one of "cert-manager", "secret", "none"/]] },
    { what: "a TLS secret mode without a secret", change: (v) => (v.ingress.tls = { mode: "secret" }), expect: [["ingress.tls.secretName", /required/]] },
    { what: "an enabled frontend without an image", change: (v) => (v.frontend = { enabled: true }), expect: [["frontend.image", /an image when the frontend is enabled/]] },
    { what: "an invalid environment variable name", change: (v) => (v.settings = { "LOG-LEVEL": "debug" }), expect: [["settings.LOG-LEVEL", /environment variable name/]] },
    { what: "an HTTP probe path that is not absolute", change: (v) => (v.api = { probes: { liveness: { path: "health" } } }), expect: [["api.probes.liveness.path", /absolute URL path/]] },
];

describe("invalid stack configuration", () => {
    for (const testCase of cases) {
        it(`rejects ${testCase.what}`, async () => {
            const values: Values = clone(stackValues("dev"));
            testCase.change(values);
            const { error, registered } = await renderInvalid(values, testCase.secrets);
            for (const [path, said] of testCase.expect) {
                const problem = error.problems.find((p) => p.path === path);
                assert.ok(problem, `no problem at ${path} in:\n${error.message}`);
                assert.match(`got ${problem.got}; allowed: ${problem.allowed}`, said, error.message);
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
