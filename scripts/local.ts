import type { Stack } from "@pulumi/pulumi/automation";
import { spawnSync, type SpawnSyncOptions } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { cancellable, clearStaleLock, ensureGeneratedSecrets, findEngine, openStack, summaryLine } from "./engine";
import { table } from "./render";
import { generatedSecretPaths } from "./secrets";
import { runMain } from "./main";

// npm run local:up / local:down: the embedded default. `up` starts the local control plane
// (scripts/local/cluster.sh) and deploys the `local` stack to it with the Pulumi engine, which
// waits as `pulumi up` does; it ends with the engine's summary, the workloads' status and the
// outputs. `down` destroys the stack with the engine, removes it, and stops the control plane
// (`--purge` deletes the plane's state too).

const root = path.resolve(__dirname, "..", "..");
const stackName = "local";
const cluster = path.join(root, "scripts", "local", "cluster.sh");

function run(command: string, args: string[], options: SpawnSyncOptions = {}): string {
    const result = spawnSync(command, args, { cwd: root, encoding: "utf8", maxBuffer: 64 << 20, ...options });
    if (result.status !== 0) {
        throw new Error(
            `${command} ${args.join(" ")} failed${result.error ? `: ${result.error.message}` : ""}\n${result.stderr ?? ""}${result.stdout ?? ""}`.trimEnd(),
        );
    }
    return (result.stdout as string | null) ?? "";
}

const step = (text: string) => console.log(`\n== ${text}`);

function kubectl(): (args: string[]) => string {
    const bin = run("bash", [path.join(root, "scripts", "local", "tools.sh"), "-q", "--print-bin-dir"]).trim();
    const kubeconfig = run("bash", [cluster, "kubeconfig"]).trim();
    return (args) => run(path.join(bin, "kubectl"), ["--kubeconfig", kubeconfig, ...args]);
}

function status(namespace: string, k: (args: string[]) => string, outputs: Record<string, unknown>): void {
    const listed = JSON.parse(k(["get", "deployments,statefulsets,jobs,cronjobs", "-n", namespace, "-o", "json"])) as {
        items: { kind: string; metadata: { name: string }; spec: { replicas?: number; schedule?: string }; status?: Record<string, number | undefined> }[];
    };
    const rows = listed.items.map((item) => {
        const s = item.status ?? {};
        const state =
            item.kind === "Job"
                ? s.succeeded
                    ? "Complete"
                    : s.failed
                      ? `Failed (${s.failed})`
                      : "Running"
                : item.kind === "CronJob"
                  ? `schedule ${item.spec.schedule}`
                  : `${s.readyReplicas ?? 0}/${item.spec.replicas ?? 0} ready`;
        return [item.kind, item.metadata.name, state];
    });
    const outputRows = Object.entries(outputs).map(([key, value]) => [key, typeof value === "string" ? value : JSON.stringify(value)]);
    console.log(`\n${table([["KIND", "NAME", "STATUS"], ...rows])}\n\n${table([["OUTPUT", "VALUE"], ...outputRows])}`);
}

/** The engine's output, as it comes. */
const streamed = { onOutput: (out: string) => process.stdout.write(out), onError: (err: string) => process.stderr.write(err) };

/** An engine command's error, whose text holds the output already streamed: said in one line. */
const failedAbove =
    (command: string) =>
    (error: unknown): never => {
        throw new Error(`${command} of the ${stackName} stack failed${signalled(error) ? " (cancelled)" : ""}: the engine's output above says why`);
    };
const signalled = (error: unknown) => error instanceof Error && /SIGINT|cancel/i.test(error.message);

async function openLocalStack(): Promise<Stack> {
    const engine = await findEngine();
    console.log(`engine: ${engine.origin}`);
    const stack = await openStack(engine, stackName, path.join(root, `Pulumi.${stackName}.yaml`));
    const cleared = await clearStaleLock(stack);
    if (cleared) console.log(cleared);
    return stack;
}

async function up(): Promise<void> {
    step("the local control plane");
    run("bash", [cluster, "up"], { stdio: "inherit" });
    step("pulumi up (file backend and passphrase under .appstack/)");
    const stack = await openLocalStack();
    const generated = await ensureGeneratedSecrets(stack, generatedSecretPaths(path.join(root, `Pulumi.${stackName}.yaml`)));
    if (generated.length > 0) console.log(`generated secrets in the stack's config: ${generated.join(", ")}`);
    const result = await cancellable(stack, (signal) => stack.up({ ...streamed, signal, color: "never" })).catch(failedAbove("pulumi up"));
    const outputs = Object.fromEntries(Object.entries(result.outputs).map(([key, output]) => [key, output.secret ? "[secret]" : output.value]));
    step("status");
    status(String(outputs.namespace), kubectl(), outputs);
    console.log(`\n${summaryLine(result.summary.resourceChanges)}`);
}

async function down(purge: boolean): Promise<void> {
    const running = spawnSync("bash", [cluster, "status"], { cwd: root }).status === 0;
    const stackState = path.join(root, ".appstack", "pulumi", ".pulumi", "stacks", "appstack", `${stackName}.json`);
    if (fs.existsSync(stackState)) {
        if (!running) {
            step("the local control plane (the stack's objects live there)");
            run("bash", [cluster, "up"], { stdio: "inherit" });
        }
        step("pulumi destroy");
        const stack = await openLocalStack();
        const namespace = (await stack.outputs()).namespace?.value as string | undefined;
        // A line per object is noise on the way out: the engine's output is shown when it fails.
        const output: string[] = [];
        const kept = { onOutput: (out: string) => output.push(out), onError: (err: string) => output.push(err) };
        const result = await cancellable(stack, (signal) => stack.destroy({ ...kept, signal, color: "never", remove: true })).catch((error: unknown) => {
            process.stdout.write(output.join(""));
            return failedAbove("pulumi destroy")(error);
        });
        console.log(`${summaryLine(result.summary.resourceChanges)}; stack "${stackName}" removed`);
        // The engine is done once the deletions are accepted; pods and claims go on terminating.
        // Stopped before they are gone, the plane would bring them back on its next start, and
        // the next up would wait minutes for their names to be free.
        if (namespace) kubectl()(["wait", "--for=delete", `namespace/${namespace}`, "--timeout=180s"]);
    }
    step("stopping the local control plane");
    run("bash", [cluster, "down", ...(purge ? ["--purge"] : [])], { stdio: "inherit" });
}

if (require.main === module) {
    const [command, ...flags] = process.argv.slice(2);
    const known = command === "up" ? flags.length === 0 : command === "down" ? flags.every((flag) => flag === "--purge") : false;
    runMain(() =>
        known
            ? command === "up"
                ? up()
                : down(flags.includes("--purge"))
            : Promise.reject(new Error("usage: npm run local:up | npm run local:down [-- --purge]")),
    );
}
