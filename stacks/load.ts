import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { presets, type Environment } from "./presets";
import { stackConfigSchema, type StackConfig } from "./schema";

const configNamespace = "appstack";

/** Keys whose value is one of several shapes: the stack's value replaces the preset's whole. */
const replacedWhole = new Set(["target", "ingress.tls"]);

/** Keys that must come from `pulumi config set --secret`: their values are credentials. */
const secretKeys = ["secrets", "target.kubeconfig"] as const;

export interface ConfigProblem {
    path: string;
    got: string;
    allowed: string;
}

/**
 * Invalid stack configuration. A RunError, so that `pulumi up` prints the message alone, without
 * a stack trace, and registers nothing.
 */
export class ConfigError extends pulumi.RunError {
    constructor(
        readonly stack: string,
        readonly problems: ConfigProblem[],
    ) {
        super(
            [
                `Invalid configuration of stack "${stack}": ${problems.length} problem${problems.length === 1 ? "" : "s"}`,
                ...problems.map((p) => `  - ${p.path}: got ${p.got}; allowed: ${p.allowed}`),
            ].join("\n"),
        );
        this.name = "ConfigError";
    }
}

/**
 * The raw values of the `appstack:` namespace, keyed without it. Pulumi hands structured values
 * over as JSON text and plain ones as strings; numbers and booleans set on the command line
 * arrive as text too, so JSON is tried first.
 */
function rawConfigFromRuntime(): { values: Record<string, unknown>; secretTopKeys: Set<string> } {
    const values: Record<string, unknown> = {};
    const secretTopKeys = new Set<string>();
    const prefix = `${configNamespace}:`;
    for (const [fullKey, text] of Object.entries(pulumi.runtime.allConfig())) {
        if (!fullKey.startsWith(prefix)) {
            continue;
        }
        const key = fullKey.slice(prefix.length);
        values[key] = parseConfigText(text);
        if (isSecretConfigKey(fullKey)) {
            secretTopKeys.add(key);
        }
    }
    return { values, secretTopKeys };
}

function parseConfigText(text: string): unknown {
    try {
        return JSON.parse(text);
    } catch {
        return text;
    }
}

// The SDK decides secrecy from the engine's list of secret keys; `isConfigSecret` is exported by
// the runtime module but missing from its type declarations.
function isSecretConfigKey(fullKey: string): boolean {
    const runtime = pulumi.runtime as unknown as { isConfigSecret?: (key: string) => boolean };
    return runtime.isConfigSecret?.(fullKey) ?? false;
}

/** Loads the stack's configuration from the Pulumi runtime, or throws a ConfigError. */
export function loadStackConfig(): StackConfig {
    const { values, secretTopKeys } = rawConfigFromRuntime();
    return parseStackConfig(pulumi.getStack(), values, secretTopKeys);
}

/**
 * Merges the stack's values onto its environment's preset and validates the result, reporting
 * every problem at once. `secretTopKeys` are the top-level keys that were set as secrets.
 */
export function parseStackConfig(stack: string, values: Record<string, unknown>, secretTopKeys: ReadonlySet<string>): StackConfig {
    const environment = presetName(values.environment);
    const merged = withPreset(values, environment);
    const result = stackConfigSchema.safeParse(merged, { reportInput: true });
    const problems = result.success ? [] : result.error.issues.flatMap((issue) => describeIssue(issue, merged));
    problems.push(...plaintextSecrets(values, secretTopKeys));
    if (!result.success || problems.length > 0) {
        throw new ConfigError(stack, problems);
    }
    return result.data;
}

function presetName(value: unknown): Environment {
    // An invalid environment is reported by the schema; the dev preset still lets the remaining
    // keys be checked so that every problem shows at once.
    return typeof value === "string" && value in presets ? (value as Environment) : "dev";
}

function withPreset(values: Record<string, unknown>, environment: Environment): Record<string, unknown> {
    const preset = presets[environment];
    const name = typeof values.name === "string" ? values.name : preset.stack.name;
    const merged = deepMerge({ ...preset.stack, name, namespace: `${name}-${environment}` }, values, "") as Record<string, unknown>;
    merged.workers = mergeEntries(values.workers, preset.worker);
    merged.cronJobs = mergeEntries(values.cronJobs, preset.cronJob);
    return merged;
}

function mergeEntries(entries: unknown, defaults: object): unknown {
    return Array.isArray(entries) ? entries.map((entry) => (isPlainObject(entry) ? deepMerge(defaults, entry, "") : entry)) : (entries ?? []);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

function deepMerge(base: unknown, override: unknown, path: string): unknown {
    if (!isPlainObject(base) || !isPlainObject(override) || replacedWhole.has(path)) {
        return override === undefined ? base : override;
    }
    const merged: Record<string, unknown> = { ...base };
    for (const [key, value] of Object.entries(override)) {
        merged[key] = deepMerge(base[key], value, path ? `${path}.${key}` : key);
    }
    return merged;
}

function plaintextSecrets(values: Record<string, unknown>, secretTopKeys: ReadonlySet<string>): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    for (const key of secretKeys) {
        const [top, ...rest] = key.split(".");
        const value = rest.reduce<unknown>((node, part) => (isPlainObject(node) ? node[part] : undefined), values[top]);
        const hasValue = isPlainObject(value) ? Object.keys(value).length > 0 : value !== undefined;
        if (hasValue && !secretTopKeys.has(top)) {
            problems.push({
                path: key,
                got: "a plain-text value",
                allowed: `a secret, encrypted in the stack file: \`pulumi config set --secret --path ${key === "secrets" ? "secrets.NAME VALUE" : key}\``,
            });
        }
    }
    return problems;
}

