import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

// A scratch copy of the program that Node's built-in type stripping can load, for the "modes"
// section of `npm run bench`. Type stripping only erases types: it cannot run `export =`, and as
// ES modules the files need full relative specifiers. So the copy gets, mechanically:
//   - `export =` -> `export default`
//   - `from "./x"` -> `from "./x.ts"` (or "./x/index.ts")
//   - a package subpath without an exports map, `from "pkg/sub"` -> `from "pkg/sub/index.js"` (or ".js")
//   - a package.json with "type": "module", and node_modules linked to the project's
// The repository is not touched; the copy lives in the OS temp dir and is removed afterwards.

export interface StripCopy {
    dir: string;
    entry: string;
    /** Files copied and what had to change in them. */
    files: number;
    rewrittenSpecifiers: number;
    exportAssignments: number;
    remove(): void;
}

const specifierPattern = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(["'])(\.{1,2}\/[^"']*)\2/g;
const packageSubpathPattern = /(\bfrom\s*)(["'])((?:@[\w.-]+\/)?[\w.-]+\/[^"'.][^"']*)\2/g;

export function makeStripCopy(root: string, entryFile = "index.ts"): StripCopy {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "appstack-bench-strip-"));
    const copy: StripCopy = {
        dir,
        entry: path.join(dir, entryFile),
        files: 0,
        rewrittenSpecifiers: 0,
        exportAssignments: 0,
        remove: () => fs.rmSync(dir, { recursive: true, force: true }),
    };
    try {
        fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "appstack-strip-copy", private: true, type: "module" }) + "\n");
        fs.symlinkSync(path.join(root, "node_modules"), path.join(dir, "node_modules"), "dir");
        const pending = [path.join(root, entryFile)];
        const seen = new Set<string>();
        while (pending.length > 0) {
            const file = pending.pop()!;
            if (seen.has(file)) {
                continue;
            }
            seen.add(file);
            let text = fs.readFileSync(file, "utf8");
            text = text.replace(specifierPattern, (_match, lead: string, quote: string, specifier: string) => {
                const resolved = resolveTs(path.dirname(file), specifier);
                if (!resolved) {
                    throw new Error(`${path.relative(root, file)}: cannot resolve ${specifier} to a .ts file`);
                }
                pending.push(resolved.file);
                copy.rewrittenSpecifiers++;
                return `${lead}${quote}${resolved.specifier}${quote}`;
            });
            text = text.replace(packageSubpathPattern, (match, lead: string, quote: string, specifier: string) => {
                const resolved = resolvePackageSubpath(root, specifier);
                if (!resolved) {
                    return match;
                }
                copy.rewrittenSpecifiers++;
                return `${lead}${quote}${resolved}${quote}`;
            });
            text = text.replace(/^export\s*=\s*/m, () => {
                copy.exportAssignments++;
                return "export default ";
            });
            const target = path.join(dir, path.relative(root, file));
            fs.mkdirSync(path.dirname(target), { recursive: true });
            fs.writeFileSync(target, text);
            copy.files++;
        }
        return copy;
    } catch (error) {
        copy.remove();
        throw error;
    }
}

function resolveTs(fromDir: string, specifier: string): { file: string; specifier: string } | undefined {
    for (const suffix of [".ts", "/index.ts"]) {
        const file = path.resolve(fromDir, specifier + suffix);
        if (fs.existsSync(file)) {
            return { file, specifier: specifier + suffix };
        }
    }
    return undefined;
}

/** ES modules resolve no directory and add no extension inside a package without an exports map. */
function resolvePackageSubpath(root: string, specifier: string): string | undefined {
    const target = path.join(root, "node_modules", specifier);
    if (fs.existsSync(path.join(target, "index.js"))) {
        return `${specifier}/index.js`;
    }
    return fs.existsSync(`${target}.js`) ? `${specifier}.js` : undefined;
}
