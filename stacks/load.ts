import * as pulumi from "@pulumi/pulumi";
import * as fs from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import { presets, type Environment } from "./presets";
import { secretValues, stackConfigSchema, type StackConfig } from "./schema";
import { closest, editDistance } from "./spelling";
import { readYamlFile, stackFileVariable } from "./stack-file";

const configNamespace = "appstack";

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
        readonly stackName: string,
        readonly problems: ConfigProblem[],
    ) {
        super(
            [
                `Invalid configuration of stack "${stackName}": ${problems.length} problem${problems.length === 1 ? "" : "s"}`,
                ...problems.map((p) => `  - ${p.path}: got ${p.got}; allowed: ${p.allowed}`),
            ].join("\n"),
        );
        this.name = "ConfigError";
    }
}

/** What a program is told about its stack's configuration. */
export interface ConfigSource {
    /** Every value as the engine hands it to the program: `namespace:key` to text. */
    config: Record<string, string>;
    /**
     * The Pulumi project's name, the namespace `pulumi config set KEY` writes to when KEY has none:
     * in a project renamed from appstack, such keys would be ignored.
     */
    project?: string;
    /**
     * The keys the engine marks secret. It marks a whole top-level key as soon as one value under
     * it is secret, so this alone cannot tell a plain value beside a secret one.
     */
    secretKeys: ReadonlySet<string>;
    /**
     * The stack file's `config:` map as written there, `secure:` values and all, or undefined when
     * there is none. Read only when a secret-only key has values.
     */
    written: () => Record<string, unknown> | undefined;
}

/** Loads the stack's configuration from the Pulumi runtime, or throws a ConfigError. */
export function loadStackConfig(): StackConfig {
    const config = pulumi.runtime.allConfig();
    const stack = pulumi.getStack();
    return parseStackConfig(stack, {
        config,
        project: pulumi.getProject(),
        secretKeys: new Set(Object.keys(config).filter(isSecretConfigKey)),
        written: () => readWrittenConfig(stackFilePath(stack)),
    });
}

// The SDK decides secrecy from the engine's list of secret keys; `isConfigSecret` is exported by
// the runtime module but missing from its type declarations.
function isSecretConfigKey(fullKey: string): boolean {
    const runtime = pulumi.runtime as unknown as { isConfigSecret?: (key: string) => boolean };
    return runtime.isConfigSecret?.(fullKey) ?? false;
}

function stackFilePath(stack: string): string {
    const named = process.env[stackFileVariable];
    if (named) {
        return path.resolve(named);
    }
    // The engine gives the project's directory; elsewhere it is the working directory.
    const root = pulumi.runtime.getRootDirectory();
    const projectDir = path.isAbsolute(root) ? root : process.cwd();
    const project = readYaml(path.join(projectDir, "Pulumi.yaml")) as { stackConfigDir?: string } | undefined;
    return path.join(projectDir, project?.stackConfigDir ?? "", `Pulumi.${stack}.yaml`);
}

function readWrittenConfig(file: string): Record<string, unknown> | undefined {
    const document = readYaml(file) as { config?: Record<string, unknown> } | undefined;
    return document === undefined ? undefined : (document?.config ?? {});
}

function readYaml(file: string): unknown {
    if (!fs.existsSync(file)) {
        return undefined;
    }
    return readYamlFile(file) ?? null;
}

/**
 * Validates what the engine handed over, merged onto the environment's preset, and reports every
 * problem at once.
 */
export function parseStackConfig(stack: string, source: ConfigSource): StackConfig {
    const { values, problems } = ownValues(source.config, source.project);
    const environment = presetName(values.environment);
    const replaced = new Set<string>();
    const merged = withPreset(values, environment, replaced);
    const result = stackConfigSchema.safeParse(merged, { reportInput: true });
    if (!result.success) {
        problems.push(...result.error.issues.flatMap((issue) => describeIssue(issue, merged, replaced)));
    }
    problems.push(...plaintextSecrets(merged, source));
    if (!result.success || problems.length > 0) {
        throw new ConfigError(stack, problems);
    }
    return result.data;
}

/**
 * The values of the `appstack:` namespace, keyed without it, and a problem for each key that would
 * be ignored without a word: in a namespace that looks like a misspelling of it, or in a renamed
 * project's own namespace.
 */
