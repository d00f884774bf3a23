import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

// The commands of docs/ that a machine can run: each fenced block whose info string is
// `sh offline` (runs without a cluster), `sh offline fails` (must fail, with a clear message)
// or `sh cluster` (reads the embedded control plane with the local stack deployed). The rest
// (`sh` alone) needs a cloud account or a cluster of your own.

export interface DocsBlock {
    file: string;
    line: number;
    kind: "offline" | "cluster";
    fails: boolean;
    script: string;
}

const docsDirectory = path.resolve(__dirname, "..", "..", "docs");

/** Every runnable block of the docs pages, in page order. */
export function docsBlocks(directory = docsDirectory): DocsBlock[] {
    return fs
        .readdirSync(directory)
        .filter((file) => file.endsWith(".md"))
        .sort()
        .flatMap((file) => {
            const text = fs.readFileSync(path.join(directory, file), "utf8");
            return [...text.matchAll(/^```sh (offline|cluster)( fails)?\n([\s\S]*?)^```$/gm)].map((match) => ({
                file: `docs/${file}`,
                line: text.slice(0, match.index).split("\n").length,
                kind: match[1] as "offline" | "cluster",
                fails: match[2] !== undefined,
                script: match[3],
            }));
        });
}

/** Runs a block from the repository's top, as a reader would paste it; each line must succeed. */
export function runBlock(block: DocsBlock, env: NodeJS.ProcessEnv = process.env): { status: number | null; output: string } {
    const result = spawnSync("bash", ["-eo", "pipefail", "-c", block.script], {
        cwd: path.resolve(docsDirectory, ".."),
        env,
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
    });
    return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

if (require.main === module) {
    // npm run test:docs: the cluster blocks, against the control plane of npm run local:up.
    const blocks = docsBlocks().filter((block) => block.kind === "cluster");
    let failed = 0;
    for (const block of blocks) {
        const { status, output } = runBlock(block);
        const ok = block.fails ? status !== 0 : status === 0;
        console.log(`${ok ? "ok  " : "FAIL"} ${block.file}:${block.line}`);
        if (!ok) {
            failed += 1;
            console.log(output.replace(/^/gm, "    "));
        }
    }
    console.log(`${blocks.length - failed} passed, ${failed} failed`);
    process.exit(failed === 0 && blocks.length > 0 ? 0 : 1);
}
