import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { listExampleStacks, listStacks, projectRoot } from "./offline";
import { runMain } from "./main";

// Each figure is timed by hyperfine side by side with the floor it names, in one run: fresh
// processes, one discarded warm-up, medians. The results, every sample included, go to
// bench/results.json. BENCHMARKS.md says what the figures mean.

const usage = `usage: npm run bench [-- --runs N] [--engine-runs N] [--only render|stacks|engine]
  --runs N         timed runs per command after one warm-up (default 10)
  --engine-runs N  runs of each engine row (default 3)
  --only NAME      render: npm run render -- --stack prod against the prod floor
                   stacks: each committed and example stack's evaluation against its own floor
                   engine: the Pulumi engine on the local control plane against kubectl apply`;

const child = path.join(projectRoot, "bin", "scripts", "bench", "child.js");

interface Timing {
    command: string;
    median: number;
    times: number[];
}

/** Times the commands with hyperfine, one after the other in one run; seconds. */
function hyperfine(commands: Record<string, string>, runs: number): Record<string, Timing> {
    const exported = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "appstack-bench-")), "hyperfine.json");
    const names = Object.keys(commands);
    const args = [
        "--warmup",
        "1",
        "--runs",
        String(runs),
        "--style",
        "none",
        "--export-json",
        exported,
        "-N",
        ...names.flatMap((name) => ["--command-name", name, commands[name]]),
    ];
    const result = spawnSync("hyperfine", args, { cwd: projectRoot, stdio: ["ignore", "ignore", "inherit"] });
    if (result.status !== 0) {
        throw new Error(`hyperfine ${args.join(" ")} failed (${result.error?.message ?? `exit ${result.status}`})`);
    }
    const { results } = JSON.parse(fs.readFileSync(exported, "utf8")) as { results: Timing[] };
    fs.rmSync(path.dirname(exported), { recursive: true });
    return Object.fromEntries(results.map((timing, index) => [names[index], timing]));
}

const ms = (seconds: number) => `${(seconds * 1000).toFixed(0)} ms`.padStart(8);

function compare(label: string, measured: Timing, floor: Timing, target: number, runtime?: Timing): Record<string, unknown> {
    const ratio = measured.median / floor.median;
    const verdict = `${ratio <= target ? "within" : "NOT within"} ${target}x`;
    const runtimeColumns = runtime ? `  ${ms(runtime.median)} ${(runtime.median / floor.median).toFixed(2).padStart(6)}x` : "";
    console.log(
        `${label.padEnd(34)} ${ms(measured.median)} ${ms(floor.median)} ${ratio.toFixed(2).padStart(6)}x  ${verdict.padEnd(16)}${runtimeColumns}`.trimEnd(),
    );
    return { measured, floor, ratio, target, ...(runtime ? { runtime, runtimeRatio: runtime.median / floor.median } : {}) };
}

interface Floor {
    /** The floor's command, and with `--registrations N` appended, the runtime's. */
    command: string;
    /** The packages whose files the floor loads, and how many files. */
    packages: string[];
    files: number;
    /** How many resources the stack registers. */
    resources: number;
}

/**
 * Evaluates the stack once to learn every module file of other packages it loads; its floor
 * loads those files (listed in a file under `workDir`) and runs an empty program.
 */
function floorOf(stack: string, workDir: string): Floor {
    const result = spawnSync(process.execPath, [child, "--stack", stack, "--modules"], { cwd: projectRoot, encoding: "utf8" });
    if (result.status !== 0) {
        throw new Error(`evaluating stack ${stack} failed:\n${result.stderr}`);
    }
    const { modules, resources } = JSON.parse(result.stdout.trim().split("\n").pop()!) as { modules: string[]; resources: number };
    const list = path.join(workDir, `${stack}-modules.json`);
    fs.writeFileSync(list, JSON.stringify(modules));
    return {
        command: `${process.execPath} ${child} --stack ${stack} --floor ${list}`,
        packages: [...new Set(modules.map(packageOf))].sort(),
        files: modules.length,
        resources,
    };
}

