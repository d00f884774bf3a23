import * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as YAML from "yaml";
import { readYamlFile, stackFileVariable } from "../stacks/stack-file";
import { autoNameSuffix } from "./replacements";

// Evaluates the real program offline: Pulumi's mock monitor stands in for the engine, so the
// program registers its resources exactly as under `pulumi up`, with no CLI, no credentials and
// no cluster. Shared by `npm run render` and the tests.

export const projectName = "appstack";
export const projectRoot = path.resolve(__dirname, "..", "..");

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
    inputs: Record<string, unknown>;
}

export interface Evaluation {
    resources: RegisteredResource[];
    outputs: Record<string, unknown>;
}

export interface StackSettings {
    /** Config values as the engine hands them to a program: `namespace:key` to text. */
    config: Record<string, string>;
    /** Top-level keys with a secret anywhere in their value, as the engine marks them. */
    secretKeys: string[];
    /** The `config:` map as written in the stack file, which the program reads for per-value secrecy. */
    written: Record<string, unknown>;
    /** The stack's outputs from its last deployment, as the stack reads them back; absent: never deployed. */
    lastOutputs?: Record<string, unknown>;
}

/** Where the example stacks live: a stack file per target kind and data mode, each one rendered. */
export const examplesDirectory = "examples";

/** Pulumi.<stack>.yaml at the project's top, or else among the examples. */
export function stackFile(stack: string, root = projectRoot): string {
    const candidates = [path.join(root, `Pulumi.${stack}.yaml`), path.join(root, examplesDirectory, `Pulumi.${stack}.yaml`)];
    const found = candidates.find((file) => fs.existsSync(file));
    if (!found) {
        const known = [...listStacks(root), ...listExampleStacks(root)];
        throw new Error(`No stack file Pulumi.${stack}.yaml: the stacks are ${known.join(", ") || "none"}`);
    }
    return found;
}

/** The `config:` map of a stack file, as written there (namespaced keys, `secure:` values). */
export function readStackConfigValues(stack: string, root = projectRoot): Record<string, unknown> {
    return readConfigFile(stackFile(stack, root));
}

/** The `config:` map of any stack file, as `pulumi --config-file FILE` reads it. */
export function readConfigFile(file: string): Record<string, unknown> {
    if (!fs.existsSync(file)) {
        throw new Error(`No config file ${file}`);
    }
    const document = (readYamlFile(file) ?? {}) as { config?: Record<string, unknown> };
    return document.config ?? {};
}

/**
 * Reads a stack file as the engine would pass it on. Encrypted `secure:` values cannot be
 * decrypted offline: they become placeholders, still marked secret.
 */
export function readStackSettings(stack: string, root = projectRoot): StackSettings {
    return stackSettingsFromValues(readStackConfigValues(stack, root));
}

/** The committed stacks: Pulumi.<stack>.yaml at the project's top. */
export function listStacks(root = projectRoot): string[] {
    return stacksIn(root);
}

/** The example stacks under examples/. */
export function listExampleStacks(root = projectRoot): string[] {
    const dir = path.join(root, examplesDirectory);
    return fs.existsSync(dir) ? stacksIn(dir) : [];
}

function stacksIn(dir: string): string[] {
    return fs
        .readdirSync(dir)
        .map((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1])
        .filter((stack): stack is string => stack !== undefined)
        .sort();
}

/** Config values as written in a stack file (structured, `secure:` for secrets) to engine form. */
export function stackSettingsFromValues(values: Record<string, unknown>): StackSettings {
    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [key, value] of Object.entries(values)) {
        let secret = false;
        const decrypted = replaceSecure(value, key, () => (secret = true));
        config[key] = typeof decrypted === "string" ? decrypted : JSON.stringify(decrypted);
        if (secret) {
            secretKeys.push(key);
        }
    }
    return { config, secretKeys, written: values };
}

