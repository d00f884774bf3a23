import * as pulumi from "@pulumi/pulumi";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as YAML from "yaml";
import { namespace, stackFileVariable } from "../plan";

export interface Registered {
    type: string;
    name: string;
    inputs: Record<string, any>;
}

export interface Run {
    resources: Registered[];
    outputs: Record<string, unknown>;
    of(type: string): Registered[];
}

/** The committed example's settings, as written in deployments/Pulumi.acme.yaml (without namespace). */
export function exampleSettings(): Record<string, any> {
    const file = path.join(__dirname, "..", "..", "Pulumi.acme.yaml");
    const config = YAML.parse(fs.readFileSync(file, "utf8")).config as Record<string, unknown>;
    return Object.fromEntries(Object.entries(config).map(([key, value]) => [key.slice(namespace.length + 1), value]));
}

/** `{secure: ...}` as `pulumi config set --secret` writes a value into the stack file. */
export const encrypted = { secure: "v1:encrypted" };

/**
 * Runs the program under Pulumi's mocks with `settings` (without namespace) as the engine hands
 * config over; `written` is the stack file as written, where it differs (its secrets encrypted).
 */
export async function runProgram(settings: Record<string, unknown>, written: Record<string, unknown> = settings): Promise<Run> {
    pulumi.runtime.setAllConfig(
        Object.fromEntries(Object.entries(settings).map(([key, value]) => [`${namespace}:${key}`, typeof value === "string" ? value : JSON.stringify(value)])),
    );
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "appstack-deployments-"));
    const file = path.join(dir, "Pulumi.test.yaml");
    fs.writeFileSync(file, YAML.stringify({ config: Object.fromEntries(Object.entries(written).map(([key, value]) => [`${namespace}:${key}`, value])) }));
    process.env[stackFileVariable] = file;
    try {
        return await runUnderMocks(require("../index") as () => Promise<Record<string, unknown>>);
    } finally {
        delete process.env[stackFileVariable];
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/** Runs any program function under Pulumi's mocks and records what it registers. */
export async function runUnderMocks(program: () => Promise<Record<string, unknown> | void>): Promise<Run> {
    const resources: Registered[] = [];
    await pulumi.runtime.setMocks(
        {
            newResource: (args) => {
                resources.push({ type: args.type, name: args.name, inputs: args.inputs });
                return { id: `${args.name}-id`, state: args.inputs };
            },
            call: (args) => args.inputs,
        },
        "appstack-deployments",
        "test",
        false,
        "acme",
    );
    const outputs = await pulumi.runtime.runInPulumiStack(program);
    // The runtime's own barrier for outstanding registrations; exported, not declared.
    await (pulumi.runtime as unknown as { waitForRPCs: () => Promise<void> }).waitForRPCs();
    return { resources, outputs: (outputs ?? {}) as Record<string, unknown>, of: (type) => resources.filter((resource) => resource.type === type) };
}

/** The example with each stack's kubeconfig set as a secret, as its comments say to. */
export function exampleWithKubeconfigs(): { settings: Record<string, any>; written: Record<string, any> } {
    const settings = exampleSettings();
    const withKubeconfig = (value: unknown) =>
        settings.stacks.map((stack: Record<string, unknown>) => ({
            ...stack,
            kubeconfig: value ?? `apiVersion: v1\nkind: Config\ncurrent-context: ${stack.name}-cluster\n`,
        }));
    return { settings: { ...settings, stacks: withKubeconfig(undefined) }, written: { ...settings, stacks: withKubeconfig(encrypted) } };
}

const secretSig = "4dabf18193072939515e22adb298388d";

/** Whether a registered input is a secret, as the engine receives it. */
export function isSecret(value: unknown): boolean {
    return value !== null && typeof value === "object" && secretSig in value;
}

/** A registered input with its secrets' values in place, for assertions on what they hold. */
export function reveal(value: any): any {
    if (isSecret(value)) return reveal(value.value);
    if (Array.isArray(value)) return value.map(reveal);
    if (value !== null && typeof value === "object" && !(value instanceof Promise))
        return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, reveal(item)]));
    return value;
}
