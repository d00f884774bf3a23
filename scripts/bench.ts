import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { benchLocal } from "./bench/local";
import { markStats, measure, pairedRatio, round, stats, tail, timeNode, timeProcess, wallStats, type RunResult, type Stats } from "./bench/measure";
import { skipped, type BenchContext, type SectionResult } from "./bench/section";
import { makeStripCopy } from "./bench/strip";
import { formatBlock, formatValue, type Row } from "./bench/table";

// npm run bench [-- --runs N] [--only evaluate,workers,typecheck,test,stacks,local,modes]
//
// Times the program and its tooling on this machine and writes bench/results.json. Every figure is
// the wall time of fresh child processes (same node binary as this one), measured with
// process.hrtime from spawn to exit, after one discarded warm-up run, as median [min-max] of
// --runs runs. See BENCHMARKS.md for what each figure means.
//
// This file stays light on purpose: it does not load @pulumi/pulumi, so the parent process does
// not compete with the children it times.

const root = path.resolve(__dirname, "..", "..");
const bin = path.join(root, "bin", "scripts", "bench");
const evaluateJs = path.join(bin, "evaluate.js");
const floorJs = path.join(bin, "floor.js");
const loadJs = path.join(bin, "load.js");
const resultsFile = path.join(root, "bench", "results.json");

const sectionNames = ["evaluate", "workers", "typecheck", "test", "stacks", "local", "modes"] as const;
type SectionName = (typeof sectionNames)[number];

const usage = `usage: npm run bench [-- options]
  --runs N          timed runs per figure, after one discarded warm-up (default 5)
  --test-runs N     timed runs of \`npm test\` (default 3: it takes many seconds)
  --only LIST       comma-separated sections: ${sectionNames.join(", ")}
  --workers LIST    worker counts of the workers section (default 1,10,50)
  --ts-node DIR     a directory whose node_modules (or itself) holds ts-node, for the modes section`;

interface Options {
    runs: number;
    testRuns: number;
    only: SectionName[];
    workers: number[];
    tsNodeDir?: string;
}

function parseOptions(): Options | string {
    const { values } = parseArgs({
        options: {
            runs: { type: "string" },
            "test-runs": { type: "string" },
            only: { type: "string" },
            workers: { type: "string" },
            "ts-node": { type: "string" },
            help: { type: "boolean", short: "h" },
        },
    });
    if (values.help) {
        return usage;
    }
    const count = (text: string | undefined, fallback: number, name: string): number => {
        const value = text === undefined ? fallback : Number(text);
        if (!Number.isInteger(value) || value < 1) {
            throw new Error(`--${name} must be a whole number of at least 1, got ${text}`);
        }
        return value;
    };
    const only = values.only ? values.only.split(",").map((name) => name.trim()) : [...sectionNames];
    const unknown = only.filter((name) => !(sectionNames as readonly string[]).includes(name));
    if (unknown.length > 0) {
        throw new Error(`unknown section(s) ${unknown.join(", ")}; the sections are ${sectionNames.join(", ")}`);
    }
    const workers = (values.workers ?? "1,10,50").split(",").map((text) => count(text, 0, "workers"));
    return {
        runs: count(values.runs, 5, "runs"),
        testRuns: count(values["test-runs"], 3, "test-runs"),
        only: sectionNames.filter((name) => only.includes(name)),
        workers: [...new Set(workers)].sort((a, b) => a - b),
        tsNodeDir: values["ts-node"],
    };
}

// ------------------------------------------------------------------ a. evaluation vs floor

