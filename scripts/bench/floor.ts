// The floor of `npm run bench`: the same child as evaluate.js, minus the program. It loads every
// package the program imports (@pulumi/pulumi and yaml through the offline harness,
// @pulumi/kubernetes and zod here), sets the mocks and runs an empty program, which registers only
// the root stack. Nothing of appstack's own code runs, so no program can evaluate faster than this.
import "@pulumi/kubernetes";
import "zod";
import { evaluate, readStackSettings } from "../offline";
import { fail, finish } from "./child";
import { baseStack } from "./settings";

const harnessLoaded = performance.now();

async function main(): Promise<never> {
    const evaluation = await evaluate(baseStack, readStackSettings(baseStack), async () => ({}));
    const evaluated = performance.now();
    finish({ marks: { harnessLoaded, programLoaded: harnessLoaded, evaluated }, counts: { resources: evaluation.resources.length } });
}

main().catch(fail);
