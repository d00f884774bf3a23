import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { docsBlocks, runBlock } from "../scripts/docs-commands";
import { listExampleStacks, listStacks, projectRoot } from "../scripts/offline";

// The docs' commands work as written: those that need no cluster run here, and every command of
// every page names npm scripts and stacks that exist. Links between the pages resolve.

const pages = [
    "README.md",
    ...fs
        .readdirSync(path.join(projectRoot, "docs"))
        .filter((file) => file.endsWith(".md"))
        .map((file) => `docs/${file}`),
];
const scripts = Object.keys((JSON.parse(fs.readFileSync(path.join(projectRoot, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts);

describe("the docs", () => {
    for (const block of docsBlocks().filter((block) => block.kind === "offline")) {
        it(`${block.file}:${block.line} ${block.fails ? "fails with a clear message" : "runs"} as written`, function () {
            this.timeout(120_000);
            const { status, output } = runBlock(block);
            if (block.fails) {
                assert.notEqual(status, 0, output);
                assert.doesNotMatch(output, /^\s+at .+:\d+:\d+\)?$/m, "no stack trace");
            } else {
                assert.equal(status, 0, output);
            }
        });
    }

    it("run a cluster block for each failure of troubleshooting.md", () => {
        assert.ok(docsBlocks().filter((block) => block.kind === "cluster" && block.file === "docs/troubleshooting.md").length >= 6);
    });

    it("name only npm scripts and stacks that exist", () => {
        const stacks = [...listStacks(), ...listExampleStacks()];
        for (const page of pages) {
            const text = fs.readFileSync(path.join(projectRoot, page), "utf8");
            for (const [, block] of text.matchAll(/^```sh[^\n]*\n([\s\S]*?)^```$/gm)) {
                for (const [, script] of block.matchAll(/npm run (?:-s |--silent )?([\w:-]+)/g)) {
                    assert.ok(scripts.includes(script), `${page}: npm run ${script}`);
                }
                for (const line of block.split("\n").filter((line) => /npm run (render|review) /.test(line) && !line.includes("--config-file"))) {
                    const stack = /--stack (\S+)/.exec(line)?.[1];
                    assert.ok(stack && stacks.includes(stack), `${page}: ${line}`);
                }
            }
        }
    });

    it("link to pages and files that exist", () => {
        for (const page of pages) {
            const text = fs.readFileSync(path.join(projectRoot, page), "utf8");
            for (const [, target] of text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
                if (/^[a-z]+:/.test(target)) continue;
                assert.ok(fs.existsSync(path.join(projectRoot, path.dirname(page), target)), `${page} links to ${target}`);
            }
        }
    });
});
