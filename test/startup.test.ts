import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as path from "node:path";

// A cloud SDK costs a quarter to over half a second of start-up: a stack loads only those its
// target and stores use. Each stack is evaluated in a process of its own, whose module cache is
// then read, since this test process has loaded every SDK for the other tests.
const cloudSdks = /node_modules[\\/]@pulumi[\\/](aws|gcp|azure-native)[\\/]/;

function cloudModulesLoadedBy(stack: string): string[] {
    const support = path.join(__dirname, "support.js");
    const script = `
        require(${JSON.stringify(support)}).renderCommitted(${JSON.stringify(stack)}).then(() => {
            const loaded = Object.keys(require.cache).filter((file) => ${cloudSdks}.test(file));
            process.stdout.write(JSON.stringify(loaded));
        });`;
    return JSON.parse(execFileSync(process.execPath, ["-e", script], { encoding: "utf8" })) as string[];
}

describe("start-up of a stack on a cluster of its own", function () {
    this.timeout(60_000);
    for (const stack of ["dev", "local", "existing-build"]) {
        it(`${stack}: evaluates without loading any cloud SDK`, () => {
            assert.deepEqual(cloudModulesLoadedBy(stack), []);
        });
    }
});

describe("start-up of a stack on a cloud's cluster", function () {
    this.timeout(60_000);
    for (const [stack, sdk] of [
        ["eks-prod", "aws"],
        ["gke-autopilot", "gcp"],
        ["aks-prod", "azure-native"],
    ] as const) {
        it(`${stack}: loads only @pulumi/${sdk}, by submodule`, () => {
            const loaded = cloudModulesLoadedBy(stack);
            const packages = new Set(loaded.map((file) => cloudSdks.exec(file)![1]));
            assert.deepEqual([...packages], [sdk]);
            assert.ok(!loaded.some((file) => file.endsWith(path.join(`@pulumi`, sdk, "index.js"))), "the package's root is not loaded");
        });
    }
});