async function benchEvaluate(ctx: BenchContext): Promise<SectionResult> {
    // Node's compile cache (NODE_COMPILE_CACHE) keeps V8's compiled code of every loaded module on
    // disk; the warm-up run fills a scratch cache, the timed runs read it.
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), "appstack-bench-compile-cache-"));
    const cached = { env: { ...process.env, NODE_COMPILE_CACHE: cache } };
    const uncached = { env: process.env };
    try {
        const results = await measure(
            {
                node: () => timeProcess(process.execPath, ["-e", ""], uncached),
                floor: () => timeNode(floorJs, [], uncached),
                prod: () => timeNode(evaluateJs, ["--stack", "prod"], uncached),
                floorCached: () => timeNode(floorJs, [], cached),
                prodCached: () => timeNode(evaluateJs, ["--stack", "prod"], cached),
            },
            { runs: ctx.runs, progress: ctx.progress },
        );
        const resources = results.prod[0].report?.counts?.resources;
        const ratio = pairedRatio(results.prod, results.floor);
        const cachedRatio = pairedRatio(results.prodCached, results.prod);
        const node = wallStats(results.node);
        const floor = wallStats(results.floor);
        const prod = wallStats(results.prod);
        const floorCached = wallStats(results.floorCached);
        const prodCached = wallStats(results.prodCached);
        const phases = { floor: phaseStats(results.floor), prod: phaseStats(results.prod), prodCached: phaseStats(results.prodCached) };
        const within = ratio.median <= 1.5;
        return {
            block: {
                title: "a. prod evaluation, a fresh node process per run",
                rows: [
                    { label: "node -e '' (process start and exit only)", stats: node },
                    { label: "floor: SDKs loaded, mocks set, empty program", stats: floor },
                    { label: `prod stack evaluated (${resources} resources)`, stats: prod },
                    { label: "prod / floor (paired runs)", stats: ratio, unit: "x", note: within ? "within 1.5x" : "NOT within 1.5x" },
                    { label: "floor, NODE_COMPILE_CACHE warm", stats: floorCached },
                    { label: "prod, NODE_COMPILE_CACHE warm", stats: prodCached },
                    { label: "prod cached / prod uncached (paired runs)", stats: cachedRatio, unit: "x" },
                ],
                notes: [
                    `floor (medians): ${describePhases(phases.floor, "node + @pulumi/pulumi + @pulumi/kubernetes + zod + yaml loaded", "", "empty program run")}`,
                    `prod (medians):  ${describePhases(phases.prod, "node + @pulumi/pulumi + yaml loaded", "program modules (with @pulumi/kubernetes, zod)", "evaluation")}`,
                    `prod, cached:    ${describePhases(phases.prodCached, "node + @pulumi/pulumi + yaml loaded", "program modules", "evaluation")}`,
                ],
            },
            data: { node, floor, prod, ratio, withinOneAndAHalf: within, resources, phases, compileCache: { floor: floorCached, prod: prodCached, ratio: cachedRatio } },
        };
    } finally {
        fs.rmSync(cache, { recursive: true, force: true });
    }
}

interface Phases {
    harnessLoaded?: Stats;
    programModules?: Stats;
    evaluation?: Stats;
    spawnAndExit?: Stats;
}

/** Medians of the marks the children report: ms since process start. */
function phaseStats(results: RunResult[]): Phases {
    const spawnAndExit = results.every((result) => result.report?.marks.evaluated !== undefined)
        ? stats(results.map((result) => result.ms - result.report!.marks.evaluated))
        : undefined;
    return {
        harnessLoaded: markStats(results, "harnessLoaded"),
        programModules: markStats(results, "programLoaded", "harnessLoaded"),
        evaluation: markStats(results, "evaluated", "programLoaded"),
        spawnAndExit,
    };
}

function describePhases(phases: Phases, loaded: string, program: string, evaluation: string): string {
    const parts: string[] = [];
    if (phases.harnessLoaded) parts.push(`${loaded} at ${formatValue(phases.harnessLoaded.median)}`);
    if (phases.programModules && phases.programModules.median > 0) parts.push(`${program} +${formatValue(phases.programModules.median)}`);
    if (phases.evaluation) parts.push(`${evaluation} +${formatValue(phases.evaluation.median)}`);
    if (phases.spawnAndExit) parts.push(`spawn and exit +${formatValue(phases.spawnAndExit.median)}`);
    return parts.join(", ");
}

// ------------------------------------------------------------------ b. cost per worker

