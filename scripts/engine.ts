import * as pulumi from "@pulumi/pulumi";
import { LocalWorkspace, PulumiCommand, type OpMap, type Stack } from "@pulumi/pulumi/automation";
import { spawnSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stackFileVariable } from "../stacks/stack-file";

// The Pulumi engine as local:up and test:e2e drive it: the CLI runs the program the project exports,
// inline in this process (the Automation API), so no Node.js language host is needed. State lives
// in a file backend under .appstack/, beside the local cluster it describes, so that removing one
// removes the other; secrets use a passphrase kept there too.

const root = path.resolve(__dirname, "..", "..");
export const projectName = "appstack";
export const stateDir = path.join(root, ".appstack");
const tools = path.join(root, "scripts", "local", "tools.sh");

/** Where the CLI and the Kubernetes plugin come from. */
export interface Engine {
    command: PulumiCommand;
    /** Prepended to PATH for the CLI, so that it finds the Kubernetes plugin as an ambient plugin. */
    binDir?: string;
    origin: string;
}

function runs(command: string, args: string[]): boolean {
    const result = spawnSync(command, args, { encoding: "utf8", env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" } });
    return !result.error && result.status === 0;
}

/** The user's own kubernetes plugin: on PATH, or installed by `pulumi plugin install`. */
function installedKubernetesPlugin(): boolean {
    const which = spawnSync("sh", ["-c", "command -v pulumi-resource-kubernetes"], { encoding: "utf8" });
    if (which.status === 0) return true;
    const listed = spawnSync("pulumi", ["plugin", "ls", "--json"], { encoding: "utf8", env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" } });
    if (listed.status !== 0) return false;
    const plugins = JSON.parse(listed.stdout || "[]") as { name: string; kind: string }[];
    return plugins.some((plugin) => plugin.name === "kubernetes" && plugin.kind === "resource");
}

/**
 * The machine's Pulumi CLI and Kubernetes plugin where both are installed; otherwise the pinned
 * ones of scripts/local/versions.env, built once from Go modules into the tool cache (minutes the
 * first time, reused after). Build progress goes to stderr.
 */
export async function findEngine(): Promise<Engine> {
    if (runs("pulumi", ["version"]) && installedKubernetesPlugin()) {
        return { command: await PulumiCommand.get({ skipVersionCheck: true }), origin: "the installed Pulumi CLI and Kubernetes plugin" };
    }
    const built = spawnSync("bash", [tools, "--engine", "--print-bin-dir"], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
    if (built.status !== 0) {
        throw new Error(`building the Pulumi engine failed (bash scripts/local/tools.sh --engine); see the lines above`);
    }
    const binDir = built.stdout.trim();
    return { command: await PulumiCommand.get({ root: path.dirname(binDir) }), binDir, origin: `the Pulumi CLI and Kubernetes plugin built into ${binDir}` };
}

/** The variables of every engine run: the file backend, the passphrase, the plugin on PATH. */
export function engineEnv(engine: Engine): Record<string, string> {
    const passphrase = path.join(stateDir, "passphrase");
    if (!fs.existsSync(passphrase)) {
        fs.mkdirSync(stateDir, { recursive: true });
        fs.writeFileSync(passphrase, crypto.randomBytes(24).toString("base64url"), { mode: 0o600 });
    }
    const backend = path.join(stateDir, "pulumi");
    fs.mkdirSync(backend, { recursive: true });
    return {
        PULUMI_BACKEND_URL: `file://${backend}`,
        PULUMI_CONFIG_PASSPHRASE_FILE: passphrase,
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DIY_BACKEND_NO_LEGACY_WARNING: "true",
        ...(engine.binDir ? { PATH: `${engine.binDir}${path.delimiter}${process.env.PATH ?? ""}` } : {}),
    };
}

/**
 * The program that `pulumi up` runs, evaluated here from the compiled index. The problems of an
 * invalid config are logged here, once, and the run fails with a short error of its own: the
 * Automation API's language server prints a thrown error twice (as an unhandled rejection and as
 * the run's result). It must fail by throwing: a program that returns, even after logging an
 * error, tells the engine it is done, and the engine deletes what it did not register.
 */
const program = async () => {
    try {
        return await (require(path.join(root, "bin", "index")) as () => Promise<Record<string, unknown>>)();
    } catch (error) {
        if (!pulumi.RunError.isInstance(error)) throw error;
        await pulumi.log.error(error.message);
        throw new pulumi.RunError("nothing was changed: the stack's configuration is invalid (the problems are listed above)");
    }
};

/**
 * The stack, driven inline. Its workspace is a directory of its own under .appstack/, holding the
 * project file and a copy of the repository's Pulumi.<stack>.yaml to which the engine adds the
 * stack's generated secrets: the repository's stack file is never written.
 */
export async function openStack(engine: Engine, stackName: string, stackFile: string): Promise<Stack> {
    const workDir = path.join(stateDir, "engine");
    fs.mkdirSync(workDir, { recursive: true });
    writeProjectFile(path.join(workDir, "Pulumi.yaml"));
    const workspaceFile = path.join(workDir, `Pulumi.${stackName}.yaml`);
    syncStackFile(stackFile, workspaceFile);
    // The program checks the stack file for values that should have been secrets.
    process.env[stackFileVariable] = workspaceFile;
    return LocalWorkspace.createOrSelectStack(
        { stackName, projectName, program },
        { workDir, pulumiCommand: engine.command, envVars: engineEnv(engine), secretsProvider: "passphrase" },
    );
}

/** The project's Pulumi.yaml without `main`: the program runs inline, not from the workspace. */
function writeProjectFile(target: string): void {
    const YAML = require("yaml") as typeof import("yaml");
    const { main: _main, ...project } = YAML.parse(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8")) as Record<string, unknown>;
    fs.writeFileSync(target, YAML.stringify(project));
}

/**
 * The workspace's stack file: the repository's, plus what the engine wrote there before that the
 * repository's does not set (the encryption salt, generated secrets).
 */
function syncStackFile(source: string, target: string): void {
    const YAML = require("yaml") as typeof import("yaml");
    const wanted = (YAML.parse(fs.readFileSync(source, "utf8")) ?? {}) as { config?: Record<string, unknown> };
    const kept = fs.existsSync(target)
        ? ((YAML.parse(fs.readFileSync(target, "utf8")) ?? {}) as { encryptionsalt?: string; config?: Record<string, unknown> })
        : {};
    const config = mergeMissing(wanted.config ?? {}, kept.config ?? {}, isSecure);
    fs.writeFileSync(target, YAML.stringify({ ...wanted, ...(kept.encryptionsalt ? { encryptionsalt: kept.encryptionsalt } : {}), config }));
}

const isSecure = (value: unknown): boolean => typeof value === "object" && value !== null && Object.keys(value).length === 1 && "secure" in value;

/** `into` with each value of `from` that `keep` accepts and `into` lacks, at every depth. */
function mergeMissing(into: Record<string, unknown>, from: Record<string, unknown>, keep: (value: unknown) => boolean): Record<string, unknown> {
    const result = { ...into };
    for (const [key, value] of Object.entries(from)) {
        const mine = result[key];
        if (keep(value)) {
            if (mine === undefined) result[key] = value;
        } else if (
            value &&
            typeof value === "object" &&
            !Array.isArray(value) &&
            (mine === undefined || (mine && typeof mine === "object" && !Array.isArray(mine)))
        ) {
            const merged = mergeMissing((mine as Record<string, unknown>) ?? {}, value as Record<string, unknown>, keep);
            if (mine !== undefined || Object.keys(merged).length > 0) result[key] = merged;
        }
    }
    return result;
}

/** Sets each missing generated secret once: letters and digits, which need no escaping in a URL. */
export async function ensureGeneratedSecrets(stack: Stack, paths: { path: string; length: number }[]): Promise<string[]> {
    const config = await stack.getAllConfig();
    const set: string[] = [];
    for (const { path: key, length } of paths) {
        if (hasPath(config, key)) continue;
        const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        const value = Array.from(crypto.randomBytes(length), (byte) => alphabet[byte % alphabet.length]).join("");
        await stack.setConfig(`${projectName}:${key}`, { value, secret: true }, true);
        set.push(key);
    }
    return set;
}

function hasPath(config: Record<string, { value: string }>, key: string): boolean {
    const [top, ...rest] = key.split(".");
    const entry = config[`${projectName}:${top}`];
    if (!entry) return false;
    let value: unknown = rest.length === 0 ? entry.value : JSON.parse(entry.value);
    for (const part of rest) {
        if (!value || typeof value !== "object" || !(part in value)) return false;
        value = (value as Record<string, unknown>)[part];
    }
    return value !== undefined;
}

/**
 * Runs an engine operation that Ctrl-C cancels the way the CLI does on its own terminal: the
 * engine finishes the steps in flight, records them, and stops; a second Ctrl-C exits at once. A
 * cancelled file-backend engine fails to delete its lock (it deletes it with the cancelled
 * context), so the lock is released here once the engine has exited.
 */
export async function cancellable<T>(stack: Stack, operation: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    const onInterrupt = () => {
        if (controller.signal.aborted) process.exit(130);
        console.error("\ncancelling: the engine finishes the steps in flight, then stops (Ctrl-C again to exit at once)");
        controller.abort();
    };
    process.on("SIGINT", onInterrupt);
    try {
        return await operation(controller.signal);
    } catch (error) {
        if (controller.signal.aborted) {
            const released = await clearStaleLock(stack);
            if (released) console.error(released);
        }
        throw error;
    } finally {
        process.off("SIGINT", onInterrupt);
    }
}

/** The engine's own summary of an operation, in one line. */
export function summaryLine(changes: OpMap | undefined): string {
    const count = (...ops: (keyof OpMap)[]) => ops.reduce((sum, op) => sum + (changes?.[op] ?? 0), 0);
    return `${count("create")} created, ${count("update")} updated, ${count("replace")} replaced, ${count("delete")} deleted, ${count("same")} unchanged`;
}

/**
 * An engine killed mid-way (SIGKILL, a lost terminal) leaves its lock, and every later run refuses
 * with "the stack is currently locked". A lock whose process is gone from this machine is stale:
 * it is released as `pulumi cancel` would, and the engine's leftover provider processes stopped.
 * Returns what was done, or nothing.
 */
export async function clearStaleLock(stack: Stack): Promise<string | undefined> {
    const locks = path.join(stateDir, "pulumi", ".pulumi", "locks");
    const held = listFiles(locks).filter((file) => path.basename(path.dirname(file)) === stack.name && file.endsWith(".json"));
    const stale = held.filter((file) => {
        const lock = JSON.parse(fs.readFileSync(file, "utf8")) as { pid: number; hostname: string };
        return lock.hostname === os.hostname() && !alive(lock.pid);
    });
    if (stale.length === 0 || stale.length < held.length) return undefined;
    await stack.cancel();
    const orphans = orphanedProviders();
    orphans.forEach((pid) => process.kill(pid, "SIGTERM"));
    return `released the stack's lock, left by an engine that is no longer running${orphans.length ? `, and stopped its ${orphans.length} provider process(es)` : ""}`;
}

function listFiles(dir: string): string[] {
    if (!fs.existsSync(dir)) return [];
    return fs
        .readdirSync(dir, { withFileTypes: true })
        .flatMap((entry) => (entry.isDirectory() ? listFiles(path.join(dir, entry.name)) : [path.join(dir, entry.name)]));
}

/** A process that runs: a zombie (killed, not yet reaped, as under a container's init) does not. */
function alive(pid: number): boolean {
    try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
        return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
    } catch {
        return false;
    }
}

/** Provider processes whose engine has gone, still running: re-parented to PID 1. */
function orphanedProviders(): number[] {
    return fs
        .readdirSync("/proc")
        .filter((entry) => /^\d+$/.test(entry))
        .flatMap((entry) => {
            try {
                const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
                const [name, parent] = [stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1])];
                return name.startsWith("pulumi-resource") && parent === 1 && alive(Number(entry)) ? [Number(entry)] : [];
            } catch {
                return [];
            }
        });
}
