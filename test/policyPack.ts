import type {
    EnforcementLevel,
    PolicyPackConfig,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationPolicy,
    StackValidationPolicy,
} from "@pulumi/policy";
import * as fs from "node:fs";
import * as path from "node:path";
import { policies } from "../policy/pack";
import { projectRoot, readStackConfigValues, type RegisteredResource } from "../scripts/offline";

// Runs the policy pack over registered resources the way the engine does, without the CLI: each
// resource policy on every resource, each stack policy once over all of them, with each policy's
// level and config taken from a policy pack config as `--policy-pack-config` passes it.

export interface Violation {
    policy: string;
    level: EnforcementLevel;
    message: string;
    urn?: string;
}

const noOptions: PolicyResourceOptions = {
    protect: false,
    ignoreChanges: [],
    aliases: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: [],
};

/** The policy config of a stack: policy/config/<environment>.json where it exists. */
export function stackPolicyConfig(stack: string): PolicyPackConfig {
    const environment = readStackConfigValues(stack)["appstack:environment"];
    const file = path.join(projectRoot, "policy", "config", `${environment}.json`);
    return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as PolicyPackConfig) : {};
}

function levelAndConfig(policy: ResourceValidationPolicy | StackValidationPolicy, config: PolicyPackConfig): { level: EnforcementLevel; options: object } {
    const entry = config[policy.name];
    if (typeof entry === "string") {
        return { level: entry, options: {} };
    }
    const { enforcementLevel, ...options } = entry ?? {};
    return { level: enforcementLevel ?? policy.enforcementLevel ?? "advisory", options };
}

/** Policy resources as the engine builds them: options, parents and dependencies resolved. */
export function policyResources(registered: RegisteredResource[]): PolicyResource[] {
    const byUrn = new Map<string, PolicyResource>();
    const resources = registered.map((resource) => {
        const policyResource: PolicyResource = {
            type: resource.type,
            props: resource.inputs,
            urn: resource.urn,
            name: resource.name,
            opts: { ...noOptions, protect: resource.protect, parent: resource.parent || undefined },
            dependencies: [],
            propertyDependencies: {},
            isType: () => false,
            asType: () => undefined,
        };
        byUrn.set(resource.urn, policyResource);
        return policyResource;
    });
    registered.forEach((resource, index) => {
        resources[index].parent = byUrn.get(resource.parent);
        resources[index].dependencies = resource.dependencies.flatMap((urn) => byUrn.get(urn) ?? []);
    });
    return resources;
}

export async function runPack(resources: PolicyResource[], config: PolicyPackConfig = {}): Promise<Violation[]> {
    const violations: Violation[] = [];
    for (const policy of policies) {
        const { level, options } = levelAndConfig(policy, config);
        if (level === "disabled") {
            continue;
        }
        const reporter = (urn?: string) => (message: string, reportedUrn?: string) =>
            violations.push({ policy: policy.name, level, message, urn: reportedUrn ?? urn });
        const common = {
            stackTags: new Map<string, string>(),
            getConfig: <T>() => options as T,
            notApplicable: (): never => {
                throw new Error("not applicable");
            },
        };
        if ("validateStack" in policy) {
            await policy.validateStack({ resources, ...common }, reporter());
            continue;
        }
        const validations = [policy.validateResource ?? []].flat();
        for (const resource of resources) {
            for (const validate of validations) {
                const { type, props, urn, name, opts, isType } = resource;
                await validate({ type, props, urn, name, opts, isType, asType: () => undefined, ...common }, reporter(urn));
            }
        }
    }
    return violations;
}
