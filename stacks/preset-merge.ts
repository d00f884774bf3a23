import { z } from "zod";
import { childSchema, formatPath, isPlainObject, unionOption, unwrapOptional } from "./config-tree";
import { modeDefaults, presets, type Environment } from "./presets";
import { stackConfigSchema } from "./schema";

export function presetName(value: unknown): Environment {
    // An invalid environment is reported by the schema; the dev preset still lets the remaining
    // keys be checked so that every problem shows at once.
    return typeof value === "string" && value in presets ? (value as Environment) : "dev";
}

/**
 * The stack's values merged onto the preset: objects key by key at every depth, lists and plain
 * values replaced. An object whose discriminator (`target.kind`, `ingress.tls.mode`) the stack
 * changes is taken whole from the stack: the preset's keys belong to another kind. The paths of
 * those objects are added to `replaced`. Between the two lie the preset's defaults for the modes
 * the stack chose, so that no default of the preset contradicts the stack's own choices.
 */
export function withPreset(values: Record<string, unknown>, environment: Environment, replaced: Set<string>): Record<string, unknown> {
    const preset = presets[environment];
    const name = typeof values.name === "string" ? values.name : preset.stack.name;
    const base = { ...preset.stack, name, namespace: `${name}-${environment}` };
    const chosen = mergeOnto(stackConfigSchema, base, values, [], new Set()) as Record<string, unknown>;
    const forModes = mergeOnto(stackConfigSchema, base, modeDefaults(environment, chosen), [], new Set());
    const merged = mergeOnto(stackConfigSchema, forModes, values, [], replaced) as Record<string, unknown>;
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