/** The package a module file belongs to: the innermost `node_modules` entry, scoped or not. */
function packageOf(file: string): string {
    const [first, second] = file.split(`node_modules${path.sep}`).pop()!.split(path.sep);
    return first.startsWith("@") ? `${first}/${second}` : first;
}

async function main(): Promise<number> {
    const { values } = parseArgs({
        options: { runs: { type: "string" }, "engine-runs": { type: "string" }, only: { type: "string" }, help: { type: "boolean", short: "h" } },
    });
    const runs = Number(values.runs ?? 10);
    const engineRuns = Number(values["engine-runs"] ?? 3);
    if (
        values.help ||
        !Number.isInteger(runs) ||
        runs < 2 ||
        !Number.isInteger(engineRuns) ||
        engineRuns < 1 ||
        (values.only && !["render", "stacks", "engine"].includes(values.only))
    ) {
        console.error(usage);
        return values.help ? 0 : 2;
    }
    const hyperfineRows = values.only !== "engine";
    if (hyperfineRows && spawnSync("hyperfine", ["--version"]).error) {
        console.error("npm run bench needs hyperfine, which is not on PATH: apt-get install hyperfine (Debian, Ubuntu) or cargo install hyperfine");
        return 1;
    }
    const node = process.execPath;
    const results: Record<string, unknown> = {
        date: new Date().toISOString(),
        cpus: `${os.cpus().length} x ${os.cpus()[0]?.model}`,
        node: process.version,
        loadAverage: os.loadavg(),
        runs,
    };
    console.log(
        `appstack bench: ${results.cpus}, node ${process.version}, load average ${os
            .loadavg()
            .map((l) => l.toFixed(2))
            .join(" ")}; ${hyperfineRows ? `medians of ${runs} runs after 1 warm-up` : `engine rows: medians of ${engineRuns} runs`}`,
    );
    if (hyperfineRows) console.log(`${"".padEnd(34)} ${"time".padStart(8)} ${"floor".padStart(8)}  ratio  ${"".padEnd(16)}${"runtime".padStart(8)}  ratio`);
    const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "appstack-bench-"));
    try {
        if (values.only === undefined || values.only === "render") {
            const { command, ...floor } = floorOf("prod", workDir);
            const timed = hyperfine({ render: `npm run render -- --stack prod --out ${path.join(workDir, "render")}`, floor: command }, runs);
            results.render = { ...floor, ...compare("npm run render -- --stack prod", timed.render, timed.floor, 1.5) };
        }
        if (values.only === undefined || values.only === "stacks") {
            const stacks: Record<string, unknown> = (results.stacks = {});
            for (const stack of [...listStacks(), ...listExampleStacks()]) {
                const { command, ...floor } = floorOf(stack, workDir);
                const timed = hyperfine(
                    { evaluation: `${node} ${child} --stack ${stack}`, floor: command, runtime: `${command} --registrations ${floor.resources}` },
                    runs,
                );
                stacks[stack] = { ...floor, ...compare(`${stack} evaluation (${floor.resources})`, timed.evaluation, timed.floor, 1.25, timed.runtime) };
            }
        }
        if (values.only === undefined || values.only === "engine") {
            // Loaded only here: it loads the Automation API, which the other rows never need.
            const { benchEngine, engineRows } = require("./bench/engine") as typeof import("./bench/engine");
            results.engine = [];
            for (const workers of [undefined, 50]) {
                const figures = await benchEngine(engineRuns, workers);
                (results.engine as unknown[]).push(figures);
                console.log(engineRows(figures).join("\n"));
            }
        }
    } finally {
        fs.rmSync(workDir, { recursive: true, force: true });
    }
    fs.mkdirSync(path.join(projectRoot, "bench"), { recursive: true });
    fs.writeFileSync(path.join(projectRoot, "bench", "results.json"), JSON.stringify(results, null, 2) + "\n");
    if (!hyperfineRows) return 0;
    console.log(
        "floor: the same process loading every module file of other packages the stack loads, with the program's own code left out (packages per stack in bench/results.json)",
    );
    console.log("runtime: the floor registering as many plain ConfigMaps as the stack registers resources (in brackets)");
    return 0;
}

runMain(main);
