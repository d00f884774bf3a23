import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { mermaid, networkGraph } from "./network-graph";
import * as YAML from "yaml";
import type { Manifest } from "./offline";
import { runMain } from "./main";

const usage = `usage: npm run review -- --stack NAME [--config-file FILE] [--out DIR]

Renders the stack offline (as npm run render does, into DIR, default rendered/NAME) and prints, as
Markdown for a pull request, what a reviewer looks at: the Kubernetes objects per kind and the
connections the NetworkPolicies allow, as a Mermaid diagram.`;

/** The Markdown of a stack's render: objects per kind, then the network's edges. */
export function reviewMarkdown(stack: string, manifests: Manifest[], environments: string[] = []): string {
    const counts = new Map<string, number>();
    for (const manifest of manifests) counts.set(manifest.kind, (counts.get(manifest.kind) ?? 0) + 1);
    const kinds = [...counts].sort(([a], [b]) => a.localeCompare(b));
    const graph = networkGraph(manifests);
    return [
        `### Stack \`${stack}\`: ${manifests.length} Kubernetes objects`,
        "",
        // The render reads the stack file alone; values an environment sets are not in it.
        ...(environments.length
            ? [`Rendered without the ESC environments the stack imports (${environments.join(", ")}): the engine opens them, a render does not.`, ""]
            : []),
        "| kind | objects |",
        "|---|---:|",
        ...kinds.map(([kind, count]) => `| ${kind} | ${count} |`),
        "",
        `#### Network: the ${graph.edges.length} connections its NetworkPolicies allow`,
        "",
        "```mermaid",
        mermaid(graph),
        "```",
        "",
    ].join("\n");
}

async function main(): Promise<number> {
    const root = path.resolve(__dirname, "..", "..");
    let values;
    try {
        ({ values } = parseArgs({
            options: { stack: { type: "string" }, "config-file": { type: "string" }, out: { type: "string" }, help: { type: "boolean", short: "h" } },
        }));
    } catch (error) {
        console.error(`${(error as Error).message}\n\n${usage}`);
        return 2;
    }
    if (values.help || !values.stack) {
        (values.help ? console.log : console.error)(values.help ? usage : `--stack is required\n\n${usage}`);
        return values.help ? 0 : 2;
    }
    Error.stackTraceLimit = 0;
    const { renderStack } = require("./render") as typeof import("./render");
    const configFile = values["config-file"] && path.resolve(values["config-file"]);
    const render = await renderStack(values.stack, path.resolve(values.out ?? path.join(root, "rendered", values.stack)), { configFile });
    const file = configFile ?? (require("./offline") as typeof import("./offline")).stackFile(values.stack);
    const imported = (YAML.parse(fs.readFileSync(file, "utf8")) as { environment?: unknown } | null)?.environment;
    console.log(
        reviewMarkdown(
            values.stack,
            render.objects.map((object) => object.manifest),
            Array.isArray(imported) ? imported.map(String) : [],
        ),
    );
    return 0;
}

if (require.main === module) {
    runMain(main);
}
