import { spawn } from "node:child_process";
import { parseReport, type ChildReport } from "./child";

// Timing primitives of `npm run bench`: wall time of child processes by process.hrtime, from just
// before spawn to the child's exit; one discarded warm-up run per variant; variants interleaved
// so that a change in machine load hits all of them alike; medians with min and max.

export interface RunResult {
    /** Wall time from spawn to exit, milliseconds. */
    ms: number;
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
    report?: ChildReport;
}

export interface RunOptions {
    cwd?: string;
    env?: NodeJS.ProcessEnv;
    /** Resolve instead of rejecting when the child exits non-zero. */
    allowFailure?: boolean;
}

export class ChildFailed extends Error {
    constructor(
        readonly commandLine: string,
        readonly result: RunResult,
    ) {
        super(`${commandLine} exited with ${result.code ?? result.signal}:\n${tail(result.stderr || result.stdout, 20)}`);
    }
}

export function tail(text: string, lines: number): string {
    return text.trimEnd().split("\n").slice(-lines).join("\n");
}

/** Runs one child process and times it. */
export function timeProcess(command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
    return new Promise((resolve, reject) => {
        const stdout: Buffer[] = [];
        const stderr: Buffer[] = [];
        let exitedAt: bigint | undefined;
        const started = process.hrtime.bigint();
        const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
        child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
        child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
        child.on("exit", () => {
            exitedAt = process.hrtime.bigint();
        });
        child.on("error", reject);
        child.on("close", (code, signal) => {
            const ended = exitedAt ?? process.hrtime.bigint();
            const result: RunResult = {
                ms: Number(ended - started) / 1e6,
                code,
                signal,
                stdout: Buffer.concat(stdout).toString("utf8"),
                stderr: Buffer.concat(stderr).toString("utf8"),
            };
            result.report = parseReport(result.stdout);
            if (code !== 0 && !options.allowFailure) {
                reject(new ChildFailed([command, ...args].join(" "), result));
                return;
            }
            resolve(result);
        });
    });
}

/** A node child with the same node binary (and so the same version and flags) as this process. */
export function timeNode(script: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
    return timeProcess(process.execPath, [script, ...args], options);
}

export interface Stats {
    median: number;
    min: number;
    max: number;
    runs: number;
    samples: number[];
}

export function stats(samples: number[], digits = 1): Stats {
    if (samples.length === 0) {
        throw new Error("no samples");
    }
    const sorted = [...samples].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    const median = sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    const r = (value: number) => round(value, digits);
    return { median: r(median), min: r(sorted[0]), max: r(sorted[sorted.length - 1]), runs: samples.length, samples: samples.map(r) };
}

export function round(value: number, digits = 1): number {
    const scale = 10 ** digits;
    return Math.round(value * scale) / scale;
}

export type Variants<K extends string> = Record<K, () => Promise<RunResult>>;

export interface MeasureOptions {
    runs: number;
    /** Called before each run, for progress output. */
    progress?: (text: string) => void;
}

/**
 * Runs every variant once as a discarded warm-up, then `runs` rounds of every variant. The order of
 * the variants rotates from round to round, so no variant always runs right after the same other.
 */
export async function measure<K extends string>(variants: Variants<K>, options: MeasureOptions): Promise<Record<K, RunResult[]>> {
    const keys = Object.keys(variants) as K[];
    const results = Object.fromEntries(keys.map((key) => [key, [] as RunResult[]])) as Record<K, RunResult[]>;
    for (const key of keys) {
        options.progress?.(`${key}: warm-up`);
        await variants[key]();
    }
    for (let round = 0; round < options.runs; round++) {
        for (let index = 0; index < keys.length; index++) {
            const key = keys[(index + round) % keys.length];
            options.progress?.(`${key}: run ${round + 1}/${options.runs}`);
            results[key].push(await variants[key]());
        }
    }
    return results;
}

export function wallStats(results: RunResult[]): Stats {
    return stats(results.map((result) => result.ms));
}

/** Stats of a mark the children reported, or of the span between two marks. */
export function markStats(results: RunResult[], mark: string, since?: string): Stats | undefined {
    const values = results.map((result) => {
        const marks = result.report?.marks;
        if (!marks || marks[mark] === undefined || (since !== undefined && marks[since] === undefined)) {
            return undefined;
        }
        return marks[mark] - (since === undefined ? 0 : marks[since]);
    });
    return values.every((value): value is number => value !== undefined) ? stats(values) : undefined;
}

/** Ratios of paired runs (round i of a over round i of b; the rounds were interleaved). */
export function pairedRatio(a: RunResult[], b: RunResult[]): Stats {
    const count = Math.min(a.length, b.length);
    return stats(
        Array.from({ length: count }, (_, index) => a[index].ms / b[index].ms),
        3,
    );
}