async function benchWorkers(ctx: BenchContext, counts: number[]): Promise<SectionResult> {
    const variants = Object.fromEntries(counts.map((count) => [String(count), () => timeNode(evaluateJs, ["--workers", String(count)])]));
    const results = await measure(variants, { runs: ctx.runs, progress: ctx.progress });
    const points = counts.map((count) => {
        const runs = results[String(count)];
        return {
            workers: count,
            resources: runs[0].report?.counts?.resources ?? NaN,
            wall: wallStats(runs),
            evaluation: markStats(runs, "evaluated", "programLoaded"),
        };
    });
    const rows: Row[] = points.map((point) => ({
        label: `${point.workers} worker${point.workers === 1 ? "" : "s"} (${point.resources} resources)`,
        stats: point.wall,
        note: point.evaluation ? `evaluation alone ${formatValue(point.evaluation.median)}` : undefined,
    }));
    const notes: string[] = [];
    const data: Record<string, unknown> = { points };
    if (points.length >= 2) {
        const wallFit = fit(points.map((point) => [point.workers, point.wall.median]));
        const evaluationFit = points.every((point) => point.evaluation) ? fit(points.map((point) => [point.workers, point.evaluation!.median])) : undefined;
        const resourceFit = fit(points.map((point) => [point.workers, point.resources]));
        const segments = points.slice(1).map((point, index) => {
            const previous = points[index];
            return {
                from: previous.workers,
                to: point.workers,
                msPerWorker: round((point.wall.median - previous.wall.median) / (point.workers - previous.workers), 2),
                evaluationMsPerWorker: point.evaluation && previous.evaluation ? round((point.evaluation.median - previous.evaluation.median) / (point.workers - previous.workers), 2) : undefined,
            };
        });
        notes.push(
            `marginal cost per worker: ${wallFit.slope.toFixed(1)} ms wall (least squares, r²=${wallFit.r2.toFixed(3)})` +
                (evaluationFit ? `, ${evaluationFit.slope.toFixed(1)} ms of in-process evaluation (r²=${evaluationFit.r2.toFixed(3)})` : ""),
            `resources per worker: ${resourceFit.slope.toFixed(1)}; fixed cost (intercept): ${formatValue(wallFit.intercept)}`,
            `per segment: ${segments.map((segment) => `${segment.from}->${segment.to}: ${segment.msPerWorker.toFixed(1)} ms/worker`).join(", ")}` +
                (evaluationFit ? ` (evaluation: ${segments.map((segment) => `${segment.evaluationMsPerWorker?.toFixed(1)}`).join(", ")})` : ""),
        );
        data.msPerWorker = round(wallFit.slope, 2);
        data.evaluationMsPerWorker = evaluationFit ? round(evaluationFit.slope, 2) : undefined;
        data.r2 = round(wallFit.r2, 4);
        data.evaluationR2 = evaluationFit ? round(evaluationFit.r2, 4) : undefined;
        data.resourcesPerWorker = round(resourceFit.slope, 2);
        data.segments = segments;
    }
    return { block: { title: "b. prod stack with N workers (w1..wN), fresh process per run", rows, notes }, data };
}

/** Least-squares line through (x, y) points. */
function fit(points: [number, number][]): { slope: number; intercept: number; r2: number } {
    const n = points.length;
    const meanX = points.reduce((sum, [x]) => sum + x, 0) / n;
    const meanY = points.reduce((sum, [, y]) => sum + y, 0) / n;
    const sxx = points.reduce((sum, [x]) => sum + (x - meanX) ** 2, 0);
    const sxy = points.reduce((sum, [x, y]) => sum + (x - meanX) * (y - meanY), 0);
    const slope = sxx === 0 ? 0 : sxy / sxx;
    const intercept = meanY - slope * meanX;
    const ssTotal = points.reduce((sum, [, y]) => sum + (y - meanY) ** 2, 0);
    const ssResidual = points.reduce((sum, [x, y]) => sum + (y - (intercept + slope * x)) ** 2, 0);
    return { slope, intercept, r2: ssTotal === 0 ? 1 : 1 - ssResidual / ssTotal };
}

// ------------------------------------------------------------------ c. type-check

async function benchTypecheck(ctx: BenchContext): Promise<SectionResult> {
    const tsc = require.resolve("typescript/bin/tsc", { paths: [root] });
    // Scratch build-info and output: the project's own bin/.tsbuildinfo is left alone.
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "appstack-bench-tsc-"));
    try {
        const run = (args: string[]) => () => timeNode(tsc, ["-p", "tsconfig.json", ...args], { cwd: root, allowFailure: true });
        const results = await measure(
            {
                cold: run(["--noEmit", "--incremental", "false"]),
                warm: run(["--noEmit", "--tsBuildInfoFile", path.join(scratch, "noemit.tsbuildinfo")]),
                build: run(["--outDir", path.join(scratch, "out"), "--tsBuildInfoFile", path.join(scratch, "build.tsbuildinfo")]),
            },
            { runs: ctx.runs, progress: ctx.progress },
        );
        const failed = Object.values(results)
            .flat()
            .filter((result) => result.code !== 0);
        const data = { cold: wallStats(results.cold), warm: wallStats(results.warm), warmBuild: wallStats(results.build), typeErrors: failed.length > 0 };
        return {
            block: {
                title: "c. type-check and build (tsc)",
                rows: [
                    { label: "tsc --noEmit, cold (--incremental false)", stats: data.cold },
                    { label: "tsc --noEmit, warm (incremental, no change)", stats: data.warm },
                    { label: "tsc build, warm, no change (as in npm run build)", stats: data.warmBuild, note: "paid before every render, test, bench" },
                ],
                notes: failed.length > 0 ? [`WARNING: tsc reported errors in ${failed.length} run(s): ${tail(failed[0].stdout, 2)}`] : [],
            },
            data,
        };
    } finally {
        fs.rmSync(scratch, { recursive: true, force: true });
    }
}

