import { strict as assert } from "node:assert";
import { ConfigError, parseStackConfig } from "../stacks/load";
import type { StackConfig } from "../stacks/schema";
import {
    evaluateProgram,
    manifestsOf,
    readStackConfigValues,
    stackSettingsFromValues,
    type Evaluation,
    type Manifest,
    type RegisteredResource,
    type StackSettings,
} from "../scripts/offline";

export const ns = "appstack";

/** The `appstack:` values of a committed stack file, as written there. */
export function stackValues(stack: string): Record<string, unknown> {
    return Object.fromEntries(Object.entries(readStackConfigValues(stack)).map(([key, value]) => [key.slice(`${ns}:`.length), value]));
}

/**
 * Engine-form settings from `appstack:` values (a key with a namespace of its own, such as
 * `aws:region`, is kept as it is); `secrets` are added as secret keys with their plain values, as
 * the engine hands decrypted secrets to a program.
 */
export function settingsOf(values: Record<string, unknown>, secrets: Record<string, unknown> = {}): StackSettings {
    const plain = stackSettingsFromValues(Object.fromEntries(Object.entries(values).map(([key, value]) => [key.includes(":") ? key : `${ns}:${key}`, value])));
    for (const [key, value] of Object.entries(secrets)) {
        plain.config[`${ns}:${key}`] = typeof value === "string" ? value : JSON.stringify(value);
        plain.secretKeys.push(`${ns}:${key}`);
        plain.written[`${ns}:${key}`] = { secure: "v1:encrypted" };
    }
    return plain;
}

/** Validates `appstack:` values as the program does, without running it. */
export function parseValues(stack: string, values: Record<string, unknown>, secrets: Record<string, unknown> = {}): StackConfig {
    const settings = settingsOf(values, secrets);
    return parseStackConfig(stack, { config: settings.config, secretKeys: new Set(settings.secretKeys), written: () => settings.written });
}

export interface Rendered extends Evaluation {
    manifests: Manifest[];
    find(kind: string, name: string): Manifest;
}

export async function render(stack: string, values: Record<string, unknown>, secrets: Record<string, unknown> = {}): Promise<Rendered> {
    const evaluation = await evaluateProgram(stack, settingsOf(values, secrets));
    const manifests = manifestsOf(evaluation.resources);
    return {
        ...evaluation,
        manifests,
        find(kind, name) {
            const found = manifests.find((m) => m.kind === kind && m.metadata.name === name);
            if (!found) {
                throw new Error(`no ${kind} ${name} among ${manifests.map((m) => `${m.kind}/${m.metadata.name}`).join(", ")}`);
            }
            return found;
        },
    };
}

const committedRenders = new Map<string, Promise<Rendered>>();

/** A committed stack as its file stands, evaluated once per test run: the result is plain data. */
export function renderCommitted(stack: string): Promise<Rendered> {
    let rendered = committedRenders.get(stack);
    if (!rendered) {
        rendered = render(stack, stackValues(stack));
        committedRenders.set(stack, rendered);
    }
    return rendered;
}

/** Runs the program expecting invalid config; returns the error and what was registered. */
export async function renderInvalid(
    values: Record<string, unknown>,
    secrets: Record<string, unknown> = {},
): Promise<{ error: ConfigError; registered: RegisteredResource[] }> {
    const registered: RegisteredResource[] = [];
    try {
        await evaluateProgram("invalid", settingsOf(values, secrets), registered);
    } catch (error) {
        if (error instanceof ConfigError) {
            return { error, registered };
        }
        throw error;
    }
    throw new Error("the program accepted the configuration");
}

export function clone<T>(value: T): T {
    return structuredClone(value);
}

/** The ConfigMap and Secret a pod template reads its settings from. */
export function settingsRead(manifests: Manifest[], podSpec: any): { configMap: any; secret?: any; whole: boolean } {
    const container = podSpec.containers[0];
    const configMapName = container.envFrom?.[0]?.configMapRef?.name;
    const wholeSecret = container.envFrom?.find((source: any) => source.secretRef)?.secretRef.name;
    const secretName = wholeSecret ?? container.env?.find((e: any) => e.valueFrom?.secretKeyRef)?.valueFrom.secretKeyRef.name;
    const configMap = manifests.find((m) => m.kind === "ConfigMap" && m.metadata.name === configMapName);
    if (!configMap) {
        throw new Error(`no ConfigMap ${configMapName}`);
    }
    return { configMap, secret: manifests.find((m) => m.kind === "Secret" && m.metadata.name === secretName), whole: wholeSecret !== undefined };
}

/** The resources of one type a render registered. */
export function ofType(rendered: Evaluation, type: string): RegisteredResource[] {
    return rendered.resources.filter((r) => r.type === type);
}

/** The one resource of a type a render registered. */
export function one(rendered: Evaluation, type: string): RegisteredResource {
    const found = ofType(rendered, type);
    assert.equal(found.length, 1, `one ${type}`);
    return found[0];
}

/** A resource's inputs, to read any key of. */
export function inputs(resource: RegisteredResource): any {
    return resource.inputs;
}

/**
 * Every Kubernetes object is registered with the target's Kubernetes provider, every cloud
 * resource with the target's cloud provider (of type `cloudProviderType`), none with a default one.
 */
export function assertTargetProviders(rendered: Evaluation, cloudProviderType: string): void {
    const onProvider = (type: string, prefix: string) => {
        const provider = one(rendered, type);
        for (const resource of rendered.resources.filter((r) => r.type.startsWith(prefix))) {
            assert.ok(resource.provider.startsWith(`${provider.urn}::`), `${resource.type} ${resource.name}: ${resource.provider}`);
        }
    };
    onProvider("pulumi:providers:kubernetes", "kubernetes:");
    onProvider(cloudProviderType, `${cloudProviderType.split(":").pop()}:`);
    assert.deepEqual(
        rendered.resources.filter((r) => r.provider.includes("::default")).map((r) => r.urn),
        [],
    );
}

/** A committed or example stack with its Ingress enabled for app.example.com. */
export function renderWithIngress(stack: string, tls: Record<string, unknown> = { mode: "secret", secretName: "app-tls" }): Promise<Rendered> {
    const values = clone(stackValues(stack)) as Record<string, unknown>;
    values.ingress = { enabled: true, host: "app.example.com", tls };
    return render(stack, values);
}
