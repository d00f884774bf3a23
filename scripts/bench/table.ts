import type { Stats } from "./measure";

// The printed table of `npm run bench`: one block per section, one row per figure.

export interface Row {
    label: string;
    stats?: Stats;
    /** "ms" (default) or "x" for ratios. */
    unit?: "ms" | "x";
    /** Free text instead of (or after) the figures. */
    note?: string;
}

export interface Block {
    title: string;
    rows: Row[];
    /** Lines printed under the rows. */
    notes?: string[];
}

const labelWidth = 50;
const numberWidth = 10;

export function formatValue(value: number, unit: "ms" | "x" = "ms"): string {
    if (unit === "x") {
        return `${value.toFixed(2)}x`;
    }
    return value >= 100 ? `${Math.round(value)} ms` : `${value.toFixed(1)} ms`;
}

export function formatBlock(block: Block): string {
    const width = labelWidth + 3;
    const heads = ["median", "min", "max"].map((head) => head.padStart(numberWidth)).join("") + "  runs";
    const hasFigures = block.rows.some((row) => row.stats);
    const lines = !hasFigures ? [block.title] : block.title.length <= width ? [block.title.padEnd(width) + heads] : [block.title, " ".repeat(width) + heads];
    for (const row of block.rows) {
        const label = `   ${row.label}`;
        if (row.stats) {
            const figures = [row.stats.median, row.stats.min, row.stats.max].map((value) => formatValue(value, row.unit).padStart(numberWidth)).join("");
            const runs = String(row.stats.runs).padStart(6);
            const padded = label.length <= width ? label.padEnd(width) : `${label}\n${" ".repeat(width)}`;
            lines.push(padded + figures + runs + (row.note ? `   ${row.note}` : ""));
        } else if (row.note) {
            lines.push(label.length < width ? `${label.padEnd(width)}${row.note}` : `${label}: ${row.note}`);
        } else {
            lines.push(label);
        }
    }
    for (const note of block.notes ?? []) {
        lines.push(`   ${note}`);
    }
    return lines.join("\n");
}
