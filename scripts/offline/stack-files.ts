import * as fs from "node:fs";
import * as path from "node:path";
import { readYamlFile } from "../../stacks/stack-file";

// The stack files, committed and example, read as the engine would hand their config to the
// program: encrypted values become placeholders, still marked secret.

export const projectRoot = path.resolve(__dirname, "..", "..", "..");

export interface StackSettings {
    /** Config values as the engine hands them to a program: `namespace:key` to text. */
    config: Record<string, string>;
    /** Top-level keys with a secret anywhere in their value, as the engine marks them. */
    secretKeys: string[];
    /** The `config:` map as written in the stack file, which the program reads for per-value secrecy. */
    written: Record<string, unknown>;
    /** The stack's outputs from its last deployment, as the stack reads them back; absent: never deployed. */
    lastOutputs?: Record<string, unknown>;
}

/** Where the example stacks live: a stack file per target kind and data mode, each one rendered. */
export const examplesDirectory = "examples";

/** Pulumi.<stack>.yaml at the project's top, or else among the examples. */
export function stackFile(stack: string, root = projectRoot): string {
    const candidates = [path.join(root, `Pulumi.${stack}.yaml`), path.join(root, examplesDirectory, `Pulumi.${stack}.yaml`)];
    const found = candidates.find((file) => fs.existsSync(file));
    if (!found) {
        const known = [...listStacks(root), ...listExampleStacks(root)];
        throw new Error(`No stack file Pulumi.${stack}.yaml: the stacks are ${known.join(", ") || "none"}`);
    }
    return found;
}

/** The `config:` map of a stack file, as written there (namespaced keys, `secure:` values). */
export function readStackConfigValues(stack: string, root = projectRoot): Record<string, unknown> {
    return readConfigFile(stackFile(stack, root));
}

/** The `config:` map of any stack file, as `pulumi --config-file FILE` reads it. */
export function readConfigFile(file: string): Record<string, unknown> {
    if (!fs.existsSync(file)) {
        throw new Error(`No config file ${file}`);
    }
    const document = (readYamlFile(file) ?? {}) as { config?: Record<string, unknown> };
    return document.config ?? {};
}

/**
 * Reads a stack file as the engine would pass it on. Encrypted `secure:` values cannot be
 * decrypted offline: they become placeholders, still marked secret.
 */
export function readStackSettings(stack: string, root = projectRoot): StackSettings {
    return stackSettingsFromValues(readStackConfigValues(stack, root));
}

/** The committed stacks: Pulumi.<stack>.yaml at the project's top. */
export function listStacks(root = projectRoot): string[] {
    return stacksIn(root);
}

/** The example stacks under examples/. */
export function listExampleStacks(root = projectRoot): string[] {
    const dir = path.join(root, examplesDirectory);
    return fs.existsSync(dir) ? stacksIn(dir) : [];
}

function stacksIn(dir: string): string[] {
    return fs
        .readdirSync(dir)
        .map((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1])
        .filter((stack): stack is string => stack !== undefined)
        .sort();
}

/** Config values as written in a stack file (structured, `secure:` for secrets) to engine form. */
export function stackSettingsFromValues(values: Record<string, unknown>): StackSettings {
    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [key, value] of Object.entries(values)) {
        let secret = false;
        const decrypted = replaceSecure(value, key, () => (secret = true));
        config[key] = typeof decrypted === "string" ? decrypted : JSON.stringify(decrypted);
        if (secret) {
            secretKeys.push(key);
        }
    }
    return { config, secretKeys, written: values };
}

function replaceSecure(value: unknown, keyPath: string, markSecret: () => void): unknown {
    if (Array.isArray(value)) {
        return value.map((item, index) => replaceSecure(item, `${keyPath}[${index}]`, markSecret));
    }
    if (value !== null && typeof value === "object") {
        const entries = Object.entries(value);
        if (entries.length === 1 && entries[0][0] === "secure") {
            markSecret();
            return `[secure ${keyPath}]`;
        }
        return Object.fromEntries(entries.map(([key, item]) => [key, replaceSecure(item, `${keyPath}.${key}`, markSecret)]));
    }
    return value;
}
