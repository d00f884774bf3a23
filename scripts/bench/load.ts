import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { evaluate, manifestsOf, projectRoot, readStackSettings } from "../offline";
import { fail, finish } from "./child";
import { baseStack } from "./settings";

// One timed child of the "modes" section of `npm run bench`: loads the program the way one Pulumi
// run mode would, then evaluates it under mocks like evaluate.js (so the count of resources shows
// the mode really works).
//
//   --mode js             require bin/index.js (tsc output; Pulumi.yaml `typescript: false`)
//   --mode ts-node        ts-node transpile-only, then require index.ts (`typescript: true` with
//                         PULUMI_NODEJS_TRANSPILE_ONLY=true or tsconfig `noCheck`)
//   --mode ts-node-check  ts-node with type checking (Pulumi's default for `typescript: true`)
//   --mode strip          import a .ts entry with Node's built-in type stripping (--entry FILE)

type Program = () => Promise<Record<string, unknown> | void>;

const harnessLoaded = performance.now();

async function loadProgram(mode: string, tsNode: string | undefined, entry: string | undefined): Promise<Program> {
    switch (mode) {
        case "js":
            return require(path.join(projectRoot, "bin", "index.js")) as Program;
        case "ts-node":
        case "ts-node-check": {
            if (!tsNode) {
                throw new Error(`--mode ${mode} needs --ts-node PATH (the resolved ts-node package)`);
            }
            // As @pulumi/pulumi/cmd/run registers it: the project's tsconfig.json, the project's typescript.
            const register = (require(tsNode) as { register(options: object): unknown }).register;
            register({ project: path.join(projectRoot, "tsconfig.json"), transpileOnly: mode === "ts-node", compilerOptions: {} });
            return require(path.join(projectRoot, "index.ts")) as Program;
        }
        case "strip": {
            if (!entry) {
                throw new Error("--mode strip needs --entry FILE");
            }
            const module = (await import(pathToFileURL(entry).href)) as { default: Program };
            return module.default;
        }
        default:
            throw new Error(`unknown --mode ${mode}`);
    }
}

async function main(): Promise<never> {
    const { values } = parseArgs({ options: { mode: { type: "string", default: "js" }, "ts-node": { type: "string" }, entry: { type: "string" } } });
    const program = await loadProgram(values.mode!, values["ts-node"], values.entry);
    const programLoaded = performance.now();
    const evaluation = await evaluate(baseStack, readStackSettings(baseStack), program);
    const evaluated = performance.now();
    finish({
        marks: { harnessLoaded, programLoaded, evaluated },
        counts: { resources: evaluation.resources.length, kubernetesObjects: manifestsOf(evaluation.resources).length },
    });
}

main().catch(fail);
