import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import type { Evaluation, Manifest, RegisteredResource } from "./offline";
import { runMain } from "./main";

const usage = `usage: npm run render -- --stack NAME [--config-file FILE] [--out DIR] [--diff]

Evaluates the program offline under Pulumi's mocks with the config of Pulumi.NAME.yaml (at the
project's top or under examples/): no Pulumi CLI, no credentials, no cluster.

  --stack NAME   the stack: NAME, ORG/NAME or ORG/appstack/NAME as Pulumi writes it
  --config-file FILE
                 read the config from FILE instead of Pulumi.NAME.yaml (as pulumi --config-file)
  --out DIR      where to write (default rendered/NAME):
                   all.yaml        every Kubernetes object, in an order kubectl apply -f can follow
                   manifests/      one file per object
                   outputs.json    the stack's outputs
                   resources.json  every registered resource, secrets masked
  --diff         compare with the previous render in DIR: objects added, removed, changed,
                 replaced (with the workloads that roll because of it)
  -h, --help     this text`;

/** Reads the arguments, or says what is wrong with them, before anything heavy is loaded. */
export function parseOptions(
    args: string[],
    root: string,
): { stack: string; configFile?: string; outDir: string; diff: boolean } | { exitCode: number; message: string } {
    let values;
    try {
        ({ values } = parseArgs({
            args,
            options: {
                stack: { type: "string" },
                "config-file": { type: "string" },
                out: { type: "string" },
                diff: { type: "boolean" },
                help: { type: "boolean", short: "h" },
            },
        }));
    } catch (error) {
        return { exitCode: 2, message: `${(error as Error).message}\n\n${usage}` };
    }
    if (values.help) {
        return { exitCode: 0, message: usage };
    }
    if (!values.stack) {
        return { exitCode: 2, message: `--stack is required\n\n${usage}` };
    }
    const parts = values.stack.split("/");
    if (parts.length > 3 || parts.some((part) => part === "") || (parts.length === 3 && parts[1] !== "appstack")) {
        return { exitCode: 2, message: `--stack ${values.stack}: expected NAME, ORG/NAME or ORG/appstack/NAME` };
    }
    const stack = parts[parts.length - 1];
    const configFile = values["config-file"] === undefined ? undefined : path.resolve(values["config-file"]);
    return { stack, configFile, outDir: path.resolve(values.out ?? path.join(root, "rendered", stack)), diff: values.diff ?? false };
}

// ------------------------------------------------------------------ apply order

export interface RenderedObject {
    resource: RegisteredResource;
    manifest: Manifest;
}

const builtInGroups = new Set([
    "",
    "apps",
    "batch",
    "autoscaling",
    "policy",
    "networking.k8s.io",
    "rbac.authorization.k8s.io",
    "storage.k8s.io",
    "scheduling.k8s.io",
    "apiextensions.k8s.io",
    "admissionregistration.k8s.io",
    "coordination.k8s.io",
    "discovery.k8s.io",
    "node.k8s.io",
    "certificates.k8s.io",
]);
const namespaceDefaults = new Set(["ResourceQuota", "LimitRange"]);
const referenced = new Set(["ServiceAccount", "Role", "RoleBinding", "ConfigMap", "Secret", "PersistentVolumeClaim", "Service", "NetworkPolicy"]);
const workloads = new Set(["Deployment", "StatefulSet", "DaemonSet", "CronJob"]);

/** Where a kind goes when nothing else decides: what others refer to before what refers to it. */
function rank(manifest: Manifest): number {
    const group = manifest.apiVersion.includes("/") ? manifest.apiVersion.split("/")[0] : "";
    if (!builtInGroups.has(group)) return 7; // a custom resource: after its definition and everything built in
    if (manifest.kind === "Namespace") return 0;
    if (!manifest.metadata.namespace) return 1;
    if (namespaceDefaults.has(manifest.kind)) return 2; // before any pod, so quota and defaults apply
    if (referenced.has(manifest.kind)) return 3;
    if (manifest.kind === "Job") return 4; // e.g. the migrations that workloads wait for
    if (workloads.has(manifest.kind)) return 5;
    return 6; // what refers to workloads: autoscalers, disruption budgets, ingresses
}

/**
 * The Kubernetes objects in an order that `kubectl apply -f` can follow on an empty cluster: by
 * kind as above, and never before an object it depends on (its `dependsOn` and input sources).
 */
