import { z } from "zod";
import { parseQuantity } from "../quantity";

// A program parses its configuration once. Zod's default compiles a fast path for each object
// schema at its first parse, which costs more than it saves on one parse: about 20 ms of every
// program start.
z.config({ jitless: true });

// The value types that several areas of the config share.

export const dnsLabel = z
    .string()
    .max(63, "at most 63 characters")
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "a DNS label: lower-case letters, digits and '-', starting and ending with a letter or digit");

/** A DNS-1035 label, as Service names must be: the app name starts every Service's name. */
export const appName = dnsLabel.regex(/^[a-z]/, "starting with a letter (Service names are built from it)");

/**
 * Keys whose every value must be a secret in the stack file (`pulumi config set --secret`), with
 * what to pass in the command that sets one. Mark a credential with `secretValue(...)`: the loader
 * checks each value under a marked key as the stack file writes it.
 */
export const secretValues = z.registry<{ example: string }>();

export function secretValue<T extends z.ZodType>(schema: T, example = "VALUE"): T {
    secretValues.add(schema, { example });
    return schema;
}

export const envVarName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "an environment variable name: letters, digits and '_', not starting with a digit");

export const port = z.number().int("a whole number").min(1, "a port from 1 to 65535").max(65535, "a port from 1 to 65535");

export const positiveInt = z.number().int("a whole number").min(1, "at least 1");
export const nonNegativeInt = z.number().int("a whole number").min(0, "at least 0");
export const percent = z.number().int("a whole number").min(1, "a percentage from 1 to 100").max(100, "a percentage from 1 to 100");

export function quantity(unit: "cpu" | "memory") {
    const example = unit === "cpu" ? `"250m" or "1"` : `"256Mi" or "1Gi"`;
    return z.string().refine((text) => (parseQuantity(text) ?? 0) > 0, {
        message: `a positive Kubernetes quantity such as ${example}`,
    });
}

export const command = z.array(z.string().min(1, "not empty")).min(1, "at least one element");

/**
 * Two entries with one name would build two objects with one Kubernetes name. Checked even when
 * an entry has other problems (`when`), so that every problem is reported at once.
 */
export function uniqueNames<T extends { name: string }>(list: z.ZodArray<z.ZodType<T>>, listKey: string) {
    return list.superRefine(
        (entries, ctx) => {
            const firstIndex = new Map<unknown, number>();
            entries.forEach((entry, index) => {
                const name = (entry as { name?: unknown } | null)?.name;
                const first = firstIndex.get(name);
                if (typeof name !== "string") {
                    return;
                } else if (first === undefined) {
                    firstIndex.set(name, index);
                } else {
                    ctx.addIssue({ code: "custom", path: [index, "name"], input: name, message: `a name not already used by ${listKey}[${first}]` });
                }
            });
        },
        { when: (payload) => Array.isArray(payload.value) },
    );
}

export const resources = z
    .strictObject({
        requests: z
            .strictObject({
                cpu: quantity("cpu").describe("CPU the scheduler reserves for each pod"),
                memory: quantity("memory").describe("memory the scheduler reserves for each pod"),
                ephemeralStorage: quantity("memory").optional().describe("local disk (logs, /tmp) the scheduler reserves for each pod"),
            })
            .describe("reserved resources per pod"),
        limits: z
            .strictObject({
                cpu: quantity("cpu").optional().describe("CPU ceiling per pod (omit to allow bursting)"),
                memory: quantity("memory").describe("memory ceiling per pod; the container is killed above it"),
                ephemeralStorage: quantity("memory").optional().describe("local disk ceiling per pod; the pod is evicted above it"),
            })
            .describe("resource ceilings per pod"),
    })
    .superRefine((value, ctx) => {
        for (const kind of ["cpu", "memory", "ephemeralStorage"] as const) {
            const requestText = value.requests[kind];
            const request = requestText === undefined ? undefined : parseQuantity(requestText);
            const limitText = value.limits[kind];
            const limit = limitText === undefined ? undefined : parseQuantity(limitText);
            if (request !== undefined && limit !== undefined && request > limit) {
                ctx.addIssue({
                    code: "custom",
                    path: ["limits", kind],
                    input: limitText,
                    message: `at least requests.${kind} (${value.requests[kind]})`,
                });
            }
        }
    });