// ------------------------------------------------------------------ d. npm test

async function benchTest(ctx: BenchContext, runs: number): Promise<SectionResult> {
    const npm = npmCommand();
    const results = (await measure({ test: () => timeProcess(npm.command, [...npm.args, "test"], { cwd: root, allowFailure: true }) }, { runs, progress: ctx.progress })).test;
    const last = results[results.length - 1];
    const passing = /(\d+) passing/.exec(last.stdout)?.[1];
    const failing = /(\d+) failing/.exec(last.stdout)?.[1];
    const failedRuns = results.filter((result) => result.code !== 0).length;
    const wall = wallStats(results);
    const outcome = `${passing ?? "?"} passing${failing ? `, ${failing} failing` : ""}`;
    return {
        block: {
            title: `d. npm test (build + mocha)`,
            rows: [{ label: "npm test", stats: wall, note: failedRuns > 0 ? `${outcome}; ${failedRuns} run(s) FAILED` : outcome }],
            notes: [`fewer runs than the other figures (--test-runs, default 3): one run takes seconds`],
        },
        data: { wall, passing: passing ? Number(passing) : undefined, failing: failing ? Number(failing) : 0, failedRuns },
    };
}

/** npm as the one running this script, else the npm next to this node, else npm on PATH. */
function npmCommand(): { command: string; args: string[] } {
    const candidates = [process.env.npm_execpath, path.join(path.dirname(process.execPath), "..", "lib", "node_modules", "npm", "bin", "npm-cli.js")];
    for (const candidate of candidates) {
        if (candidate && /\.c?js$/.test(candidate) && fs.existsSync(candidate)) {
            return { command: process.execPath, args: [candidate] };
        }
    }
    return { command: "npm", args: [] };
}

// ------------------------------------------------------------------ e. resources per stack

async function benchStacks(ctx: BenchContext): Promise<SectionResult> {
    const stacks = fs
        .readdirSync(root)
        .map((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1])
        .filter((stack): stack is string => stack !== undefined)
        .sort();
    const rows: Row[] = [];
    const data: Record<string, unknown> = {};
    for (const stack of stacks) {
        ctx.progress(`stack ${stack}`);
        const result = await timeNode(evaluateJs, ["--stack", stack], { allowFailure: true });
        const counts = result.report?.counts;
        if (result.code !== 0 || !counts) {
            const error = tail(result.stderr, 1).trim();
            rows.push({ label: stack, note: `evaluation failed: ${error}` });
            data[stack] = { error };
            continue;
        }
        rows.push({ label: stack, note: `${counts.resources} resources (${counts.customResources} custom, ${counts.kubernetesObjects} Kubernetes objects)` });
        data[stack] = counts;
    }
    return { block: { title: "e. resources registered per stack (Pulumi.*.yaml)", rows }, data };
}

// ------------------------------------------------------------------ modes: how the program is loaded

