import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { evaluate, evaluateProgram, projectRoot, readStackSettings } from "../offline";

// A child that `npm run bench` times: evaluates a stack as `npm run render` does and exits.
//
//   child.js --stack S                  the program, under mocks, with the config of stack S
//   child.js --stack S --modules        evaluates S and prints, as JSON, every module file of
//                                        other packages that the evaluation loaded, in load order,
//                                        and how many resources it registered
//   child.js --stack S --floor FILE     the floor: loads the module files listed in FILE (that
//                                        list), sets the same mocks and runs an empty program
//   child.js --stack S --floor FILE --registrations N
//                                       the floor, whose program registers N plain ConfigMaps:
//                                        what Pulumi's runtime alone costs for N resources
//
// The floor loads files, not package names: the cloud SDKs load each resource's module only when
// the program first touches it, so requiring `@pulumi/azure-native/keyvault` alone would leave
// out most of what a stack really loads.

const { values } = parseArgs({
    options: { stack: { type: "string" }, floor: { type: "string" }, registrations: { type: "string" }, modules: { type: "boolean" } },
});
const stack = values.stack ?? "prod";

async function main(): Promise<void> {
    // As `npm run render` evaluates (scripts/render.ts): without the stack trace Pulumi's runtime
    // records for every promise it makes. Floors and evaluations alike.
    Error.stackTraceLimit = 0;
    const settings = readStackSettings(stack);
    if (values.floor !== undefined) {
        (JSON.parse(fs.readFileSync(values.floor, "utf8")) as string[]).forEach((file) => require(file));
        const registrations = Number(values.registrations ?? 0);
        await evaluate(stack, settings, async () => {
            const { ConfigMap } = require("@pulumi/kubernetes/core/v1") as typeof import("@pulumi/kubernetes/core/v1");
            for (let index = 0; index < registrations; index++) {
                new ConfigMap(`plain-${index}`, {
                    metadata: { name: `plain-${index}`, labels: { "app.kubernetes.io/name": "plain" } },
                    data: { key: "value" },
                });
            }
        });
        return;
    }
    const { resources } = await evaluateProgram(stack, settings);
    if (values.modules) {
        const ownCode = path.join(projectRoot, "bin") + path.sep;
        const modules = Object.keys(require.cache).filter((file) => !file.startsWith(ownCode));
        console.log(JSON.stringify({ modules, resources: resources.length }));
    }
}

main().then(
    () => process.exit(0),
    (error: unknown) => {
        console.error(error);
        process.exit(1);
    },
);
