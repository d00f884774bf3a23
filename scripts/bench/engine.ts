import type { EngineEvent, Stack } from "@pulumi/pulumi/automation";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { ensureGeneratedSecrets, findEngine, openStack, stateDir, type Engine } from "../engine";
import { generatedSecretPaths } from "../secrets";
import { projectRoot } from "../offline";
import { renderStack, type RenderedObject } from "../render";

// The engine's figures on the local control plane: `up` from nothing, a no-change preview, an
// image roll and destroy, each the median of its runs, beside `kubectl apply` of the same render
// with the same waits (each Job complete before what depends on it, then every Deployment and
// StatefulSet rolled out). Also the critical path of an up: the chain of resources, each waiting
// on the one before, that ended last.

const scripts = path.join(projectRoot, "scripts", "local");
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)];
const seconds = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e9;

function sh(command: string, args: string[], input?: string): string {
    const result = spawnSync(command, args, { cwd: projectRoot, encoding: "utf8", input, maxBuffer: 64 << 20 });
    if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed:\n${result.stderr}${result.stdout}`);
    return result.stdout;
}

/** The bench's stack file: the local stack's config in a namespace of its own, with `workers` workers. */
function benchStackFile(workers: number | undefined): { file: string; namespace: string } {
    const document = YAML.parse(fs.readFileSync(path.join(projectRoot, "Pulumi.local.yaml"), "utf8")) as { config: Record<string, unknown> };
    const namespace = "appstack-bench";
    document.config["appstack:namespace"] = namespace;
    if (workers !== undefined) {
        const [template] = document.config["appstack:workers"] as Record<string, unknown>[];
        document.config["appstack:workers"] = Array.from({ length: workers }, (_, index) => ({
            ...template,
            name: `w${index + 1}`,
            queues: [`q${index + 1}`],
        }));
    }
    const file = path.join(stateDir, "bench", "Pulumi.bench.yaml");
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, YAML.stringify(document));
    return { file, namespace };
}

interface Step {
    urn: string;
    start: number;
    end?: number;
}

/** An up that notes when each resource's step started and ended, as the engine reported it. */
async function timedUp(stack: Stack): Promise<{ seconds: number; steps: Map<string, Step> }> {
    const steps = new Map<string, Step>();
    const began = Date.now();
    const onEvent = (event: EngineEvent) => {
        const now = (Date.now() - began) / 1000;
        const pre = event.resourcePreEvent?.metadata;
        if (pre) steps.set(pre.urn, { urn: pre.urn, start: now });
        const done = event.resOutputsEvent?.metadata;
        if (done && steps.has(done.urn)) steps.get(done.urn)!.end = now;
    };
    const started = process.hrtime.bigint();
    await stack.up({ onEvent, color: "never" });
    return { seconds: seconds(started), steps };
}

/** A resource's own type: the last of its URN's type chain. */
const typeOf = (urn: string) => urn.split("::")[2].split("$").pop()!;

/** From the step that ended last, back through the dependency that ended last before it. */
async function criticalPath(stack: Stack, steps: Map<string, Step>): Promise<string[]> {
    const state = (await stack.exportStack()).deployment as { resources: { urn: string; dependencies?: string[]; parent?: string }[] };
    const byUrn = new Map(state.resources.map((resource) => [resource.urn, resource]));
    const children = new Map<string, string[]>();
    for (const resource of state.resources) if (resource.parent) children.set(resource.parent, [...(children.get(resource.parent) ?? []), resource.urn]);
    // What a resource waited on: its own dependencies and its ancestors' (a component's dependsOn
    // holds its children back), a component standing for every resource under it.
    const descendants = (urn: string): string[] => [urn, ...(children.get(urn) ?? []).flatMap(descendants)];
    const waitedOn = (urn: string): string[] => {
        const resource = byUrn.get(urn);
        const own = (resource?.dependencies ?? []).flatMap(descendants);
        return resource?.parent ? [...own, ...waitedOn(resource.parent)] : own;
    };
    // The engine waits on custom resources; a component ends when its children do.
    const isCustom = (step: Step) => !/^(appstack:|pulumi:pulumi:Stack)/.test(typeOf(step.urn));
    const ended = [...steps.values()].filter((step) => step.end !== undefined && isCustom(step));
    let current = ended.sort((a, b) => b.end! - a.end!)[0];
    const chain: string[] = [];
    while (current) {
        const name = current.urn.slice(current.urn.lastIndexOf("::") + 2);
        const type = typeOf(current.urn);
        chain.push(`${type} ${name}: ${current.start.toFixed(1)} s -> ${current.end!.toFixed(1)} s`);
        const before = waitedOn(current.urn)
            .map((urn) => steps.get(urn))
            .filter((step): step is Step => step?.end !== undefined && isCustom(step));
        current = before.sort((a, b) => b.end! - a.end!)[0];
    }
    return chain.reverse();
}

/** `kubectl apply` of the render in order, waiting for each Job before what depends on it, then for every rollout. */
function kubectlApply(objects: RenderedObject[], namespace: string, kubectl: (args: string[], input?: string) => string): number {
    const started = process.hrtime.bigint();
    const jobs = new Map(objects.filter((o) => o.manifest.kind === "Job").map((o) => [o.resource.urn, o.manifest]));
    let batch: RenderedObject[] = [];
    const flush = () => {
        if (batch.length > 0)
            kubectl(["apply", "--server-side", "--field-manager=bench", "-f", "-"], batch.map((o) => JSON.stringify(o.manifest)).join("\n---\n"));
        batch = [];
    };
    for (const object of objects) {
        for (const urn of object.resource.dependencies.filter((dependency) => jobs.has(dependency))) {
            flush();
            kubectl(["wait", "--for=condition=complete", "--timeout=180s", "-n", namespace, `job/${jobs.get(urn)!.metadata.name}`]);
            jobs.delete(urn);
        }
        batch.push(object);
    }
    flush();
    for (const kind of ["deployment", "statefulset"]) {
        for (const name of kubectl(["get", kind, "-n", namespace, "-o", "name"]).split("\n").filter(Boolean)) {
            kubectl(["rollout", "status", "-n", namespace, "--timeout=180s", name]);
        }
    }
    return seconds(started);
}

export interface EngineFigures {
    workers: string;
    resources: number;
    up: number[];
    preview: number[];
    roll: number[];
    destroy: number[];
    kubectl: number[];
    criticalPath: string[];
}

/** Runs the engine's rows `runs` times for the local stack, or for it with `workers` workers. */
export async function benchEngine(runs: number, workers?: number): Promise<EngineFigures> {
    sh("bash", [path.join(scripts, "cluster.sh"), "up"]);
    const kubeconfig = sh("bash", [path.join(scripts, "cluster.sh"), "kubeconfig"]).trim();
    const kubectlBin = path.join(sh("bash", [path.join(scripts, "tools.sh"), "-q", "--print-bin-dir"]).trim(), "kubectl");
    const kubectl = (args: string[], input?: string) => sh(kubectlBin, ["--kubeconfig", kubeconfig, ...args], input);
    const { file, namespace } = benchStackFile(workers);
    const engine: Engine = await findEngine();
    let stack = await openStack(engine, "bench", file);
    await ensureGeneratedSecrets(stack, generatedSecretPaths(file));
    const render = await renderStack("bench", path.join(stateDir, "bench", "render"), { configFile: file });
    const figures: EngineFigures = {
        workers: workers === undefined ? "local stack" : `${workers} workers`,
        resources: 0,
        up: [],
        preview: [],
        roll: [],
        destroy: [],
        kubectl: [],
        criticalPath: [],
    };
    try {
        for (let run = 0; run < runs; run++) {
            const up = await timedUp(stack);
            figures.up.push(up.seconds);
            if (run === 0) {
                figures.criticalPath = await criticalPath(stack, up.steps);
                figures.resources = up.steps.size;
            }
            let started = process.hrtime.bigint();
            await stack.preview({ expectNoChanges: true, color: "never" });
            figures.preview.push(seconds(started));
            const document = YAML.parse(fs.readFileSync(file, "utf8")) as { config: { "appstack:image": { tag: string } } };
            document.config["appstack:image"].tag = `1.0.${run + 10}`;
            fs.writeFileSync(file, YAML.stringify(document));
            stack = await openStack(engine, "bench", file);
            figures.roll.push((await timedUp(stack)).seconds);
            started = process.hrtime.bigint();
            await stack.destroy({ color: "never" });
            figures.destroy.push(seconds(started));
            figures.kubectl.push(kubectlApply(render.objects, namespace, kubectl));
            kubectl(["delete", "namespace", namespace, "--wait=true", "--timeout=180s"]);
        }
    } finally {
        await stack.destroy({ color: "never", remove: true }).catch(() => undefined);
    }
    return figures;
}

/** The rows of one run of `benchEngine`. */
export function engineRows(figures: EngineFigures): string[] {
    const s = (values: number[]) => `${median(values).toFixed(1)} s`.padStart(8);
    const kubectlMedian = median(figures.kubectl);
    return [
        `engine, ${figures.workers} (${figures.resources} resources), medians of ${figures.up.length}`,
        `  up from nothing               ${s(figures.up)}  kubectl apply with the same waits ${s(figures.kubectl)}  ${(median(figures.up) / kubectlMedian).toFixed(2)}x (goal 1.5x)`,
        `  no-change preview             ${s(figures.preview)}  (goal under 2 s)`,
        `  image roll                    ${s(figures.roll)}`,
        `  destroy                       ${s(figures.destroy)}`,
        `  critical path of the first up:`,
        ...figures.criticalPath.map((line) => `    ${line}`),
    ];
}