function formatPath(path: PropertyKey[]): string {
    return path.reduce<string>((text, part) => (typeof part === "number" ? `${text}[${part}]` : text ? `${text}.${String(part)}` : String(part)), "");
}

function show(value: unknown): string {
    if (value === undefined) {
        return "nothing";
    }
    const text = JSON.stringify(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function valueAt(root: unknown, path: PropertyKey[]): unknown {
    return path.reduce<unknown>((node, part) => (node !== null && typeof node === "object" ? (node as Record<PropertyKey, unknown>)[part] : undefined), root);
}

function describeIssue(issue: z.core.$ZodIssue, merged: unknown): ConfigProblem[] {
    const path = formatPath(issue.path);
    switch (issue.code) {
        case "unrecognized_keys": {
            const known = knownKeys(issue.path, merged);
            return issue.keys.map((key) => {
                const suggestion = closest(key, known);
                return {
                    path: formatPath([...issue.path, key]),
                    got: "an unknown key",
                    allowed: suggestion ? `did you mean "${suggestion}"? Known keys: ${known.join(", ")}` : `one of ${known.join(", ")}`,
                };
            });
        }
        case "invalid_type":
            return [{ path, got: show(valueAt(merged, issue.path)), allowed: issue.input === undefined ? `${expectedText(issue.expected)} (required)` : expectedText(issue.expected) }];
        case "invalid_value":
            return [{ path, got: show(issue.input), allowed: `one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}` }];
        case "invalid_union": {
            const discriminator = (issue as { discriminator?: string }).discriminator;
            if (discriminator !== undefined) {
                return [{ path, got: show(valueAt(merged, issue.path)), allowed: `one of ${discriminatorValues(issue.path.slice(0, -1)).join(", ")}` }];
            }
            return [{ path, got: show(issue.input), allowed: issue.message }];
        }
        case "invalid_key":
            return [{ path, got: show(issue.input), allowed: issue.issues.map((inner) => inner.message).join("; ") }];
        default:
            return [{ path, got: show("input" in issue ? issue.input : valueAt(merged, issue.path)), allowed: customMessage(issue) }];
    }
}

function customMessage(issue: z.core.$ZodIssue): string {
    switch (issue.code) {
        case "too_small":
            return !issue.message.startsWith("Too small") ? issue.message : issue.origin === "array" ? `at least ${issue.minimum} entries` : `at least ${issue.minimum}`;
        case "too_big":
            return issue.message.startsWith("Too big") ? `at most ${issue.maximum}` : issue.message;
        default:
            return issue.message;
    }
}

function expectedText(expected: string): string {
    const names: Record<string, string> = { object: "a map of keys", record: "a map of keys", array: "a list", int: "a whole number" };
    return names[expected] ?? `a ${expected}`;
}

/** Descends the schema along a config path to the object schema found there. */
function schemaAt(path: PropertyKey[], merged: unknown): z.ZodType | undefined {
    let schema: z.ZodType | undefined = stackConfigSchema;
    const walked: PropertyKey[] = [];
    for (const part of [...path, undefined]) {
        schema = unwrap(schema, valueAt(merged, walked));
        if (part === undefined || schema === undefined) {
            break;
        }
        if (schema instanceof z.ZodObject) {
            schema = (schema.shape as Record<string, z.ZodType>)[String(part)];
        } else if (schema instanceof z.ZodArray) {
            schema = schema.element as z.ZodType;
        } else if (schema instanceof z.ZodRecord) {
            schema = schema.valueType as z.ZodType;
        } else {
            return undefined;
        }
        walked.push(part);
    }
    return schema;
}

function unwrap(schema: z.ZodType | undefined, value: unknown): z.ZodType | undefined {
    while (schema instanceof z.ZodOptional || schema instanceof z.ZodDiscriminatedUnion) {
        if (schema instanceof z.ZodOptional) {
            schema = schema.unwrap() as z.ZodType;
        } else {
            const union: z.ZodDiscriminatedUnion = schema;
            const key = union.def.discriminator;
            const tag = isPlainObject(value) ? value[key] : undefined;
            schema = (union.options as z.ZodType[]).find((option) => option instanceof z.ZodObject && (option.shape[key] as z.ZodLiteral).values.has(tag as never));
        }
    }
    return schema;
}

function knownKeys(path: PropertyKey[], merged: unknown): string[] {
    const schema = schemaAt(path, merged);
    return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}

function discriminatorValues(path: PropertyKey[]): string[] {
    let schema: z.ZodType | undefined = stackConfigSchema;
    for (const part of path) {
        schema = schema instanceof z.ZodObject ? (schema.shape as Record<string, z.ZodType>)[String(part)] : undefined;
        while (schema instanceof z.ZodOptional) {
            schema = schema.unwrap() as z.ZodType;
        }
    }
    if (!(schema instanceof z.ZodDiscriminatedUnion)) {
        return [];
    }
    const key = schema.def.discriminator;
    return (schema.options as z.ZodObject[]).flatMap((option) => [...(option.shape[key] as z.ZodLiteral).values].map((v) => JSON.stringify(v)));
}

/** The known key nearest to a misspelt one, when it is near enough to be a typo. */
function closest(key: string, known: string[]): string | undefined {
    let best: string | undefined;
    let bestDistance = Infinity;
    for (const candidate of known) {
        const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
        if (distance < bestDistance) {
            best = candidate;
            bestDistance = distance;
        }
    }
    return bestDistance <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
    let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        const current = [i];
        for (let j = 1; j <= b.length; j++) {
            current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        }
        previous = current;
    }
    return previous[b.length];
}
