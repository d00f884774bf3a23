import * as fs from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import { presets } from "../stacks/presets";
import { secretValues, stackConfigSchema } from "../stacks/schema";

// The configuration reference (docs/configuration.md), generated from the schema's descriptions
// and the presets so that the two cannot drift apart. `npm run docs` rewrites it and the stack
// file JSON Schema; a test fails when either is stale.

interface Row {
    key: string;
    type: string;
    dev: string;
    prod: string;
    description: string;
}

/** The schema inside optional and defaulted wrappers; a key with a schema default is optional too. */
function unwrapOptional(schema: z.ZodType): { schema: z.ZodType; optional: boolean; fallback?: unknown } {
    let optional = false;
    let fallback: unknown;
    while (schema instanceof z.ZodOptional || schema instanceof z.ZodDefault) {
        optional = true;
        if (schema instanceof z.ZodDefault) {
            fallback = schema.def.defaultValue;
        }
        schema = schema.unwrap() as z.ZodType;
    }
    return { schema, optional, fallback };
}

function typeText(schema: z.ZodType): string {
    if (schema instanceof z.ZodEnum) return schema.options.map((o) => `"${String(o)}"`).join(" \\| ");
    if (schema instanceof z.ZodLiteral) return [...schema.values].map((v) => `"${String(v)}"`).join(" \\| ");
    if (schema instanceof z.ZodArray) return `list of ${typeText(schema.element as z.ZodType)}`;
    if (schema instanceof z.ZodRecord) return `map of ${typeText(schema.valueType as z.ZodType)}`;
    if (schema instanceof z.ZodObject) return "object";
    if (schema instanceof z.ZodDiscriminatedUnion) return "object";
    return schema.def.type;
}

function defaultText(value: unknown): string {
    if (value === undefined) return "";
    const text = JSON.stringify(value);
    return `\`${text.length > 60 ? `${text.slice(0, 57)}...` : text}\``.replace(/\|/g, "\\|");
}

function valueAt(root: unknown, keys: string[]): unknown {
    return keys.reduce<unknown>((node, key) => (node !== null && typeof node === "object" ? (node as Record<string, unknown>)[key] : undefined), root);
}

function presetDefault(environment: "dev" | "prod", keys: string[]): unknown {
    const preset = presets[environment];
    const [top, ...rest] = keys;
    if (top === "workers[]") return valueAt(preset.worker, rest);
    if (top === "cronJobs[]") return valueAt(preset.cronJob, rest);
    if (top === "namespace") return `${preset.stack.name}-${environment}`;
    return valueAt(preset.stack, keys);
}

function rowsOf(schema: z.ZodType, keys: string[], required: boolean, rows: Row[], note = ""): void {
    const { schema: inner, optional, fallback } = unwrapOptional(schema);
    const description = schema.description ?? inner.description ?? "";
    const key = keys.join(".");
    const isList = inner instanceof z.ZodArray && (inner.element as z.ZodType) instanceof z.ZodObject;
    if (keys.length > 0) {
        const dev = presetDefault("dev", keys) ?? fallback;
        const prod = presetDefault("prod", keys) ?? fallback;
        const leaf = !(inner instanceof z.ZodObject) && !(inner instanceof z.ZodDiscriminatedUnion) && !isList;
        const requiredText = required && !optional && dev === undefined ? " **Required.**" : "";
        rows.push({
            key: `\`${key}\``,
            type: typeText(inner),
            dev: leaf ? defaultText(dev) : "",
            prod: leaf ? defaultText(prod) : "",
            description: `${note}${description}${requiredText}`.replace(/\|/g, "\\|"),
        });
    }
    if (inner instanceof z.ZodObject) {
        for (const [child, childSchema] of Object.entries(inner.shape as Record<string, z.ZodType>)) {
            rowsOf(childSchema, [...keys, child], required && !optional, rows, note);
        }
    } else if (isList) {
        const element = inner.element as z.ZodObject;
        for (const [child, childSchema] of Object.entries(element.shape as Record<string, z.ZodType>)) {
            rowsOf(childSchema, [`${keys.join(".")}[]`, child], true, rows);
        }
    } else if (inner instanceof z.ZodDiscriminatedUnion) {
        const discriminator = inner.def.discriminator;
        for (const option of inner.options as z.ZodObject[]) {
            const tag = [...(option.shape[discriminator] as z.ZodLiteral).values][0];
            for (const [child, childSchema] of Object.entries(option.shape as Record<string, z.ZodType>)) {
                if (child !== discriminator) {
                    rowsOf(childSchema, [...keys, child], false, rows, `(${discriminator} "${String(tag)}") `);
                } else if (!rows.some((row) => row.key === `\`${[...keys, child].join(".")}\``)) {
                    const tags = (inner.options as z.ZodObject[]).map((o) => [...(o.shape[discriminator] as z.ZodLiteral).values][0]);
                    rows.push({
                        key: `\`${[...keys, child].join(".")}\``,
                        type: tags.map((t) => `"${String(t)}"`).join(" \\| "),
                        dev: defaultText(presetDefault("dev", [...keys, child])),
                        prod: defaultText(presetDefault("prod", [...keys, child])),
                        description: "which of the shapes below",
                    });
                }
            }
        }
    }
}

