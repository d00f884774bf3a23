import * as path from "node:path";
import { parseArgs } from "node:util";
import { evaluateProgram, manifestsOf, projectRoot, readStackSettings } from "../offline";
import { fail, finish } from "./child";
import { baseStack, workerSettings } from "./settings";

// One timed child of `npm run bench`: evaluates the real program once under Pulumi's mocks, exactly
// as `npm run render` does, and exits as soon as the last resource is registered.
//
//   node bin/scripts/bench/evaluate.js --stack prod     the settings of Pulumi.prod.yaml
//   node bin/scripts/bench/evaluate.js --workers 10     Pulumi.prod.yaml with workers w1..w10
//
// Compare with floor.js, which does the same with an empty program.

const harnessLoaded = performance.now();

async function main(): Promise<never> {
    const { values } = parseArgs({ options: { stack: { type: "string" }, workers: { type: "string" } } });
    const workers = values.workers === undefined ? undefined : Number(values.workers);
    const stack = workers === undefined ? (values.stack ?? baseStack) : baseStack;
    const settings = workers === undefined ? readStackSettings(stack) : workerSettings(workers);
    // evaluateProgram requires bin/index.js itself; requiring it first only splits the time between
    // loading the program's modules and running it (the second require is a cache hit).
    require(path.join(projectRoot, "bin", "index.js"));
    const programLoaded = performance.now();
    const evaluation = await evaluateProgram(stack, settings);
    const evaluated = performance.now();
    finish({
        marks: { harnessLoaded, programLoaded, evaluated },
        counts: {
            resources: evaluation.resources.length,
            customResources: evaluation.resources.filter((resource) => resource.custom).length,
            kubernetesObjects: manifestsOf(evaluation.resources).length,
        },
    });
}

main().catch(fail);