function replaceSecure(value: unknown, keyPath: string, markSecret: () => void): unknown {
    if (Array.isArray(value)) {
        return value.map((item, index) => replaceSecure(item, `${keyPath}[${index}]`, markSecret));
    }
    if (value !== null && typeof value === "object") {
        const entries = Object.entries(value);
        if (entries.length === 1 && entries[0][0] === "secure") {
            markSecret();
            return `[secure ${keyPath}]`;
        }
        return Object.fromEntries(entries.map(([key, item]) => [key, replaceSecure(item, `${keyPath}.${key}`, markSecret)]));
    }
    return value;
}

/**
 * Runs the program once under mocks with the given stack settings. `registered` receives every
 * registration as it happens, so that a caller can see what a failed run registered.
 */
export async function evaluateProgram(stack: string, settings: StackSettings, registered: RegisteredResource[] = [], observe?: Observer): Promise<Evaluation> {
    const program = require(path.join(projectRoot, "bin", "index.js")) as () => Promise<Record<string, unknown>>;
    return evaluate(stack, settings, program, registered, observe);
}

/**
 * Sees each resource as the engine would receive it, secrets in clear: for tests that hand the
 * program's real values to real servers. Renders never use it.
 */
export type Observer = (resource: { type: string; name: string; inputs: Record<string, any> }) => void;

/** Runs any program function under mocks, as `evaluateProgram` runs the real one. */
export async function evaluate(
    stack: string,
    settings: StackSettings,
    program: () => Promise<Record<string, unknown> | void>,
    registered: RegisteredResource[] = [],
    observe?: Observer,
): Promise<Evaluation> {
    pulumi.runtime.setAllConfig(settings.config, settings.secretKeys);
    // The program reads the stack file as written from where the engine would have it; here that
    // is a copy of the settings' stack file, named as `pulumi up --config-file` users name theirs.
    const stackDir = fs.mkdtempSync(path.join(os.tmpdir(), "appstack-stack-"));
    const file = path.join(stackDir, `Pulumi.${stack}.yaml`);
    fs.writeFileSync(file, YAML.stringify({ config: settings.written }));
    const previous = process.env[stackFileVariable];
    process.env[stackFileVariable] = file;
    try {
        return await evaluateWithConfig(stack, program, registered, settings.lastOutputs ?? {}, observe);
    } finally {
        restoreVariable(stackFileVariable, previous);
        fs.rmSync(stackDir, { recursive: true, force: true });
    }
}

function restoreVariable(name: string, value: string | undefined): void {
    if (value === undefined) {
        delete process.env[name];
    } else {
        process.env[name] = value;
    }
}

const stackReferenceType = "pulumi:pulumi:StackReference";

/**
 * What the invokes the targets make answer offline, by token: plausible values of the shape the
 * cloud returns. An invoke not listed here answers with its own inputs.
 */
const invokeResults: Record<string, (inputs: Record<string, any>) => Record<string, unknown>> = {
    "aws:ecr/getAuthorizationToken:getAuthorizationToken": (inputs) => ({
        id: inputs.registryId ?? "123456789012",
        registryId: inputs.registryId,
        proxyEndpoint: `https://${inputs.registryId ?? "123456789012"}.dkr.ecr.eu-west-1.amazonaws.com`,
        userName: "AWS",
        password: "offline-ecr-token",
        authorizationToken: Buffer.from("AWS:offline-ecr-token").toString("base64"),
        expiresAt: "2030-01-01T00:00:00Z",
    }),
    "gcp:organizations/getProject:getProject": (inputs) => ({ id: `projects/${inputs.projectId}`, projectId: inputs.projectId, number: "123456789012", name: inputs.projectId }),
    "gcp:organizations/getClientConfig:getClientConfig": () => ({ id: "offline", accessToken: "offline-access-token", project: "offline-project", region: "", zone: "" }),
    "azure-native:authorization:getClientConfig": () => ({ clientId: azureIds.client, objectId: azureIds.object, subscriptionId: azureIds.subscription, tenantId: azureIds.tenant }),
    "azure-native:containerservice:listManagedClusterUserCredentials": (inputs) => ({
        kubeconfigs: [
            {
                name: "clusterUser",
                value: Buffer.from(
                    YAML.stringify({
                        apiVersion: "v1",
                        kind: "Config",
                        clusters: [{ name: inputs.resourceName, cluster: { server: `https://${inputs.resourceName}.hcp.westeurope.azmk8s.io:443`, "certificate-authority-data": Buffer.from("offline certificate authority").toString("base64") } }],
                        users: [{ name: "clusterUser", user: { exec: { command: "kubelogin", args: ["get-token", "--login", "devicecode"] } } }],
                    }),
                ).toString("base64"),
            },
        ],
    }),
    "azure-native:redis:listRedisKeys": () => ({ primaryKey: "offline-redis-key", secondaryKey: "offline-redis-key-2" }),
};

