import { cancellable, findEngine, openStack } from "../../scripts/engine";
import { e2eStack } from "./support";
import { runMain } from "../../scripts/main";

// One `up` of the e2e stack in a process of its own, for the tests that kill or interrupt it.
async function main(): Promise<void> {
    const stack = await openStack(await findEngine(), e2eStack.name, process.argv[2]);
    await cancellable(stack, (signal) => stack.up({ onOutput: (out) => process.stdout.write(out), signal, color: "never" }));
}

runMain(main);