async function benchModes(ctx: BenchContext, tsNodeDir: string | undefined): Promise<SectionResult> {
    const title = "modes. load + evaluate prod by TypeScript run mode, fresh process per run";
    const tsNode = resolveTsNode(tsNodeDir);
    let copy: ReturnType<typeof makeStripCopy> | undefined;
    let stripProblem: string | undefined;
    let transformProblem: string | undefined;
    try {
        copy = makeStripCopy(root);
    } catch (error) {
        stripProblem = error instanceof Error ? error.message : String(error);
    }
    try {
        const variants: Record<string, () => Promise<RunResult>> = { js: () => timeNode(loadJs, ["--mode", "js"]) };
        if (copy) {
            // Plain type stripping first; where the code uses syntax it cannot strip (parameter
            // properties, enums), Node's --experimental-transform-types, which also rewrites those.
            const entry = copy.entry;
            const native = (flags: string[]) => () => timeProcess(process.execPath, [...flags, loadJs, "--mode", "strip", "--entry", entry], { allowFailure: true });
            const strip = await native([])();
            if (strip.code === 0) {
                variants.strip = native([]);
            } else {
                stripProblem = problemOf(strip);
                const transform = await native(["--experimental-transform-types"])();
                if (transform.code === 0) {
                    variants.transform = native(["--experimental-transform-types"]);
                } else {
                    transformProblem = problemOf(transform);
                }
            }
        }
        if (typeof tsNode === "string") {
            const resolved = tsNode;
            variants["ts-node"] = () => timeNode(loadJs, ["--mode", "ts-node", "--ts-node", resolved]);
            variants["ts-node-check"] = () => timeNode(loadJs, ["--mode", "ts-node-check", "--ts-node", resolved]);
        }
        const results = await measure(variants, { runs: ctx.runs, progress: ctx.progress });
        const labels: Record<string, string> = {
            js: "compiled JS: require bin/index.js (as now)",
            strip: "Node type stripping: import index.ts",
            transform: "Node --experimental-transform-types: index.ts",
            "ts-node": "ts-node transpile-only: require index.ts",
            "ts-node-check": "ts-node with type checking (Pulumi default)",
        };
        const js = wallStats(results.js);
        const data: Record<string, unknown> = {};
        const rows: Row[] = [];
        for (const [key, runs] of Object.entries(results)) {
            const wall = wallStats(runs);
            const load = markStats(runs, "programLoaded", "harnessLoaded");
            const resources = runs[0].report?.counts?.resources;
            data[key] = { wall, programLoad: load, resources };
            const delta = key === "js" ? "" : `, ${wall.median >= js.median ? "+" : ""}${formatValue(wall.median - js.median)} vs compiled`;
            rows.push({ label: labels[key] ?? key, stats: wall, note: `load ${load ? formatValue(load.median) : "?"}; ${resources} resources${delta}` });
        }
        if (stripProblem) {
            rows.push({ label: labels.strip, note: `fails: ${stripProblem}` });
            data.strip = { failed: stripProblem };
        }
        if (transformProblem) {
            rows.push({ label: labels.transform, note: `fails: ${transformProblem}` });
            data.transform = { failed: transformProblem };
        }
        if (copy) {
            data.nativeCopy = { files: copy.files, rewrittenSpecifiers: copy.rewrittenSpecifiers, exportAssignments: copy.exportAssignments };
        }
        if (typeof tsNode !== "string") {
            rows.push({ label: "ts-node", note: `skipped: ${tsNode.skipped}` });
            data["ts-node"] = { skipped: tsNode.skipped };
        }
        const notes = [
            "load = the program's own modules, after @pulumi/pulumi and the harness are loaded (plus the TypeScript hook's cost)",
        ];
        if (copy && (results.strip || results.transform)) {
            notes.push(
                `Node's own TypeScript support ran a scratch copy (${copy.files} files): ${copy.rewrittenSpecifiers} import specifiers given .ts, ${copy.exportAssignments} \`export =\` made \`export default\`, "type": "module"`,
            );
        }
        return { block: { title, rows, notes }, data };
    } finally {
        copy?.remove();
    }
}