const tableHeader = ["| key (under `appstack:`) | type | dev default | prod default | meaning |", "|---|---|---|---|---|"];

function table(rows: Row[]): string[] {
    return [...tableHeader, ...rows.map((row) => `| ${row.key} | ${row.type} | ${row.dev} | ${row.prod} | ${row.description} |`)];
}

/**
 * The reference: the keys of the stack's own settings first, then a section per area of the config
 * tree (an object, a list or a choice of kinds), in the schema's order.
 */
export function configReference(): string {
    const sections: { key: string; description: string; rows: Row[] }[] = [];
    const topLevel: Row[] = [];
    for (const [key, schema] of Object.entries(stackConfigSchema.shape as Record<string, z.ZodType>)) {
        const rows: Row[] = [];
        rowsOf(schema, [key], true, rows);
        if (rows.length === 1) {
            topLevel.push(...rows);
        } else {
            sections.push({ key, description: schema.description ?? unwrapOptional(schema).schema.description ?? "", rows });
        }
    }
    return [
        "# Configuration reference",
        "",
        "<!-- Generated by `npm run docs` from the schema in stacks/schema/ and the presets in stacks/presets.ts; do not edit. -->",
        "",
        "Every key of a stack file's `appstack:` namespace, with its type, its default in each environment's",
        "preset and its meaning. How a stack file is merged onto its preset, and how problems are reported,",
        "is in the README's Configuration section.",
        "",
        "## The stack",
        "",
        ...table(topLevel),
        ...sections.flatMap((section) => ["", `## \`${section.key}\``, "", `${section.description}.`, "", ...table(section.rows)]),
        "",
    ].join("\n");
}

export const referencePath = path.resolve(__dirname, "..", "..", "docs", "configuration.md");

export const jsonSchemaPath = path.resolve(__dirname, "..", "..", "stacks", "appstack.schema.json");

const secureValue: z.core.JSONSchema.JSONSchema = {
    type: "object",
    properties: { secure: { type: "string" } },
    required: ["secure"],
    additionalProperties: false,
    description: "a secret, as `pulumi config set --secret` writes it",
};

/**
 * A JSON Schema of a stack file (Pulumi.<stack>.yaml), from the config schema, for editors. Every
 * key but `environment` may be left out (the presets fill it in), so only that one is required;
 * where a value must be a secret, the `secure:` form the CLI writes is what is allowed.
 */
export function stackFileSchema(): Record<string, unknown> {
    const config = z.toJSONSchema(stackConfigSchema, {
        io: "input",
        unrepresentable: "any",
        override: ({ zodSchema, jsonSchema }) => {
            if (secretValues.get(zodSchema as unknown as z.ZodType)) {
                if (jsonSchema.additionalProperties && typeof jsonSchema.additionalProperties === "object") {
                    jsonSchema.additionalProperties = secureValue;
                } else {
                    const plain = { ...jsonSchema };
                    for (const key of Object.keys(jsonSchema)) delete (jsonSchema as Record<string, unknown>)[key];
                    Object.assign(jsonSchema, { anyOf: [plain, secureValue] });
                }
            }
        },
    }) as { properties: Record<string, unknown>; $defs?: Record<string, unknown> };
    // Presets fill in every key but the environment; a discriminator (`kind`, `mode`) stays required.
    const optional = (node: unknown): void => {
        if (Array.isArray(node)) return node.forEach(optional);
        if (node === null || typeof node !== "object") return;
        const record = node as Record<string, unknown>;
        if (Array.isArray(record.required) && record.properties) {
            const properties = record.properties as Record<string, { const?: unknown }>;
            record.required = (record.required as string[]).filter((key) => properties[key]?.const !== undefined);
        }
        Object.values(record).forEach(optional);
    };
    optional(config);
    const keys = Object.fromEntries(Object.entries(config.properties).map(([key, schema]) => [`appstack:${key}`, schema]));
    return {
        $schema: "https://json-schema.org/draft/2020-12/schema",
        title: "appstack stack file (Pulumi.<stack>.yaml); generated by `npm run docs` from stacks/schema/",
        type: "object",
        properties: {
            config: { type: "object", properties: keys, required: ["appstack:environment"], additionalProperties: true },
            ...Object.fromEntries(["secretsprovider", "encryptedkey", "encryptionsalt"].map((key) => [key, { type: "string" }])),
        },
        ...(config.$defs ? { $defs: config.$defs } : {}),
    };
}

if (require.main === module) {
    fs.mkdirSync(path.dirname(referencePath), { recursive: true });
    fs.writeFileSync(referencePath, configReference());
    fs.writeFileSync(jsonSchemaPath, JSON.stringify(stackFileSchema(), null, 2) + "\n");
    console.log("docs/configuration.md and stacks/appstack.schema.json written");
}
