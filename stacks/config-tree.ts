import { z } from "zod";
import { stackConfigSchema } from "./schema";

// Walking a config value alongside the schema, as merging, the secrets check and the problem
// reports do: which schema applies at a key path, whichever kind a union's value chose.

export function childSchema(schema: z.ZodType | undefined, key: string): z.ZodType | undefined {
    if (schema instanceof z.ZodObject) {
        return (schema.shape as Record<string, z.ZodType>)[key];
    }
    return schema instanceof z.ZodRecord ? (schema.valueType as z.ZodType) : undefined;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A key path as `pulumi config set --path` takes it: `workers[0].name`, `settings["LOG-LEVEL"]`. */
export function formatPath(at: PropertyKey[]): string {
    return z.core.toDotPath(at);
}

export function unwrapOptional(schema: z.ZodType | undefined): z.ZodType | undefined {
    while (schema instanceof z.ZodOptional) {
        schema = schema.unwrap() as z.ZodType;
    }
    return schema;
}

export function unionOption(union: z.ZodDiscriminatedUnion, tag: unknown): z.ZodObject | undefined {
    const key = union.def.discriminator;
    return (union.options as z.ZodType[]).find(
        (option): option is z.ZodObject => option instanceof z.ZodObject && (option.shape[key] as z.ZodLiteral).values.has(tag as never),
    );
}

export function valueAt(root: unknown, at: PropertyKey[]): unknown {
    return at.reduce<unknown>((node, part) => (node !== null && typeof node === "object" ? (node as Record<PropertyKey, unknown>)[part] : undefined), root);
}

/** Descends the schema along a config path, choosing each union's shape by the value's kind. */
export function schemaAt(at: PropertyKey[], merged: unknown): z.ZodType | undefined {
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
export function unionAt(at: PropertyKey[]): z.ZodDiscriminatedUnion | undefined {
    let schema: z.ZodType | undefined = stackConfigSchema;
    for (const part of at) {
        schema = unwrapOptional(schema);
        schema = schema instanceof z.ZodArray ? (schema.element as z.ZodType) : childSchema(schema, String(part));
    }
    schema = unwrapOptional(schema);
    return schema instanceof z.ZodDiscriminatedUnion ? schema : undefined;
}
