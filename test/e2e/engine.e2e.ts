import { strict as assert } from "node:assert";
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import type { EngineEvent, OpType, Stack } from "@pulumi/pulumi/automation";
import { clearStaleLock, findEngine, openStack, stateDir, summaryLine, type Engine } from "../../scripts/engine";
import { renderStack } from "../../scripts/render";
import { e2eStack, localCluster, type Kubectl } from "./support";

// The real Pulumi engine against the local control plane: what `pulumi up` does to a cluster,
// which no offline test can show. Each test builds on the state the one before left (mocha bails
// at the first failure). Where the engine cannot be found or built, the run fails, naming why.

let engine: Engine;
let stack: Stack;
let kubectl: Kubectl;
const output: string[] = [];

/** The stack file, edited by a test, and the stack reopened on it. */
async function configure(edit: (config: Record<string, any>) => void): Promise<void> {
    const document = YAML.parse(fs.readFileSync(e2eStack.file, "utf8")) as { config: Record<string, any> };
    edit(document.config);
    fs.writeFileSync(e2eStack.file, YAML.stringify(document));
    stack = await openStack(engine, e2eStack.name, e2eStack.file);
}

/** An up that records each resource's operation (by URN) and the order operations finished in. */
async function up(options: { refresh?: boolean; watch?: () => void } = {}) {
    const ops = new Map<string, OpType>();
    const finished: { urn: string; op: OpType; type: string }[] = [];
    const started: { urn: string; op: OpType; type: string }[] = [];
    const onEvent = (event: EngineEvent) => {
        const pre = event.resourcePreEvent?.metadata;
        if (pre) started.push({ urn: pre.urn, op: pre.op, type: pre.type });
        const done = event.resOutputsEvent?.metadata;
        if (done) {
            ops.set(done.urn, done.op);
            finished.push({ urn: done.urn, op: done.op, type: done.type });
        }
    };
    const timer = options.watch && setInterval(options.watch, 300);
    try {
        const result = await stack.up({ onEvent, onOutput: (out) => output.push(out), refresh: options.refresh, color: "never" });
        output.push(result.stdout, result.stderr);
        return { result, ops, started, finished, summary: summaryLine(result.summary.resourceChanges) };
    } finally {
        if (timer) clearInterval(timer);
    }
}

const opOf = (ops: Map<string, OpType>, type: string, name: RegExp) =>
    [...ops].filter(([urn]) => urn.includes(`${type}::`) && name.test(urn.slice(urn.lastIndexOf("::") + 2))).map(([, op]) => op);