export function applyOrder(objects: RenderedObject[]): RenderedObject[] {
    const byUrn = new Map(objects.map((object) => [object.resource.urn, object]));
    const pending = objects.map((object, index) => ({ ...object, index, key: rank(object.manifest) }));
    const done = new Set<string>();
    const ordered: RenderedObject[] = [];
    while (pending.length > 0) {
        const ready = pending.filter((object) => object.resource.dependencies.every((urn) => !byUrn.has(urn) || done.has(urn)));
        // A cycle cannot be ordered by dependencies; kind order then decides.
        const next = (ready.length > 0 ? ready : pending).reduce((best, object) =>
            object.key < best.key || (object.key === best.key && object.index < best.index) ? object : best,
        );
        pending.splice(pending.indexOf(next), 1);
        done.add(next.resource.urn);
        ordered.push({ resource: next.resource, manifest: next.manifest });
    }
    return ordered;
}

// ------------------------------------------------------------------ output

export function objectKey(manifest: Manifest): string {
    return [manifest.kind, manifest.metadata.namespace ?? "", manifest.metadata.name ?? ""].join("/");
}

function fileName(manifest: Manifest): string {
    return `${manifest.metadata.namespace ?? "cluster"}_${manifest.kind}_${manifest.metadata.name ?? "unnamed"}.yaml`.replace(/[^\w.-]/g, "-");
}

/** The list of files a render wrote, so that the next one removes only those. */
const recordFile = ".render-files";

/**
 * Writes the render under `outDir` and returns the YAML of the previous render's objects by key.
 * A file left from the previous render that this one does not
 * write again is removed; nothing else in `outDir` is touched.
 */