async function evaluateWithConfig(stack: string, program: () => Promise<Record<string, unknown> | void>, registered: RegisteredResource[], lastOutputs: Record<string, unknown>, observe?: Observer): Promise<Evaluation> {
    await pulumi.runtime.setMocks(
        {
            newResource: (args) => {
                if (args.type === stackReferenceType) {
                    return { id: args.id, state: { name: args.inputs.name, outputs: lastOutputs, secretOutputNames: [] } };
                }
                observe?.({ type: args.type, name: args.name, inputs: revealSecrets(args.inputs) as Record<string, any> });
                return { id: args.custom ? `${args.name}-id` : undefined, state: { ...withGeneratedValues(args.type, withAutoName(args.type, args.name, args.inputs)), ...cloudOutputs(args.type, args.name, args.inputs), ...providerOutputs(args.type, args.inputs) } };
            },
            call: (args) => invokeResults[args.token]?.(args.inputs) ?? args.inputs,
        },
        projectName,
        stack,
        false,
        // The organization a backend of files (as `pulumi login --local` makes) names every stack's.
        "organization",
    );
    const resources = recordRegistrations(registered);
    // A value that fails to compute (an apply that throws) leaves its resource unregistered, and
    // the runtime says so only through a rejected promise nobody awaits: the engine would fail
    // the update, so the evaluation fails too.
    const failures: unknown[] = [];
    const recordFailure = (reason: unknown) => failures.push(reason);
    process.on("unhandledRejection", recordFailure);
    try {
        const outputs = (await pulumi.runtime.runInPulumiStack(program)) ?? {};
        await settled();
        await new Promise((resolve) => setImmediate(resolve));
        if (failures.length > 0) {
            throw failures[0];
        }
        return { resources, outputs: maskSecrets(outputs) as Record<string, unknown> };
    } finally {
        process.off("unhandledRejection", recordFailure);
    }
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
    getObject(): { toJavaScript(): Record<string, unknown> } | undefined;
}

type Callback = (err: unknown, response: { getUrn(): string; getObject(): { toJavaScript(): { metadata?: { name?: string } } } | undefined } | undefined) => void;

/** Wraps the mock monitor so that every registration is kept, with its parent and provider. */
function recordRegistrations(resources: RegisteredResource[]): RegisteredResource[] {    const monitor = pulumi.runtime.getMonitor() as unknown as { registerResource(req: RegisterRequest, callback: Callback): Promise<void> };
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
                    inputs: maskSecrets(withAutoName(req.getType(), req.getName(), req.getObject()?.toJavaScript() ?? {}, response.getObject()?.toJavaScript().metadata?.name)) as Record<string, unknown>,
                });
            }
            callback(err, response);
        });
    return resources;
}

/** Waits until the program has no registration in flight. */
async function settled(): Promise<void> {
    // `waitForRPCs` is the runtime's own barrier; it is exported but not declared.
    const runtime = pulumi.runtime as unknown as { waitForRPCs?: () => Promise<void> };
    await runtime.waitForRPCs?.();
}

/**
 * A Kubernetes object registered without a name gets one from the provider: the resource's name
 * and a random suffix, new on every replacement. Here the suffix is derived from what replaces
 * the object, so renders are stable and a replaced object has a new name; a registration keeps
 * the name the mock gave the program (`given`).
 */
