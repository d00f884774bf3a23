import { z } from "zod";
import { childSchema, formatPath, isPlainObject, unionOption, unwrapOptional } from "./config-tree";
import type { ConfigSource } from "./load";
import type { ConfigProblem } from "./problems";
import { secretValues, stackConfigSchema } from "./schema";
import { configNamespace } from "./stack-file";

/**
 * A value under a key the schema marks secret-only that is not a secret in the stack file. The
 * engine marks secrecy per top-level key only, so each value is checked as written in the stack
 * file; a key the stack file does not hold (set by an environment or another file) has the
 * engine's mark.
 */
export function plaintextSecrets(merged: Record<string, unknown>, source: ConfigSource): ConfigProblem[] {
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
function secretOnlyLeaves(
    schema: z.ZodType | undefined,
    value: unknown,
    at: PropertyKey[],
    example: string | undefined,
): { at: PropertyKey[]; example: string }[] {
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
