import { strict as assert } from "node:assert";
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { projectRoot } from "../../scripts/offline";
import { installHint, missingEngine, pulumiEnv } from "../../scripts/local";

// The real Pulumi engine against the local control plane: what `pulumi up` does to a cluster, which
// the offline tests cannot show. Runs only where the Pulumi CLI and its Kubernetes plugin are
// installed; it stops at once, naming what is missing, where they are not.

const stack = "e2e";
const stackFile = path.join(projectRoot, `Pulumi.${stack}.yaml`);
const cluster = path.join(projectRoot, "scripts", "local", "cluster.sh");
const namespace = "appstack-local";

function run(command: string, args: string[]) {
    return spawnSync(command, args, { cwd: projectRoot, encoding: "utf8", env: pulumiEnv(), maxBuffer: 64 << 20 });
}

function pulumi(...args: string[]) {
    return run("pulumi", [...args, "--stack", stack, "--non-interactive", "--yes"]);
}

function ok(result: ReturnType<typeof run>, what: string): string {
    assert.equal(result.status, 0, `${what} failed:\n${result.stderr}${result.stdout}`);
    return result.stdout;
}

let started = false;
let kubectlPath = "";
let kubeconfig = "";
const kubectl = (...args: string[]) => run(kubectlPath, ["--kubeconfig", kubeconfig, "-n", namespace, ...args]);

function config(key: string, value: string): void {
    ok(run("pulumi", ["config", "set", "--path", "--stack", stack, key, value]), `config set ${key}`);
}

interface Workloads {
    items: { kind: string; metadata: { name: string; generation: number }; spec: { replicas?: number }; status: { replicas?: number; availableReplicas?: number; readyReplicas?: number; unavailableReplicas?: number; succeeded?: number } }[];
}

const workloads = () => JSON.parse(ok(kubectl("get", "deployments,statefulsets,jobs", "-o", "json"), "kubectl get")) as Workloads;

/** Runs `pulumi up`, sampling the api Deployment's status until it ends. */
async function upWatchingApi(): Promise<{ status: number | null; output: string; samples: Workloads["items"][number]["status"][] }> {
    const samples: Workloads["items"][number]["status"][] = [];
    const child = spawn("pulumi", ["up", "--stack", stack, "--non-interactive", "--yes", "--skip-preview"], { cwd: projectRoot, env: pulumiEnv() });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    const done = new Promise<number | null>((resolve) => child.on("close", resolve));
    let finished = false;
    void done.then(() => (finished = true));
    while (!finished) {
        const api = kubectl("get", "deployment", "appstack-api", "-o", "jsonpath={.status}");
        if (api.status === 0 && api.stdout) samples.push(JSON.parse(api.stdout));
        await new Promise((resolve) => setTimeout(resolve, 500));
    }
    return { status: await done, output, samples };
}

describe("the Pulumi engine on the local control plane", () => {
    before(() => {
        const missing = missingEngine();
        if (missing) {
            throw new Error(`npm run test:e2e needs ${missing}. ${installHint}.`);
        }
        started = true;
        ok(run("bash", [cluster, "up"]), "cluster.sh up");
        kubeconfig = ok(run("bash", [cluster, "kubeconfig"]), "cluster.sh kubeconfig").trim();
        kubectlPath = path.join(ok(run("bash", [path.join(projectRoot, "scripts", "local", "tools.sh"), "-q", "--print-bin-dir"]), "tools.sh").trim(), "kubectl");
        fs.copyFileSync(path.join(projectRoot, "Pulumi.local.yaml"), stackFile);
        ok(run("pulumi", ["stack", "select", stack, "--create", "--secrets-provider", "passphrase", "--non-interactive"]), "stack init");
    });

    after(() => {
        if (!started) return;
        pulumi("destroy", "--skip-preview");
        run("pulumi", ["stack", "rm", "--stack", stack, "--yes", "--force", "--non-interactive"]);
        fs.rmSync(stackFile, { force: true });
        run("bash", [cluster, "down"]);
    });

    it("up completes with every Deployment and StatefulSet available and every Job complete", () => {
        ok(pulumi("up", "--skip-preview"), "pulumi up");
        const items = workloads().items;
        assert.ok(items.some((item) => item.kind === "Job"));
        for (const item of items) {
            if (item.kind === "Job") assert.equal(item.status.succeeded, 1, `job ${item.metadata.name}`);
            else assert.equal(item.status.availableReplicas, item.spec.replicas, `${item.kind} ${item.metadata.name}`);
        }
    });

    it("a second up reports no changes", () => {
        ok(pulumi("preview", "--expect-no-changes"), "pulumi preview --expect-no-changes");
    });

    it("a new image tag rolls the api with no unavailable replica and runs the migrations again", async () => {
        const jobsBefore = workloads().items.filter((item) => item.kind === "Job").map((item) => item.metadata.name);
        config("image.tag", "1.0.1");
        const up = await upWatchingApi();
        assert.equal(up.status, 0, up.output);
        assert.ok(up.samples.length > 0 && up.samples.every((status) => !status.unavailableReplicas), JSON.stringify(up.samples));
        const jobs = workloads().items.filter((item) => item.kind === "Job");
        const fresh = jobs.filter((job) => !jobsBefore.includes(job.metadata.name));
        assert.equal(fresh.length, 1, "one migrations Job for the new image");
        assert.equal(fresh[0].status.succeeded, 1);
    });

    it("a Deployment deleted behind the engine's back is found by refresh and restored by up", () => {
        ok(kubectl("delete", "deployment", "appstack-worker-indexing", "--wait"), "kubectl delete");
        const refresh = ok(pulumi("refresh", "--skip-preview"), "pulumi refresh");
        assert.match(refresh, /deleted/);
        ok(pulumi("up", "--skip-preview"), "pulumi up");
        assert.equal(kubectl("get", "deployment", "appstack-worker-indexing").status, 0);
    });

    it("turning autoscaling on does not drop replicas", async () => {
        config("api.autoscaling.enabled", "false");
        config("api.replicas", "3");
        ok(pulumi("up", "--skip-preview"), "pulumi up without autoscaling");
        config("api.autoscaling.enabled", "true");
        const up = await upWatchingApi();
        assert.equal(up.status, 0, up.output);
        assert.ok(up.samples.every((status) => (status.readyReplicas ?? 0) >= 2), JSON.stringify(up.samples));
    });

    it("invalid config fails before the engine touches anything", () => {
        const before = workloads().items.map((item) => `${item.metadata.name}@${item.metadata.generation}`).sort();
        config("image.tag", "latest");
        const up = pulumi("up", "--skip-preview");
        config("image.tag", "1.0.1");
        assert.notEqual(up.status, 0);
        assert.match(up.stdout + up.stderr, /Invalid configuration of stack "e2e"/);
        assert.doesNotMatch(up.stdout, /(updating|creating|deleting)/i);
        assert.deepEqual(workloads().items.map((item) => `${item.metadata.name}@${item.metadata.generation}`).sort(), before);
    });

    it("destroy removes the namespace", () => {
        ok(pulumi("destroy", "--skip-preview"), "pulumi destroy");
        assert.notEqual(run(kubectlPath, ["--kubeconfig", kubeconfig, "get", "namespace", namespace]).status, 0);
    });
});
