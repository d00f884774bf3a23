import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { evaluateProgram, listStacks, manifestsOf, readStackSettings } from "./offline";

// Writes the alert rules of every committed stack that renders a PrometheusRule, as the rule
// files promtool reads (`groups:` of the PrometheusRule's spec): DIR/<stack>.rules.yaml. Used by
// scripts/alerts.sh, which checks them and runs their unit tests.

async function main(outDir: string): Promise<void> {
    fs.mkdirSync(outDir, { recursive: true });
    for (const stack of listStacks()) {
        const evaluation = await evaluateProgram(stack, readStackSettings(stack));
        const rules = manifestsOf(evaluation.resources).filter((manifest) => manifest.kind === "PrometheusRule");
        if (rules.length === 0) {
            continue;
        }
        const groups = rules.flatMap((rule) => (rule as unknown as { spec: { groups: unknown[] } }).spec.groups);
        fs.writeFileSync(path.join(outDir, `${stack}.rules.yaml`), YAML.stringify({ groups }, { lineWidth: 0 }));
        console.log(`${stack}: ${groups.length} rule groups`);
    }
}

const outDir = process.argv[2];
if (!outDir) {
    console.error("usage: node bin/scripts/alert-rules.js DIR");
    process.exit(2);
}
main(outDir).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
});
