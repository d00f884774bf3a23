import Module = require("node:module");
import * as path from "node:path";
import { parseArgs } from "node:util";
import { evaluate, evaluateProgram, projectRoot, readStackSettings } from "../offline";

// A child that `npm run bench` times: evaluates a stack as `npm run render` does and exits.
//
//   child.js --stack S                  the program, under mocks, with the config of stack S
//   child.js --stack S --floor M1,M2    the floor: loads modules M1, M2 (what the program imports
//                                        for S), sets the same mocks and runs an empty program
//   child.js --stack S --packages       evaluates S and prints the modules of other packages that
//                                        the project's own code imports (the floor's list)

const { values } = parseArgs({ options: { stack: { type: "string" }, floor: { type: "string" }, packages: { type: "boolean" } } });
const stack = values.stack ?? "prod";

async function main(): Promise<void> {
    const settings = readStackSettings(stack);
    if (values.floor !== undefined) {
        values.floor.split(",").filter(Boolean).forEach((name) => require(name));
        await evaluate(stack, settings, async () => ({}));
        return;
    }
    const imported = new Set<string>();
    if (values.packages) {
        const loader = Module as unknown as { _load(request: string, parent: { filename?: string } | undefined, isMain: boolean): unknown };
        const load = loader._load.bind(loader);
        const ownCode = path.join(projectRoot, "bin") + path.sep;
        loader._load = (request, parent, isMain) => {
            if (parent?.filename?.startsWith(ownCode) && !request.startsWith(".") && !path.isAbsolute(request) && !request.startsWith("node:") && !Module.isBuiltin(request)) {
                imported.add(request);
            }
            return load(request, parent, isMain);
        };
    }
    await evaluateProgram(stack, settings);
    if (values.packages) {
        console.log(JSON.stringify([...imported].sort()));
    }
}

main().then(
    () => process.exit(0),
    (error: unknown) => {
        console.error(error);
        process.exit(1);
    },
);
