import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { projectRoot } from "../scripts/offline";

// The layers of docs/architecture.md, held by the imports themselves: components never see the
// config, the schema loads no SDK, the policy pack stands alone.

interface Import {
    from: string;
    target: string;
    /** A type-only import, erased at compile time. */
    typeOnly: boolean;
}

function sources(dir: string): string[] {
    return fs
        .readdirSync(path.join(projectRoot, dir), { withFileTypes: true, recursive: true })
        .filter((entry) => entry.isFile() && entry.name.endsWith(".ts"))
        .map((entry) => path.relative(projectRoot, path.join(entry.parentPath, entry.name)));
}

function importsOf(file: string): Import[] {
    const text = fs.readFileSync(path.join(projectRoot, file), "utf8");
    const found: Import[] = [];
    for (const match of text.matchAll(/^(import|export)\s+(type\s+)?(?:[^;"]*?\s+from\s+)?"([^"]+)"/gm)) {
        found.push({ from: file, target: match[3], typeOnly: match[2] !== undefined });
    }
    for (const match of text.matchAll(/require\("([^"]+)"\)/g)) {
        found.push({ from: file, target: match[1], typeOnly: false });
    }
    return found;
}

/** A relative import as a project path (`components/names.ts`, or its folder's index.ts). */
function resolved(imported: Import): string | undefined {
    if (!imported.target.startsWith(".")) {
        return undefined;
    }
    const base = path.relative(projectRoot, path.resolve(path.dirname(path.join(projectRoot, imported.from)), imported.target));
    return [`${base}.ts`, path.join(base, "index.ts")].find((candidate) => fs.existsSync(path.join(projectRoot, candidate)));
}

describe("the layers", () => {
    it("components never see the stack config: they import nothing from stacks/ or scripts/", () => {
        const offending = sources("components")
            .flatMap(importsOf)
            .filter((imported) => /^(stacks|scripts)\//.test(resolved(imported) ?? ""));
        assert.deepEqual(offending, []);
    });

    it("the schema loads no SDK: a schema file and all it imports at run time leave @pulumi alone", () => {
        const schemaFiles = sources("stacks/schema").filter((file) => !file.endsWith(".args.ts") && !file.endsWith("index.ts"));
        const seen = new Set<string>();
        const sdkImports: string[] = [];
        const visit = (file: string) => {
            if (seen.has(file)) {
                return;
            }
            seen.add(file);
            for (const imported of importsOf(file).filter((i) => !i.typeOnly)) {
                if (imported.target.startsWith("@pulumi/")) {
                    sdkImports.push(`${file}: ${imported.target}`);
                }
                const next = resolved(imported);
                if (next) {
                    visit(next);
                }
            }
        };
        schemaFiles.forEach(visit);
        assert.ok(seen.size > schemaFiles.length, "the walk follows imports");
        assert.deepEqual(sdkImports, []);
    });

    it("the policy pack judges what the engine hands it: it imports nothing of the program", () => {
        const offending = sources("policy")
            .flatMap(importsOf)
            .filter((imported) => imported.target.startsWith(".") && !resolved(imported)?.startsWith("policy/"));
        assert.deepEqual(offending, []);
    });
});