function withAutoName(type: string, name: string, inputs: Record<string, any>, given?: string): Record<string, any> {
    const autoNamed = type.startsWith("kubernetes:") && typeof inputs.metadata === "object" && inputs.metadata !== null && inputs.metadata.name === undefined;
    if (!autoNamed) {
        return inputs;
    }
    return { ...inputs, metadata: { ...inputs.metadata, name: given ?? `${name}-${autoNameSuffix(name, maskSecrets(inputs) as Record<string, unknown>)}` } };
}

/**
 * A generated password gets a stand-in, so that what is built from it (a URL, a Secret's key) is
 * rendered; it is a secret wherever it is used, so the stand-in shows nowhere.
 */
function withGeneratedValues(type: string, state: Record<string, any>): Record<string, any> {
    return type === "random:index/randomPassword:RandomPassword" ? { ...state, result: "generated-password" } : state;
}

const awsAccount = "123456789012";
const offlineCertificate = "-----BEGIN CERTIFICATE-----\nb2ZmbGluZSBjZXJ0aWZpY2F0ZSBhdXRob3JpdHk=\n-----END CERTIFICATE-----";

/**
 * What a cloud computes when it creates a resource, where the program reads it (an ARN, a URL,
 * an endpoint): plausible values of the real shape, derived from the resource's name. Any AWS
 * resource gets an ARN and, when its inputs name none, the name the provider would make up.
 */
function cloudOutputs(type: string, name: string, inputs: Record<string, any>): Record<string, unknown> {
    if (type.startsWith("gcp:")) {
        return gcpOutputs(type, name, inputs);
    }
    if (type.startsWith("azure-native:")) {
        return azureOutputs(type, name, inputs);
    }
    if (!type.startsWith("aws:")) {
        return {};
    }
    const service = type.split(":")[1].split("/")[0];
    const resourceName = inputs.name ?? `${name}-0a1b2c3`;
    const common = { arn: `arn:aws:${service}:eu-west-1:${awsAccount}:${resourceName}`, name: resourceName };
    switch (type) {
        case "aws:ecr/repository:Repository":
            return { ...common, registryId: awsAccount, repositoryUrl: `${awsAccount}.dkr.ecr.eu-west-1.amazonaws.com/${resourceName}` };
        case "aws:eks/cluster:Cluster":
            return {
                ...common,
                endpoint: `https://${createHash("sha256").update(name).digest("hex").slice(0, 32).toUpperCase()}.gr7.eu-west-1.eks.amazonaws.com`,
                certificateAuthority: { data: Buffer.from("offline certificate authority").toString("base64") },
                vpcConfig: { ...inputs.vpcConfig, clusterSecurityGroupId: `sg-${createHash("sha256").update(name).digest("hex").slice(0, 17)}` },
            };
        case "aws:ec2/launchTemplate:LaunchTemplate":
            return { ...common, latestVersion: 1 };
        default:
            return common;
    }
}

const azureIds = { subscription: "00000000-0000-0000-0000-000000000001", tenant: "00000000-0000-0000-0000-000000000002", client: "00000000-0000-0000-0000-000000000003", object: "00000000-0000-0000-0000-000000000004" };

