import * as pulumi from "@pulumi/pulumi";
import { withAutoName } from "./mocks";

// What the program registers, kept as the engine would receive it with secrets masked: the
// resources of an evaluation, and the Kubernetes objects among them.

/** Stands for a secret wherever a value would be written out. */
export const secretMarker = "[secret]";

/** Stands for a value only known after a real deployment (an id, a server-assigned field). */
const unknownMarker = "[unknown]";

const secretSig = "1b47061264138c4ac30d75fd1eb44270";

const resourceSig = "5cf8f73096256a8f31e491e813e4eb8e";

const unknownValue = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

const sigKey = "4dabf18193072939515e22adb298388d";

export interface RegisteredResource {
    urn: string;
    type: string;
    name: string;
    parent: string;
    provider: string;
    custom: boolean;
    protect: boolean;
    /** URNs it waits for: its explicit `dependsOn` and the resources its inputs come from. */
    dependencies: string[];
    /** Input paths the engine leaves as they are once the resource exists. */
    ignoreChanges?: string[];
    /** URNs it was registered under before, which the engine moves to its URN; absent: none. */
    aliases?: string[];
    inputs: Record<string, unknown>;
}

interface RegisterRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getProvider(): string;
    getCustom(): boolean;
    getProtect(): boolean;
    getDependenciesList(): string[];
    getIgnorechangesList(): string[];
    getAliasesList(): AliasRequest[];
    getObject(): { toJavaScript(): Record<string, unknown> } | undefined;
}

interface AliasRequest {
    hasUrn(): boolean;
    getUrn(): string;
    getSpec(): { getName(): string; getType(): string; getStack(): string; getProject(): string; getParenturn(): string; getNoparent(): boolean } | undefined;
}

type Callback = (
    err: unknown,
    response: { getUrn(): string; getObject(): { toJavaScript(): { metadata?: { name?: string } } } | undefined } | undefined,
) => void;

/** Wraps the mock monitor so that every registration is kept, with its parent and provider. */
export function recordRegistrations(resources: RegisteredResource[]): RegisteredResource[] {
    const monitor = pulumi.runtime.getMonitor() as unknown as { registerResource(req: RegisterRequest, callback: Callback): Promise<void> };
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req, callback) =>
        register(req, (err, response) => {
            if (!err && response) {
                resources.push({
                    urn: response.getUrn(),
                    type: req.getType(),
                    name: req.getName(),
                    parent: req.getParent(),
                    provider: req.getProvider(),
                    custom: req.getCustom(),
                    protect: req.getProtect(),
                    dependencies: req.getDependenciesList(),
                    ignoreChanges: req.getIgnorechangesList(),
                    ...aliasesOf(response.getUrn(), req),
                    inputs: maskSecrets(
                        withAutoName(req.getType(), req.getName(), req.getObject()?.toJavaScript() ?? {}, response.getObject()?.toJavaScript().metadata?.name),
                    ) as Record<string, unknown>,
                });
            }
            callback(err, response);
        });
    return resources;
}

/**
 * The URNs a resource's aliases stand for, formed as the mock monitor forms URNs (the parent's
 * own type before the resource's) from each alias's parts; those it leaves out are the
 * resource's own. Left out: the aliases the Kubernetes SDK gives every object, to the same kind
 * under its older API versions, which say nothing about the program's history.
 */
function aliasesOf(urn: string, req: RegisterRequest): { aliases?: string[] } {
    const [, stack, project] = /^urn:pulumi:([^:]+)::([^:]+)::/.exec(urn) ?? [];
    const aliases = req
        .getAliasesList()
        .map((alias) => {
            const spec = alias.getSpec();
            if (alias.hasUrn() || !spec) {
                return alias.getUrn();
            }
            const parentUrn = spec.getNoparent() ? "" : spec.getParenturn() || req.getParent();
            const type = spec.getType() || req.getType();
            const qualifiedType = parentUrn ? `${parentUrn.split("::")[2].split("$").pop()}$${type}` : type;
            return `urn:pulumi:${spec.getStack() || stack}::${spec.getProject() || project}::${qualifiedType}::${spec.getName() || req.getName()}`;
        })
        .filter((alias) => !isOtherApiVersion(alias, req.getType()));
    return aliases.length > 0 ? { aliases } : {};
}

function isOtherApiVersion(alias: string, type: string): boolean {
    const aliasType = alias.split("::")[2].split("$").pop()!;
    const kind = (t: string) => t.split(":").pop();
    return type.startsWith("kubernetes:") && aliasType.startsWith("kubernetes:") && aliasType !== type && kind(aliasType) === kind(type);
}

/** Waits until the program has no registration in flight. */
export async function settled(): Promise<void> {
    // `waitForRPCs` is the runtime's own barrier; it is exported but not declared.
    const runtime = pulumi.runtime as unknown as { waitForRPCs?: () => Promise<void> };
    await runtime.waitForRPCs?.();
}

/** The values of secrets in place of their wrappers. */
export function revealSecrets(value: unknown): unknown {
    if (Array.isArray(value)) {
        return value.map(revealSecrets);
    }
    if (value !== null && typeof value === "object") {
        const record = value as Record<string, unknown>;
        if (record[sigKey] === secretSig) {
            return revealSecrets(record.value);
        }
        return Object.fromEntries(Object.entries(record).map(([key, item]) => [key, revealSecrets(item)]));
    }
    return value;
}

/** Replaces secrets by a marker, resource references by their URN, unknowns by a marker. */
export function maskSecrets(value: unknown): unknown {
    if (value === unknownValue) {
        return unknownMarker;
    }
    if (Array.isArray(value)) {
        return value.map(maskSecrets);
    }
    if (value !== null && typeof value === "object") {
        const record = value as Record<string, unknown>;
        if (record[sigKey] === secretSig) {
            // A secret map (a Secret's data) keeps its keys, which are not secret; each value is masked.
            const secret = record.value;
            return secret !== null && typeof secret === "object" && !Array.isArray(secret)
                ? Object.fromEntries(Object.keys(secret).map((key) => [key, secretMarker]))
                : secretMarker;
        }
        if (record[sigKey] === resourceSig) {
            return record.urn;
        }
        if (pulumi.Output.isInstance(value)) {
            return unknownMarker;
        }
        return Object.fromEntries(Object.entries(record).map(([key, item]) => [key, maskSecrets(item)]));
    }
    return value;
}

/** A Kubernetes object as the provider would send it to the API server. */
export interface Manifest {
    apiVersion: string;
    kind: string;
    metadata: { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
    [field: string]: unknown;
}

function isKubernetesObject(resource: RegisteredResource): boolean {
    return resource.custom && resource.type.startsWith("kubernetes:") && !resource.type.startsWith("pulumi:providers:");
}

export function manifestsOf(resources: RegisteredResource[]): Manifest[] {
    return resources.filter(isKubernetesObject).map((resource) => resource.inputs as unknown as Manifest);
}