function writeRender(
    evaluation: Evaluation,
    outDir: string,
    ordered: Manifest[],
    YAML: typeof import("yaml"),
    readPrevious: boolean,
): { previous: Map<string, string>; current: Map<string, string> } {
    const previous = new Map<string, string>();
    const allFile = path.join(outDir, "all.yaml");
    if (readPrevious && fs.existsSync(allFile)) {
        // Each document starts with a `--- # KEY` line (below), so no YAML needs parsing here.
        for (const document of fs
            .readFileSync(allFile, "utf8")
            .split(/^--- # /m)
            .slice(1)) {
            const newline = document.indexOf("\n");
            previous.set(document.slice(0, newline), document.slice(newline + 1));
        }
    }
    const recordPath = path.join(outDir, recordFile);
    const before = fs.existsSync(recordPath) ? fs.readFileSync(recordPath, "utf8").split("\n").filter(Boolean) : [];
    const files = new Map<string, string>();
    // kubectl parses YAML 1.1, where a bare `off` or `yes` is a boolean: such strings are quoted.
    const texts = ordered.map((manifest) => YAML.stringify(manifest, { version: "1.1", sortMapEntries: false }));
    ordered.forEach((manifest, index) => files.set(path.join("manifests", fileName(manifest)), texts[index]));
    files.set("all.yaml", texts.map((text, index) => `--- # ${objectKey(ordered[index])}\n${text}`).join(""));
    for (const chart of helmCharts(evaluation.resources)) {
        files.set(path.join("charts", `${chart.namespace}_${chart.name}.yaml`), YAML.stringify(chart, { version: "1.1", sortMapEntries: false }));
    }
    files.set("outputs.json", JSON.stringify(evaluation.outputs, null, 2) + "\n");
    files.set("resources.json", JSON.stringify(evaluation.resources, null, 2) + "\n");
    for (const [file, text] of files) {
        fs.mkdirSync(path.dirname(path.join(outDir, file)), { recursive: true });
        fs.writeFileSync(path.join(outDir, file), text);
    }
    for (const stale of before.filter((file) => !files.has(file) && !path.isAbsolute(file) && !file.split(path.sep).includes(".."))) {
        fs.rmSync(path.join(outDir, stale), { force: true });
    }
    fs.writeFileSync(recordPath, [...files.keys()].join("\n") + "\n");
    return { previous, current: new Map(ordered.map((manifest, index) => [objectKey(manifest), texts[index]])) };
}

/** Rows as aligned columns, the first row the header. */
export function table(rows: string[][]): string {
    const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
    return rows
        .map((row) =>
            row
                .map((cell, column) => cell.padEnd(widths[column]))
                .join("  ")
                .trimEnd(),
        )
        .join("\n");
}

/** The Helm charts a stack installs, as registered: the engine expands each into its objects, the render does not. */
function helmCharts(resources: RegisteredResource[]): { name: string; namespace: string; chart: string; version: string; [input: string]: unknown }[] {
    return resources
        .filter((resource) => resource.type === "kubernetes:helm.sh/v4:Chart")
        .map((resource) => {
            const { name, namespace, chart, version, ...rest } = resource.inputs as Record<string, unknown>;
            return { name: String(name ?? resource.name), namespace: String(namespace ?? ""), chart: String(chart), version: String(version ?? ""), ...rest };
        });
}

function summary(objects: Manifest[], outputs: Record<string, unknown>, resources: RegisteredResource[]): string {
    const rows = [["KIND", "NAMESPACE", "NAME"], ...objects.map((m) => [m.kind, m.metadata.namespace ?? "", m.metadata.name ?? ""])];
    const outputRows = Object.entries(outputs).map(([key, value]) => [key, typeof value === "string" ? value : JSON.stringify(value)]);
    const charts = helmCharts(resources);
    const chartRows = charts.length
        ? `\n\nHelm charts (values in charts/):\n${table([["NAMESPACE", "NAME", "CHART", "VERSION"], ...charts.map((c) => [c.namespace, c.name, c.chart, c.version])])}`
        : "";
    return `${table(rows)}${chartRows}\n\nOutputs:\n${table([["NAME", "VALUE"], ...outputRows])}`;
}

export interface Render {
    evaluation: Evaluation;
    /** The Kubernetes objects in apply order. */
    objects: RenderedObject[];
    /** The YAML of each object, by `objectKey`. */
    current: Map<string, string>;
    /** With `readPrevious`, the YAML of each object of the previous render there, by `objectKey`. */
    previous: Map<string, string>;
    /** With `readPrevious`, the URN and manifest of each object of the previous render, by `objectKey`. */
    previousObjects: Map<string, { urn: string; manifest: Manifest }>;
}

/** The Kubernetes objects of a render's resources.json, by `objectKey`. */
function objectsOf(
    resources: RegisteredResource[],
    manifestsOf: (resources: RegisteredResource[]) => Manifest[],
): Map<string, { urn: string; manifest: Manifest }> {
    return new Map(resources.flatMap((resource) => manifestsOf([resource]).map((manifest) => [objectKey(manifest), { urn: resource.urn, manifest }] as const)));
}

/** Evaluates a stack offline and writes its render under `outDir`. */
export async function renderStack(stack: string, outDir: string, options: { configFile?: string; readPrevious?: boolean } = {}): Promise<Render> {
    const offline = require("./offline") as typeof import("./offline");
    const settings = options.configFile ? offline.stackSettingsFromValues(offline.readConfigFile(options.configFile)) : offline.readStackSettings(stack);
    const evaluation = await offline.evaluateProgram(stack, settings);
    const objects = applyOrder(
        evaluation.resources
            .filter((resource) => offline.manifestsOf([resource]).length === 1)
            .map((resource) => ({ resource, manifest: offline.manifestsOf([resource])[0] })),
    );
    const previousResources = path.join(outDir, "resources.json");
    const previousObjects =
        options.readPrevious && fs.existsSync(previousResources)
            ? objectsOf(JSON.parse(fs.readFileSync(previousResources, "utf8")) as RegisteredResource[], offline.manifestsOf)
            : new Map();
    const { previous, current } = writeRender(
        evaluation,
        outDir,
        objects.map((object) => object.manifest),
        require("yaml") as typeof import("yaml"),
        options.readPrevious ?? false,
    );
    return { evaluation, objects, previous, current, previousObjects };
}

async function main(): Promise<number> {
    const root = path.resolve(__dirname, "..", "..");
    const options = parseOptions(process.argv.slice(2), root);
    if ("exitCode" in options) {
        (options.exitCode === 0 ? console.log : console.error)(options.message);
        return options.exitCode;
    }
    // Pulumi's runtime records a stack trace with every promise it makes, for a report of leaked
    // promises that a render never prints: about 150 ms of a prod render. A render reports errors
    // by their message alone.
    Error.stackTraceLimit = 0;
    const started = process.hrtime.bigint();
    const render = await renderStack(options.stack, options.outDir, { configFile: options.configFile, readPrevious: options.diff });
    const millis = Number(process.hrtime.bigint() - started) / 1e6;
    const manifests = render.objects.map((object) => object.manifest);
    console.log(summary(manifests, render.evaluation.outputs, render.evaluation.resources));
    if (options.diff) {
        const { diffText } = require("./render-diff") as typeof import("./render-diff");
        const currentObjects = new Map(render.objects.map(({ resource, manifest }) => [objectKey(manifest), { urn: resource.urn, manifest }]));
        const text = diffText(
            { texts: render.previous, objects: render.previousObjects },
            { texts: render.current, objects: currentObjects },
            (require("diff") as typeof import("diff")).createTwoFilesPatch,
        );
        console.log(`\n${text}`);
    }
    const where = path.relative(process.cwd(), options.outDir) || ".";
    console.log(
        `\nRendered stack "${options.stack}": ${render.evaluation.resources.length} resources, ${manifests.length} Kubernetes objects in ${where} (${millis.toFixed(0)} ms); kubectl apply -f ${path.join(where, "all.yaml")}`,
    );
    return 0;
}

if (require.main === module) {
    runMain(main);
}
