import { spawnSync, type SpawnSyncOptions } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { renderStack, table, type RenderedObject } from "./render";

// npm run local:up / local:down: the embedded default. `up` starts the local control plane
// (scripts/local/cluster.sh), deploys the `local` stack to it with `pulumi up` where the Pulumi CLI
// and its Kubernetes plugin are installed, or else applies the render with server-side apply in
// dependency order, and ends with the workloads' status and the outputs. `down` removes what `up`
// created and stops the control plane.

const root = path.resolve(__dirname, "..", "..");
const stack = "local";
const state = path.join(root, ".appstack");
const cluster = path.join(root, "scripts", "local", "cluster.sh");
const renderDir = path.join(root, "rendered", stack);

function run(command: string, args: string[], options: SpawnSyncOptions = {}): string {
    const result = spawnSync(command, args, { cwd: root, encoding: "utf8", maxBuffer: 64 << 20, ...options });
    if (result.status !== 0) {
        throw new Error(`${command} ${args.join(" ")} failed${result.error ? `: ${result.error.message}` : ""}\n${result.stderr ?? ""}${result.stdout ?? ""}`.trimEnd());
    }
    return (result.stdout as string | null) ?? "";
}

const step = (text: string) => console.log(`\n== ${text}`);

/** What stops `pulumi up` from running here, or nothing when the engine is installed. */
export function missingEngine(): string | undefined {
    const cli = spawnSync("pulumi", ["plugin", "ls", "--json"], { encoding: "utf8" });
    if (cli.error || cli.status !== 0) {
        return "the Pulumi CLI (`pulumi` is not on PATH)";
    }
    const plugins = JSON.parse(cli.stdout || "[]") as { name: string; kind: string }[];
    return plugins.some((plugin) => plugin.name === "kubernetes" && plugin.kind === "resource") ? undefined : "the Pulumi Kubernetes provider plugin (`pulumi plugin ls` lists none)";
}

export const installHint = `Install the engine with  curl -fsSL https://get.pulumi.com | sh  and  pulumi plugin install resource kubernetes ${require("@pulumi/kubernetes/package.json").version as string}`;

/** The environment of every pulumi command: a file backend and a passphrase under .appstack/. */
export function pulumiEnv(): NodeJS.ProcessEnv {
    const passphrase = path.join(state, "passphrase");
    if (!process.env.PULUMI_CONFIG_PASSPHRASE && !process.env.PULUMI_CONFIG_PASSPHRASE_FILE && !fs.existsSync(passphrase)) {
        fs.mkdirSync(state, { recursive: true });
        fs.writeFileSync(passphrase, crypto.randomBytes(24).toString("base64url"), { mode: 0o600 });
    }
    fs.mkdirSync(path.join(state, "pulumi"), { recursive: true });
    return { PULUMI_CONFIG_PASSPHRASE_FILE: passphrase, ...process.env, PULUMI_BACKEND_URL: `file://${path.join(state, "pulumi")}`, PULUMI_SKIP_UPDATE_CHECK: "true" };
}

function pulumi(args: string[], inherit = false): string {
    return run("pulumi", [...args, "--stack", stack, "--non-interactive"], { env: pulumiEnv(), stdio: inherit ? "inherit" : "pipe" });
}

function kubectlCommand(): { kubectl: string; kubeconfig: string } {
    const bin = run("bash", [path.join(root, "scripts", "local", "tools.sh"), "-q", "--print-bin-dir"]).trim();
    return { kubectl: path.join(bin, "kubectl"), kubeconfig: run("bash", [cluster, "kubeconfig"]).trim() };
}

/**
 * Applies the objects in order with server-side apply. Before an object that depends on a Job,
 * the Job must complete (`kubectl wait`), as the Pulumi engine would wait for it.
 */