describe("the Pulumi engine on the local control plane", function () {
    before(async () => {
        kubectl = localCluster();
        engine = await findEngine();
        if (fs.existsSync(e2eStack.file)) {
            // A run killed before its own clean-up left its stack: destroyed, so this one starts from nothing.
            const leftover = await openStack(engine, e2eStack.name, e2eStack.file);
            await clearStaleLock(leftover);
            await leftover.destroy({ remove: true, color: "never" }).catch(() => undefined);
        }
        e2eStack.reset();
        stack = await openStack(engine, e2eStack.name, e2eStack.file);
        await e2eStack.generateSecrets(stack);
    });

    after(async () => {
        // Whatever a failed test left: destroyed and removed, so the next run starts from nothing.
        if (stack) await stack.destroy({ remove: true, color: "never" }).catch(() => undefined);
    });

    it("up from nothing creates every object and waits until each is ready", async () => {
        const { result } = await up();
        assert.equal(result.summary.result, "succeeded");
        assert.ok((result.summary.resourceChanges?.create ?? 0) > 10, summaryLine(result.summary.resourceChanges));
        const items = kubectl.workloads();
        assert.ok(
            items.some((item) => item.kind === "Job"),
            "a migrations Job",
        );
        for (const item of items) {
            if (item.kind === "Job") assert.equal(item.status.succeeded, 1, `job ${item.metadata.name}`);
            else assert.equal(item.status.availableReplicas, item.spec.replicas, `${item.kind} ${item.metadata.name}`);
        }
    });

    it("a second up changes nothing, and a preview expecting no changes passes", async () => {
        const { summary } = await up();
        assert.match(summary, /^0 created, 0 updated, 0 replaced, 0 deleted, \d+ unchanged$/);
        await stack.preview({ expectNoChanges: true, color: "never" });
    });

    it("creates the objects the offline render has, object for object", async () => {
        const render = await renderStack(e2eStack.name, path.join(stateDir, "e2e", "render"), { configFile: e2eStack.file });
        // Objects the program leaves to auto-naming get a random suffix from the engine and a
        // content hash in the render: compared without it.
        const key = (kind: string, name: string, namespace?: string) => `${kind} ${namespace ?? ""}/${name.replace(/-[0-9a-z]{8}$/, "-*")}`;
        const rendered = render.objects.map(({ manifest }) => key(manifest.kind, manifest.metadata.name!, manifest.metadata.namespace)).sort();
        const live = kubectl
            .objectsOf(render.objects.map(({ manifest }) => manifest.kind))
            .map((o) => key(o.kind, o.name, o.namespace))
            .sort();
        assert.deepEqual(live, rendered);
    });

    it("an image roll runs the new migrations before any consumer rolls, and no Deployment loses capacity", async () => {
        const samples: { name: string; short: number }[] = [];
        await configure((config) => (config["appstack:image"].tag = "1.0.1"));
        const { ops, started, finished } = await up({ watch: () => samples.push(...kubectl.deploymentsShort()) });
        const job = finished.find((step) => step.type === "kubernetes:batch/v1:Job" && step.op === "create-replacement");
        assert.ok(job, `the migrations Job is replaced: ${JSON.stringify([...ops])}`);
        const firstRoll = started.findIndex((step) => step.type === "kubernetes:apps/v1:Deployment" && step.op === "update");
        assert.ok(firstRoll >= 0, "the Deployments roll");
        assert.ok(
            finished.indexOf(job) < finished.findIndex((step) => step.urn === started[firstRoll].urn),
            "the Job completes before the first Deployment rolls",
        );
        assert.ok(samples.length > 0 && samples.every((sample) => sample.short === 0), JSON.stringify(samples.filter((s) => s.short)));
    });

    for (const [what, change] of [
        ["a new secret key", () => stack.setConfig("appstack:secrets.NEW_KEY", { value: "e2e-new-secret-key", secret: true }, true)],
        ["another secret key", () => stack.setConfig("appstack:secrets.OTHER_KEY", { value: "e2e-other-secret-key", secret: true }, true)],
        ["a changed setting", () => configure((config) => (config["appstack:settings"].LOG_LEVEL = "info"))],
        [
            "a changed size",
            () => configure((config) => (config["appstack:api"].resources = { requests: { cpu: "150m", memory: "192Mi" }, limits: { memory: "384Mi" } })),
        ],
    ] as const) {
        it(`${what} leaves the migrations Job untouched`, async () => {
            await change();
            const { ops } = await up();
            assert.ok(
                [...ops.values()].some((op) => op !== "same"),
                `${what} changes something`,
            );
            assert.deepEqual(opOf(ops, "kubernetes:batch/v1:Job", /migrations/), ["same"]);
        });
    }

    it("turning autoscaling on never drops the api below its replicas", async () => {
        await configure((config) => {
            config["appstack:api"].autoscaling = { enabled: false };
            config["appstack:api"].replicas = 3;
        });
        await up();
        const samples: number[] = [];
        await configure((config) => {
            config["appstack:api"].autoscaling = { enabled: true, minReplicas: 2, maxReplicas: 4 };
            delete config["appstack:api"].replicas;
        });
        await up({ watch: () => samples.push(kubectl.readyReplicas("appstack-api")) });
        assert.ok(samples.length > 0 && samples.every((ready) => ready >= 3), JSON.stringify(samples));
    });

    it("a Deployment deleted behind the engine's back comes back with a refresh", async () => {
        kubectl.run(["delete", "deployment", "appstack-worker-indexing", "--wait"]);
        const { ops } = await up({ refresh: true });
        assert.deepEqual(opOf(ops, "kubernetes:apps/v1:Deployment", /worker-indexing/), ["create"]);
        assert.equal(kubectl.readyReplicas("appstack-worker-indexing") > 0, true);
    });

    it("a stack config with errors registers nothing, changes nothing and prints each problem once", async () => {
        const before = kubectl.generations();
        await configure((config) => {
            config["appstack:image"].tag = "latest";
            config["appstack:api"].replicas = 0;
        });
        const printed: string[] = [];
        const failed = await stack.up({ onOutput: (out) => printed.push(out), onError: (err) => printed.push(err), color: "never" }).then(
            () => undefined,
            (error: Error) => error,
        );
        await configure((config) => {
            config["appstack:image"].tag = "1.0.1";
            delete config["appstack:api"].replicas;
        });
        assert.ok(failed, "the up fails");
        // What a user sees: the engine's output as it streams (local:up does not repeat it).
        const text = printed.join("");
        assert.match(text, /Invalid configuration of stack "e2e"/);
        for (const key of ["image.tag", "api.replicas"]) {
            assert.equal(text.split(`- ${key}:`).length - 1, 1, `${key} reported once:\n${text}`);
        }
        // No step on any resource (the engine prints each as "+ kubernetes:... creating" and so on).
        assert.doesNotMatch(text, /^\s*[-+~]{1,3}\s+kubernetes:/m);
        assert.deepEqual(kubectl.generations(), before);
    });

    it("holds no secret value in plain text in the state or in the engine's output", async () => {
        const state = JSON.stringify(await stack.exportStack());
        const secrets = await e2eStack.secretValues(stack);
        assert.ok(secrets.length >= 5, `generated and configured secrets: ${secrets.length}`);
        for (const secret of secrets) {
            assert.ok(!state.includes(secret), "a secret in the state");
            assert.ok(!output.join("").includes(secret), "a secret in the engine's output");
        }
    });

    it("an up killed mid-way is finished by the next up, which clears the stale lock", async () => {
        const jobsBefore = new Set(kubectl.jobNames());
        await configure((config) => (config["appstack:image"].tag = "1.0.2"));
        const child = spawn(process.execPath, [path.join(__dirname, "up-child.js"), e2eStack.file], { detached: true, stdio: "ignore" });
        // Killed, with everything it started, once the engine has created the new migrations Job:
        // the Deployments' rolls are still to come.
        await kubectl.waitFor(() => kubectl.jobNames().some((name) => !jobsBefore.has(name)));
        process.kill(-child.pid!, "SIGKILL");
        stack = await openStack(engine, e2eStack.name, e2eStack.file);
        assert.match((await clearStaleLock(stack)) ?? "", /released the stack's lock/);
        const { result } = await up();
        assert.equal(result.summary.result, "succeeded");
        await stack.preview({ expectNoChanges: true, color: "never" });
        assert.deepEqual(orphans(), []);
    });

    it("an interrupt (Ctrl-C) cancels the update cleanly and leaves the stack usable", async () => {
        await configure((config) => (config["appstack:image"].tag = "1.0.3"));
        const child = spawn(process.execPath, [path.join(__dirname, "up-child.js"), e2eStack.file], { stdio: ["ignore", "pipe", "pipe"] });
        let text = "";
        child.stdout.on("data", (chunk) => (text += chunk));
        child.stderr.on("data", (chunk) => (text += chunk));
        await kubectl.waitFor(() => /updating|creating|replacing/i.test(text));
        child.kill("SIGINT");
        const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
        assert.notEqual(code, 0, text);
        assert.match(text, /cancel/i);
        // Released by the run that was cancelled, not by the next one.
        stack = await openStack(engine, e2eStack.name, e2eStack.file);
        assert.equal(await clearStaleLock(stack), undefined);
        const { result } = await up();
        assert.equal(result.summary.result, "succeeded");
        assert.deepEqual(orphans(), []);
    });

    it("destroy leaves no object of the stack and no namespace", async () => {
        const result = await stack.destroy({ color: "never" });
        assert.equal(result.summary.result, "succeeded");
        assert.equal(kubectl.namespaceExists(e2eStack.namespace), false);
        assert.deepEqual(kubectl.leftovers("app.kubernetes.io/part-of=appstack"), []);
    });
});

/** Provider processes that outlived their engine and still run (a zombie has ended). */
function orphans(): string[] {
    const listed = spawnSync("ps", ["-eo", "pid=,ppid=,stat=,comm="], { encoding: "utf8" }).stdout;
    return listed.split("\n").filter((line) => /pulumi-resource/.test(line) && /^\s*\d+\s+1\s+[^Z\s]/.test(line));
}
