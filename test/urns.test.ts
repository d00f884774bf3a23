import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { listStacks, projectRoot } from "../scripts/offline";
import { renderCommitted } from "./support";

// The URN of every resource of each committed stack, checked in, with the URNs its aliases carry
// over from before a move. A URN the engine no longer finds is a resource it deletes (and, when
// a new one stands in its place, replaces): a refactor must keep every URN, or carry an alias
// from the old one. A change that is meant to add, remove or move resources updates the lists
// with UPDATE_URN_SNAPSHOTS=1 npm test.

const snapshotDirectory = path.join(projectRoot, "test", "urns");
const updating = process.env.UPDATE_URN_SNAPSHOTS === "1";

function snapshotFile(stack: string): string {
    return path.join(snapshotDirectory, `${stack}.txt`);
}

function readSnapshot(stack: string): string[] {
    const file = snapshotFile(stack);
    return fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n").filter(Boolean) : [];
}

describe("resource URNs", () => {
    for (const stack of listStacks()) {
        it(`of the ${stack} stack are those of test/urns/${stack}.txt`, async () => {
            const urns = [...new Set((await renderCommitted(stack)).resources.flatMap((r) => [r.urn, ...(r.aliases ?? [])]))].sort();
            if (updating) {
                fs.mkdirSync(snapshotDirectory, { recursive: true });
                fs.writeFileSync(snapshotFile(stack), urns.join("\n") + "\n");
                return;
            }
            const expected = readSnapshot(stack);
            const gone = expected.filter((urn) => !urns.includes(urn));
            const added = urns.filter((urn) => !expected.includes(urn));
            assert.ok(
                gone.length === 0 && added.length === 0,
                [
                    `The ${stack} stack's resources differ from test/urns/${stack}.txt.`,
                    gone.length ? `Deleted or replaced by the next \`pulumi up\` (give a moved resource \`aliases\`):\n  ${gone.join("\n  ")}` : "",
                    added.length ? `New:\n  ${added.join("\n  ")}` : "",
                    "If this change is meant, update the lists: UPDATE_URN_SNAPSHOTS=1 npm test",
                ]
                    .filter(Boolean)
                    .join("\n"),
            );
        });
    }
});