/** The error name and message of a failed child, on one line. */
function problemOf(result: RunResult): string {
    const lines = result.stderr.split("\n").filter((line) => line.trim() !== "" && !/^\s+at /.test(line) && !/ExperimentalWarning|--trace-warnings/.test(line));
    const error = lines.find((line) => /Error|error/.test(line));
    const where = lines.find((line) => line.startsWith("file://"));
    return [error, where?.replace(/^file:\/\/.*?appstack-bench-strip-[^/]+\//, "")].filter(Boolean).join(" at ") || tail(result.stderr, 1);
}

function resolveTsNode(dir: string | undefined): string | { skipped: string } {
    const paths = dir ? [path.resolve(dir), path.resolve(dir, "node_modules")] : [root];
    try {
        return path.dirname(require.resolve("ts-node/package.json", { paths }));
    } catch {
        return {
            skipped: dir
                ? `no ts-node under --ts-node ${dir}`
                : "ts-node is not a dependency of the project; install it in a scratch dir (npm i --prefix DIR ts-node) and pass --ts-node DIR",
        };
    }
}

// ------------------------------------------------------------------ main

function machine(): Record<string, unknown> {
    const cpus = os.cpus();
    return {
        cpuModel: cpus[0]?.model.trim() ?? "unknown",
        cores: os.availableParallelism(),
        memoryGiB: round(os.totalmem() / 2 ** 30, 1),
        node: process.version,
        platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    };
}

function readPrevious(current: Record<string, unknown>): Record<string, unknown> {
    try {
        const previous = JSON.parse(fs.readFileSync(resultsFile, "utf8")) as { machine?: Record<string, unknown>; sections?: Record<string, unknown> };
        const same = ["cpuModel", "cores", "node"].every((key) => previous.machine?.[key] === current[key]);
        return same ? (previous.sections ?? {}) : {};
    } catch {
        return {};
    }
}

async function main(): Promise<number> {
    let options: Options | string;
    try {
        options = parseOptions();
    } catch (error) {
        console.error(`${error instanceof Error ? error.message : error}\n${usage}`);
        return 2;
    }
    if (typeof options === "string") {
        console.log(options);
        return 0;
    }
    const opts = options;
    // Every figure is uncached unless it says otherwise (section a sets a scratch cache itself).
    const inheritedCache = process.env.NODE_COMPILE_CACHE !== undefined;
    delete process.env.NODE_COMPILE_CACHE;
    const host = machine();
    const loadAtStart = os.loadavg().map((value) => round(value, 2));
    const started = new Date();
    const interactive = process.stderr.isTTY;
    const ctx: BenchContext = {
        root,
        runs: opts.runs,
        progress: (text) => {
            if (interactive) {
                process.stderr.write(`\r\x1b[2K  ${text}`);
            }
        },
    };
    console.log(`appstack bench: ${host.cpuModel}, ${host.cores} cores, ${host.memoryGiB} GiB, node ${host.node}, ${started.toISOString()}`);
    console.log(
        `${opts.runs} timed runs per figure after 1 discarded warm-up; median, min and max of wall time; load average at start ${loadAtStart.join(" ")}` +
            (loadAtStart[0] > Number(host.cores) / 2 ? " (BUSY machine: expect noise)" : ""),
    );
    if (inheritedCache) {
        console.log("note: NODE_COMPILE_CACHE is set here; the children run without it");
    }
    if (process.env.NODE_OPTIONS) {
        console.log(`note: NODE_OPTIONS=${process.env.NODE_OPTIONS} applies to every child`);
    }
    if (opts.runs < 5) {
        console.log(`note: --runs ${opts.runs} is fewer than 5; medians are rough`);
    }
    const sections: Partial<Record<SectionName, () => Promise<SectionResult>>> = {
        evaluate: () => benchEvaluate(ctx),
        workers: () => benchWorkers(ctx, opts.workers),
        typecheck: () => benchTypecheck(ctx),
        test: () => benchTest(ctx, opts.testRuns),
        stacks: () => benchStacks(ctx),
        local: async () => benchLocal(),
        modes: () => benchModes(ctx, opts.tsNodeDir),
    };
    const results: Record<string, unknown> = {};
    let failures = 0;
    for (const name of opts.only) {
        const sectionStart = new Date().toISOString();
        let result: SectionResult;
        try {
            result = await sections[name]!();
        } catch (error) {
            failures++;
            result = skipped(`${name}`, `failed: ${error instanceof Error ? error.message : error}`);
        }
        ctx.progress("");
        if (interactive) {
            process.stderr.write("\r\x1b[2K");
        }
        console.log("\n" + formatBlock(result.block));
        results[name] = { measuredAt: sectionStart, loadAverage: os.loadavg().map((value) => round(value, 2)), ...result.data };
    }
    const previous = readPrevious(host);
    const document = {
        machine: host,
        date: started.toISOString(),
        runs: opts.runs,
        testRuns: opts.testRuns,
        loadAverage: { start: loadAtStart, end: os.loadavg().map((value) => round(value, 2)) },
        nodeOptions: process.env.NODE_OPTIONS,
        sections: { ...previous, ...results },
    };
    fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
    fs.writeFileSync(resultsFile, JSON.stringify(document, null, 2) + "\n");
    console.log(`\nwrote ${path.relative(process.cwd(), resultsFile) || resultsFile}` + (Object.keys(previous).some((key) => !(key in results)) ? " (sections not run this time kept from the previous run)" : ""));
    return failures > 0 ? 1 : 0;
}

main().then(
    (code) => process.exit(code),
    (error: unknown) => {
        console.error(error instanceof Error ? (error.stack ?? error.message) : error);
        process.exit(1);
    },
);
