import * as pulumi from "@pulumi/pulumi";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as YAML from "yaml";
import { stackFileVariable } from "../../stacks/stack-file";
import { maskSecrets, recordRegistrations, settled, type RegisteredResource } from "./capture";
import { offlineMocks } from "./mocks";
import { projectRoot, type StackSettings } from "./stack-files";

// Evaluates the real program offline: Pulumi's mock monitor stands in for the engine, so the
// program registers its resources exactly as under `pulumi up`, with no CLI, no credentials and
// no cluster. Shared by `npm run render` and the tests.

export const projectName = "appstack";

export interface Evaluation {
    resources: RegisteredResource[];
    outputs: Record<string, unknown>;
}

/**
 * Runs the program once under mocks with the given stack settings. `registered` receives every
 * registration as it happens, so that a caller can see what a failed run registered.
 */
export async function evaluateProgram(stack: string, settings: StackSettings, registered: RegisteredResource[] = [], observe?: Observer): Promise<Evaluation> {
    const program = require(path.join(projectRoot, "bin", "index.js")) as () => Promise<Record<string, unknown>>;
    return evaluate(stack, settings, program, registered, observe);
}

/**
 * Sees each resource as the engine would receive it, secrets in clear: for tests that hand the
 * program's real values to real servers. Renders never use it.
 */
export type Observer = (resource: { type: string; name: string; inputs: Record<string, any> }) => void;

/** Runs any program function under mocks, as `evaluateProgram` runs the real one. */
export async function evaluate(
    stack: string,
    settings: StackSettings,
    program: () => Promise<Record<string, unknown> | void>,
    registered: RegisteredResource[] = [],
    observe?: Observer,
): Promise<Evaluation> {
    pulumi.runtime.setAllConfig(settings.config, settings.secretKeys);
    // The program reads the stack file as written from where the engine would have it; here that
    // is a copy of the settings' stack file, named as `pulumi up --config-file` users name theirs.
    const stackDir = fs.mkdtempSync(path.join(os.tmpdir(), "appstack-stack-"));
    const file = path.join(stackDir, `Pulumi.${stack}.yaml`);
    fs.writeFileSync(file, YAML.stringify({ config: settings.written }));
    const previous = process.env[stackFileVariable];
    process.env[stackFileVariable] = file;
    try {
        return await evaluateWithConfig(stack, program, registered, settings.lastOutputs ?? {}, observe);
    } finally {
        restoreVariable(stackFileVariable, previous);
        fs.rmSync(stackDir, { recursive: true, force: true });
    }
}

function restoreVariable(name: string, value: string | undefined): void {
    if (value === undefined) {
        delete process.env[name];
    } else {
        process.env[name] = value;
    }
}

async function evaluateWithConfig(
    stack: string,
    program: () => Promise<Record<string, unknown> | void>,
    registered: RegisteredResource[],
    lastOutputs: Record<string, unknown>,
    observe?: Observer,
): Promise<Evaluation> {
    await pulumi.runtime.setMocks(
        offlineMocks(lastOutputs, observe),
        projectName,
        stack,
        false,
        // The organization a backend of files (as `pulumi login --local` makes) names every stack's.
        "organization",
    );
    const resources = recordRegistrations(registered);
    // A value that fails to compute (an apply that throws) leaves its resource unregistered, and
    // the runtime says so only through a rejected promise nobody awaits: the engine would fail
    // the update, so the evaluation fails too.
    const failures: unknown[] = [];
    const recordFailure = (reason: unknown) => failures.push(reason);
    process.on("unhandledRejection", recordFailure);
    try {
        const outputs = (await pulumi.runtime.runInPulumiStack(program)) ?? {};
        await settled();
        await new Promise((resolve) => setImmediate(resolve));
        if (failures.length > 0) {
            throw failures[0];
        }
        return { resources, outputs: maskSecrets(outputs) as Record<string, unknown> };
    } finally {
        process.off("unhandledRejection", recordFailure);
    }
}