function ownValues(config: Record<string, string>, project = configNamespace): { values: Record<string, unknown>; problems: ConfigProblem[] } {
    const values: Record<string, unknown> = {};
    const problems: ConfigProblem[] = [];
    for (const [fullKey, text] of Object.entries(config)) {
        const colon = fullKey.indexOf(":");
        const namespace = fullKey.slice(0, colon);
        const key = fullKey.slice(colon + 1);
        if (namespace === configNamespace) {
            values[key] = parseConfigText(text);
        } else if (namespace === project) {
            problems.push({
                path: fullKey,
                got: `a key in namespace "${namespace}", the project's name, which nothing reads`,
                allowed: `\`${configNamespace}:${key}\`: the program's settings stay under ${configNamespace}: whatever the project is named (\`pulumi config set ${configNamespace}:${key} ...\`)`,
            });
        } else if (editDistance(namespace.toLowerCase(), configNamespace) <= 2) {
            // Providers' namespaces (kubernetes:, aws:, azure-native:, pulumi:...) are all far
            // from this one; a namespace this near is a typo whose keys nothing would read.
            problems.push({
                path: fullKey,
                got: `a key in namespace "${namespace}", which nothing reads`,
                allowed: `did you mean \`${configNamespace}:${key}\`?`,
            });
        }
    }
    return { values, problems };
}

/**
 * Pulumi hands structured values over as JSON text and plain ones as strings; numbers and
 * booleans set on the command line arrive as text too, so JSON is tried first.
 */
function parseConfigText(text: string): unknown {
    try {
        return JSON.parse(text);
    } catch {
        return text;
    }
}

function presetName(value: unknown): Environment {
    // An invalid environment is reported by the schema; the dev preset still lets the remaining
    // keys be checked so that every problem shows at once.
    return typeof value === "string" && value in presets ? (value as Environment) : "dev";
}

/**
 * The stack's values merged onto the preset: objects key by key at every depth, lists and plain
 * values replaced. An object whose discriminator (`target.kind`, `ingress.tls.mode`) the stack
 * changes is taken whole from the stack: the preset's keys belong to another kind. The paths of
 * those objects are added to `replaced`.
 */
function withPreset(values: Record<string, unknown>, environment: Environment, replaced: Set<string>): Record<string, unknown> {
    const preset = presets[environment];
    const name = typeof values.name === "string" ? values.name : preset.stack.name;
    const merged = mergeOnto(stackConfigSchema, { ...preset.stack, name, namespace: `${name}-${environment}` }, values, [], replaced) as Record<string, unknown>;
    merged.workers = mergeEntries("workers", values.workers, preset.worker, replaced);
    merged.cronJobs = mergeEntries("cronJobs", values.cronJobs, preset.cronJob, replaced);
    return merged;
}

function mergeEntries(key: "workers" | "cronJobs", entries: unknown, defaults: object, replaced: Set<string>): unknown {
    if (!Array.isArray(entries)) {
        return entries ?? [];
    }
    const element = (stackConfigSchema.shape[key] as z.ZodArray).element as z.ZodType;
    return entries.map((entry, index) => mergeOnto(element, defaults, entry, [key, index], replaced));
}

function mergeOnto(schema: z.ZodType | undefined, base: unknown, override: unknown, at: PropertyKey[], replaced: Set<string>): unknown {
    if (override === undefined) {
        return base;
    }
    if (!isPlainObject(base) || !isPlainObject(override)) {
        return override;
    }
    let shape = unwrapOptional(schema);
    if (shape instanceof z.ZodDiscriminatedUnion) {
        const discriminator = shape.def.discriminator;
        if (override[discriminator] !== undefined && override[discriminator] !== base[discriminator]) {
            replaced.add(formatPath(at));
            return override;
        }
        shape = unionOption(shape, base[discriminator]);
    }
    const merged: Record<string, unknown> = { ...base };
    for (const [key, value] of Object.entries(override)) {
        merged[key] = mergeOnto(childSchema(shape, key), base[key], value, [...at, key], replaced);
    }
    return merged;
}

