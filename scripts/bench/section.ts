import type { Block } from "./table";

// What every section of `npm run bench` gets and gives back.

export interface BenchContext {
    /** The repository root. */
    root: string;
    /** Timed runs per figure (after one discarded warm-up). */
    runs: number;
    progress(text: string): void;
}

export interface SectionResult {
    block: Block;
    /** Written to bench/results.json under the section's name. */
    data: Record<string, unknown>;
}

export function skipped(title: string, reason: string): SectionResult {
    return { block: { title, rows: [{ label: `skipped: ${reason}` }] }, data: { skipped: reason } };
}
