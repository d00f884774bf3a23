import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { formatPath, isPlainObject, schemaAt, unionAt, unionOption, valueAt } from "./config-tree";
import { closest } from "./spelling";

// What is wrong with a stack's config, said in the user's terms: each problem's key path, the
// value it got and what is allowed.

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

function show(value: unknown): string {
    if (value === undefined) {
        return "nothing";
    }
    const text = JSON.stringify(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

export function describeIssue(issue: z.core.$ZodIssue, merged: unknown, replaced: ReadonlySet<string>): ConfigProblem[] {
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

function knownKeys(at: PropertyKey[], merged: unknown): string[] {
    const schema = schemaAt(at, merged);
    return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}

function discriminatorValues(union: z.ZodDiscriminatedUnion): string[] {
    const key = union.def.discriminator;
    return (union.options as z.ZodObject[]).flatMap((option) => [...(option.shape[key] as z.ZodLiteral).values].map((v) => JSON.stringify(v)));
}
