// What a timed child process reports back to `npm run bench`: one line on stdout, prefixed so that
// anything else the program prints cannot be mistaken for it. Times are `performance.now()`,
// milliseconds since this process started.

export const reportPrefix = "BENCH_REPORT ";

export interface ChildReport {
    /** Milliseconds since process start at named points, in order. */
    marks: Record<string, number>;
    /** Counts, e.g. resources registered. */
    counts?: Record<string, number>;
}

export function report(value: ChildReport): void {
    process.stdout.write(reportPrefix + JSON.stringify(value) + "\n");
}

export function parseReport(stdout: string): ChildReport | undefined {
    const line = stdout
        .split("\n")
        .reverse()
        .find((text) => text.startsWith(reportPrefix));
    return line ? (JSON.parse(line.slice(reportPrefix.length)) as ChildReport) : undefined;
}

/** Reports, then exits at once: the timed span ends when the work is done, not at a later teardown. */
export function finish(value: ChildReport): never {
    report(value);
    process.exit(0);
}

export function fail(error: unknown): never {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
}
