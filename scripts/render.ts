import * as path from "node:path";
import { parseArgs } from "node:util";
import { ConfigError } from "../stacks/load";
import { evaluateProgram, projectRoot, readStackSettings, writeRender } from "./offline";

// npm run render -- --stack NAME [--out DIR]
async function main(): Promise<number> {
    const { values } = parseArgs({ options: { stack: { type: "string" }, out: { type: "string" } } });
    if (!values.stack) {
        console.error("usage: npm run render -- --stack NAME [--out DIR]");
        return 2;
    }
    const stack = values.stack;
    const outDir = path.resolve(values.out ?? path.join(projectRoot, "rendered", stack));
    const started = process.hrtime.bigint();
    try {
        const evaluation = await evaluateProgram(stack, readStackSettings(stack));
        const files = writeRender(evaluation, outDir);
        const millis = Number(process.hrtime.bigint() - started) / 1e6;
        console.log(`Rendered stack "${stack}": ${evaluation.resources.length} resources, ${files.length} Kubernetes objects in ${path.relative(process.cwd(), outDir) || "."} (${millis.toFixed(0)} ms)`);
        return 0;
    } catch (error) {
        if (error instanceof ConfigError) {
            console.error(error.message);
            return 1;
        }
        throw error;
    }
}

main().then(
    (code) => process.exit(code),
    (error: unknown) => {
        console.error(error instanceof Error ? error.message : error);
        process.exit(1);
    },
);