function azureOutputs(type: string, name: string, inputs: Record<string, any>): Record<string, unknown> {
    const resourceName = `${name}0a1b2c3`.replace(/[^A-Za-z0-9-]/g, "");
    const group = typeof inputs.resourceGroupName === "string" ? inputs.resourceGroupName : `${name}-rg`;
    const id = `/subscriptions/${azureIds.subscription}/resourceGroups/${group}/providers/${type.split(":")[1]}/${resourceName}`;
    const identity = createHash("sha256").update(name).digest("hex");
    const guid = `${identity.slice(0, 8)}-${identity.slice(8, 12)}-${identity.slice(12, 16)}-${identity.slice(16, 20)}-${identity.slice(20, 32)}`;
    const common = { id, name: resourceName };
    switch (type) {
        case "azure-native:containerservice:ManagedCluster":
            return {
                ...common,
                fqdn: `${resourceName}.hcp.westeurope.azmk8s.io`,
                oidcIssuerProfile: { enabled: true, issuerURL: `https://westeurope.oic.prod-aks.azure.com/${azureIds.tenant}/${guid}/` },
                identityProfile: { kubeletidentity: { objectId: guid, clientId: guid, resourceId: `${id}-agentpool` } },
            };
        case "azure-native:managedidentity:UserAssignedIdentity":
            return { ...common, principalId: guid, clientId: guid, tenantId: azureIds.tenant };
        case "azure-native:keyvault:Key":
            return { ...common, keyUri: `https://${resourceName}.vault.azure.net/keys/${resourceName}`, keyUriWithVersion: `https://${resourceName}.vault.azure.net/keys/${resourceName}/0a1b2c3d` };
        case "azure-native:containerregistry:Registry":
            return { ...common, loginServer: `${inputs.registryName}.azurecr.io` };
        case "azure-native:dbforpostgresql:Server":
            return { ...common, fullyQualifiedDomainName: `${resourceName}.postgres.database.azure.com` };
        case "azure-native:redis:Redis":
            return { ...common, hostName: `${resourceName}.redis.cache.windows.net`, sslPort: 6380 };
        case "azure-native:storage:StorageAccount":
            return { ...common, primaryEndpoints: { blob: `https://${resourceName.toLowerCase()}.blob.core.windows.net/` } };
        default:
            return common;
    }
}

function gcpOutputs(type: string, name: string, inputs: Record<string, any>): Record<string, unknown> {
    const resourceName = inputs.name ?? `${name}-0a1b2c3`;
    const project = inputs.project ?? "offline-project";
    const common = { name: resourceName, selfLink: `https://www.googleapis.com/compute/v1/projects/${project}/global/${resourceName}` };
    switch (type) {
        case "gcp:serviceaccount/account:Account": {
            const email = `${inputs.accountId}@${project}.iam.gserviceaccount.com`;
            return { email, name: `projects/${project}/serviceAccounts/${email}`, member: `serviceAccount:${email}` };
        }
        case "gcp:container/cluster:Cluster":
            return { ...common, endpoint: "203.0.113.10", masterAuth: { clusterCaCertificate: Buffer.from("offline certificate authority").toString("base64") } };
        case "gcp:sql/databaseInstance:DatabaseInstance":
            return { ...common, privateIpAddress: "10.100.0.3", connectionName: `${project}:europe-west1:${resourceName}`, serverCaCerts: [{ cert: offlineCertificate }] };
        case "gcp:redis/instance:Instance":
            return { ...common, host: "10.100.1.4", port: 6378, serverCaCerts: [{ cert: offlineCertificate }] };
        case "gcp:artifactregistry/repository:Repository":
            return { name: inputs.repositoryId, repositoryId: inputs.repositoryId };
        default:
            return common;
    }
}

/** The values of secrets in place of their wrappers. */
function revealSecrets(value: unknown): unknown {
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

/**
 * What a provider returns beyond the inputs, where the program reads it: a pushed image's digest
 * (and the `ref` the provider forms from its first tag), derived from the build's inputs so that
 * a changed build reads as a new image. Credentials stay out of it.
 */
function providerOutputs(type: string, inputs: Record<string, any>): Record<string, unknown> {
    if (type !== "docker-build:index:Image") {
        return {};
    }
    const { registries: _credentials, ...build } = inputs;
    const digest = `sha256:${createHash("sha256").update(JSON.stringify(build)).digest("hex")}`;
    const tag = Array.isArray(inputs.tags) && typeof inputs.tags[0] === "string" ? inputs.tags[0] : "";
    return { digest, ref: `${tag}@${digest}`, contextHash: createHash("sha256").update(JSON.stringify(inputs.context ?? {})).digest("hex") };
}

/** Replaces secrets by a marker, resource references by their URN, unknowns by a marker. */
function maskSecrets(value: unknown): unknown {
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
            return secret !== null && typeof secret === "object" && !Array.isArray(secret) ? Object.fromEntries(Object.keys(secret).map((key) => [key, secretMarker])) : secretMarker;
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