function applyInOrder(objects: RenderedObject[], kubectl: (args: string[], input?: string) => string): void {
    const jobs = new Map(objects.filter((o) => o.manifest.kind === "Job").map((o) => [o.resource.urn, o.manifest]));
    let batch: RenderedObject[] = [];
    const flush = () => {
        if (batch.length > 0) {
            console.log(kubectl(["apply", "--server-side", "--field-manager=appstack", "-f", "-"], batch.map((o) => JSON.stringify(o.manifest)).join("\n---\n")).trimEnd());
        }
        batch = [];
    };
    for (const object of objects) {
        for (const urn of object.resource.dependencies.filter((dependency) => jobs.has(dependency))) {
            flush();
            const job = jobs.get(urn)!;
            console.log(`waiting for job/${job.metadata.name} to complete before ${object.manifest.kind.toLowerCase()}/${object.manifest.metadata.name}`);
            console.log(kubectl(["wait", "--for=condition=complete", "--timeout=180s", "-n", job.metadata.namespace!, `job/${job.metadata.name}`]).trimEnd());
            jobs.delete(urn);
        }
        batch.push(object);
    }
    flush();
}

function status(namespace: string, kubectl: (args: string[]) => string, outputs: Record<string, unknown>): void {
    const listed = JSON.parse(kubectl(["get", "deployments,statefulsets,jobs,cronjobs", "-n", namespace, "-o", "json"])) as {
        items: { kind: string; metadata: { name: string }; spec: { replicas?: number; schedule?: string }; status?: Record<string, number | undefined> }[];
    };
    const rows = listed.items.map((item) => {
        const s = item.status ?? {};
        const state =
            item.kind === "Job" ? (s.succeeded ? "Complete" : s.failed ? `Failed (${s.failed})` : "Running")
            : item.kind === "CronJob" ? `schedule ${item.spec.schedule}`
            : `${s.readyReplicas ?? 0}/${item.spec.replicas ?? 0} ready`;
        return [item.kind, item.metadata.name, state];
    });
    const outputRows = Object.entries(outputs).map(([key, value]) => [key, typeof value === "string" ? value : JSON.stringify(value)]);
    console.log(`\n${table([["KIND", "NAME", "STATUS"], ...rows])}\n\n${table([["OUTPUT", "VALUE"], ...outputRows])}`);
}

async function up(): Promise<void> {
    step("the local control plane");
    run("bash", [cluster, "up"], { stdio: "inherit" });
    const { kubectl, kubeconfig } = kubectlCommand();
    const k = (args: string[], input?: string) => run(kubectl, ["--kubeconfig", kubeconfig, ...args], { input });
    const missing = missingEngine();
    let outputs: Record<string, unknown>;
    if (!missing) {
        step("pulumi up (file backend in .appstack/pulumi, passphrase secrets)");
        run("pulumi", ["stack", "select", stack, "--create", "--secrets-provider", "passphrase", "--non-interactive"], { env: pulumiEnv() });
        pulumi(["up", "--yes", "--skip-preview"], true);
        outputs = JSON.parse(pulumi(["stack", "output", "--json"])) as Record<string, unknown>;
    } else {
        step("kubectl apply --server-side of the render, in dependency order");
        console.log(`The Pulumi engine was NOT used: missing ${missing}. ${installHint}, then run npm run local:up again.`);
        const render = await renderStack(stack, renderDir);
        applyInOrder(render.objects, k);
        outputs = render.evaluation.outputs;
    }
    step("status");
    status(String(outputs.namespace), k, outputs);
}

async function down(): Promise<void> {
    const running = spawnSync("bash", [cluster, "status"], { cwd: root }).status === 0;
    if (running && !missingEngine() && fs.existsSync(path.join(state, "pulumi", ".pulumi", "stacks", "appstack", `${stack}.json`))) {
        step("pulumi destroy");
        pulumi(["destroy", "--yes", "--skip-preview"], true);
    } else if (running && fs.existsSync(path.join(renderDir, "all.yaml"))) {
        step("kubectl delete of what local:up applied");
        const { kubectl, kubeconfig } = kubectlCommand();
        console.log(run(kubectl, ["--kubeconfig", kubeconfig, "delete", "--ignore-not-found", "--wait", "--timeout=120s", "-f", path.join(renderDir, "all.yaml")]).trimEnd());
    }
    step("stopping the local control plane");
    run("bash", [cluster, "down", "--purge"], { stdio: "inherit" });
}

if (require.main === module) {
    const command = process.argv[2];
    (command === "up" ? up() : command === "down" ? down() : Promise.reject(new Error("usage: node bin/scripts/local.js up|down"))).then(
        () => process.exit(0),
        (error: unknown) => {
            console.error(error instanceof Error ? error.message : error);
            process.exit(1);
        },
    );
}