function childSchema(schema: z.ZodType | undefined, key: string): z.ZodType | undefined {
    if (schema instanceof z.ZodObject) {
        return (schema.shape as Record<string, z.ZodType>)[key];
    }
    return schema instanceof z.ZodRecord ? (schema.valueType as z.ZodType) : undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * A value under a key the schema marks secret-only that is not a secret in the stack file. The
 * engine marks secrecy per top-level key only, so each value is checked as written in the stack
 * file; a key the stack file does not hold (set by an environment or another file) has the
 * engine's mark.
 */
function plaintextSecrets(merged: Record<string, unknown>, source: ConfigSource): ConfigProblem[] {
    const leaves = secretOnlyLeaves(stackConfigSchema, merged, [], undefined);
    if (leaves.length === 0) {
        return [];
    }
    const written = source.written();
    return leaves
        .filter(({ at }) => !isSecretLeaf(at, source.secretKeys, written))
        .map(({ at, example }) => {
            const key = formatPath(at);
            return {
                path: key,
                got: "a plain-text value",
                allowed: `a secret, encrypted in the stack file: \`pulumi config set --secret --path '${key}' ${example}\``,
            };
        });
}

/** The values under secret-only keys, found by walking the value alongside its schema. */
function secretOnlyLeaves(schema: z.ZodType | undefined, value: unknown, at: PropertyKey[], example: string | undefined): { at: PropertyKey[]; example: string }[] {
    let shape = unwrapOptional(schema);
    const marked = example ?? (schema && secretValues.get(schema)?.example) ?? (shape && secretValues.get(shape)?.example);
    if (shape instanceof z.ZodDiscriminatedUnion && isPlainObject(value)) {
        shape = unionOption(shape, value[shape.def.discriminator]);
    }
    if (isPlainObject(value)) {
        return Object.entries(value).flatMap(([key, item]) => secretOnlyLeaves(childSchema(shape, key), item, [...at, key], marked));
    }
    if (Array.isArray(value)) {
        const element = shape instanceof z.ZodArray ? (shape.element as z.ZodType) : undefined;
        return value.flatMap((item, index) => secretOnlyLeaves(element, item, [...at, index], marked));
    }
    return marked !== undefined && value !== undefined ? [{ at, example: marked }] : [];
}

function isSecretLeaf(leaf: PropertyKey[], secretKeys: ReadonlySet<string>, written: Record<string, unknown> | undefined): boolean {
    const [top, ...rest] = leaf;
    const fullKey = `${configNamespace}:${String(top)}`;
    let node = written?.[fullKey];
    if (node === undefined) {
        return secretKeys.has(fullKey);
    }
    for (const part of rest) {
        if (isSecure(node)) {
            return true;
        }
        node = isPlainObject(node) ? node[part as string] : undefined;
    }
    return isSecure(node);
}

/** `{secure: ...}`: a value `pulumi config set --secret` encrypted. */
function isSecure(node: unknown): boolean {
    return isPlainObject(node) && Object.keys(node).length === 1 && typeof node.secure === "string";
}

/** A key path as `pulumi config set --path` takes it: `workers[0].name`, `settings["LOG-LEVEL"]`. */
function formatPath(at: PropertyKey[]): string {
    return z.core.toDotPath(at);
}

function show(value: unknown): string {
    if (value === undefined) {
        return "nothing";
    }
    const text = JSON.stringify(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function valueAt(root: unknown, at: PropertyKey[]): unknown {
    return at.reduce<unknown>((node, part) => (node !== null && typeof node === "object" ? (node as Record<PropertyKey, unknown>)[part] : undefined), root);
}

function describeIssue(issue: z.core.$ZodIssue, merged: unknown, replaced: ReadonlySet<string>): ConfigProblem[] {
    const at = issue.path;
    const key = formatPath(at);
    switch (issue.code) {
        case "unrecognized_keys":
            return issue.keys.map((unknown) => unknownKey([...at, unknown], knownKeys(at, merged)));
        case "invalid_type": {
            const required = issue.input === undefined ? ` (required)${whatKindNeeds(at, merged, replaced)}` : "";
            return [{ path: key, got: show(valueAt(merged, at)), allowed: `${expectedText(issue.expected)}${required}` }];
        }
        case "invalid_value":
            return [{ path: key, got: show(issue.input), allowed: `one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}` }];
        case "invalid_union": {
            const discriminator = (issue as { discriminator?: string }).discriminator;
            if (discriminator === undefined) {
                return [{ path: key, got: show(issue.input), allowed: issue.message }];
            }
            // The kind is missing or unknown: no shape applies, so keys of no shape are named here.
            const objectAt = at.slice(0, -1);
            const union = unionAt(objectAt);
            const known = union ? [...new Set((union.options as z.ZodObject[]).flatMap((option) => Object.keys(option.shape)))] : [];
            const object = valueAt(merged, objectAt);
            const unknownKeys = isPlainObject(object) ? Object.keys(object).filter((k) => !known.includes(k)) : [];
            return [
                { path: key, got: show(valueAt(merged, at)), allowed: `one of ${union ? discriminatorValues(union).join(", ") : "the known kinds"}` },
                ...unknownKeys.map((unknown) => unknownKey([...objectAt, unknown], known)),
            ];
        }
        case "invalid_key":
            return [{ path: key, got: show(issue.input), allowed: issue.issues.map((inner) => inner.message).join("; ") }];
        default:
            return [{ path: key, got: show("input" in issue ? issue.input : valueAt(merged, at)), allowed: issue.message }];
    }
}

function unknownKey(at: PropertyKey[], known: string[]): ConfigProblem {
    const suggestion = closest(String(at[at.length - 1]), known);
    return {
        path: formatPath(at),
        got: "an unknown key",
        allowed: suggestion ? `did you mean "${suggestion}"? Known keys: ${known.join(", ")}` : `one of ${known.join(", ")}`,
    };
}

/**
 * For a key missing from an object of one kind of several: what that kind must contain, and that
 * it does not take the preset's keys when the stack changed the kind.
 */
function whatKindNeeds(at: PropertyKey[], merged: unknown, replaced: ReadonlySet<string>): string {
    const objectAt = at.slice(0, -1);
    const union = unionAt(objectAt);
    const object = valueAt(merged, objectAt);
    if (!union || !isPlainObject(object)) {
        return "";
    }
    const discriminator = union.def.discriminator;
    const option = unionOption(union, object[discriminator]);
    if (!option) {
        return "";
    }
    const required = Object.entries(option.shape as Record<string, z.ZodType>)
        .filter(([, schema]) => !schema.isOptional())
        .map(([name]) => name);
    const objectKey = formatPath(objectAt);
    const kind = `${discriminator} ${JSON.stringify(object[discriminator])}`;
    const whole = replaced.has(objectKey) ? `; a new ${discriminator} replaces the preset's ${objectKey} whole` : "";
    return `: ${objectKey} with ${kind} must contain ${required.join(", ")}${whole}`;
}

function expectedText(expected: string): string {
    const names: Record<string, string> = { object: "a map of keys", record: "a map of keys", array: "a list", int: "a whole number" };
    return names[expected] ?? `a ${expected}`;
}

function unwrapOptional(schema: z.ZodType | undefined): z.ZodType | undefined {
    while (schema instanceof z.ZodOptional) {
        schema = schema.unwrap() as z.ZodType;
    }
    return schema;
}

function unionOption(union: z.ZodDiscriminatedUnion, tag: unknown): z.ZodObject | undefined {
    const key = union.def.discriminator;
    return (union.options as z.ZodType[]).find(
        (option): option is z.ZodObject => option instanceof z.ZodObject && (option.shape[key] as z.ZodLiteral).values.has(tag as never),
    );
}

/** Descends the schema along a config path, choosing each union's shape by the value's kind. */
function schemaAt(at: PropertyKey[], merged: unknown): z.ZodType | undefined {
    let schema: z.ZodType | undefined = stackConfigSchema;
    for (let depth = 0; depth <= at.length && schema !== undefined; depth++) {
        schema = unwrapOptional(schema);
        if (schema instanceof z.ZodDiscriminatedUnion) {
            const value = valueAt(merged, at.slice(0, depth));
            schema = unionOption(schema, isPlainObject(value) ? value[schema.def.discriminator] : undefined);
        }
        if (depth === at.length || schema === undefined) {
            break;
        }
        schema = schema instanceof z.ZodArray ? (schema.element as z.ZodType) : childSchema(schema, String(at[depth]));
    }
    return schema;
}

/** The discriminated union at a config path, when there is one. */
function unionAt(at: PropertyKey[]): z.ZodDiscriminatedUnion | undefined {
    let schema: z.ZodType | undefined = stackConfigSchema;
    for (const part of at) {
        schema = unwrapOptional(schema);
        schema = schema instanceof z.ZodArray ? (schema.element as z.ZodType) : childSchema(schema, String(part));
    }
    schema = unwrapOptional(schema);
    return schema instanceof z.ZodDiscriminatedUnion ? schema : undefined;
}

function knownKeys(at: PropertyKey[], merged: unknown): string[] {
    const schema = schemaAt(at, merged);
    return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}

function discriminatorValues(union: z.ZodDiscriminatedUnion): string[] {
    const key = union.def.discriminator;
    return (union.options as z.ZodObject[]).flatMap((option) => [...(option.shape[key] as z.ZodLiteral).values].map((v) => JSON.stringify(v)));
}
