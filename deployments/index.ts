import * as pulumi from "@pulumi/pulumi";
import { PolicyGroup } from "@pulumi/pulumiservice/policyGroup";
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import programPaths from "./program-paths.json";
import { namespace, planDeployments, SettingsError, stackFileVariable, type Plan } from "./plan";
import { StackDeployment } from "./stackDeployment";

// Pulumi Deployments of appstack's stacks, as code: per stack its deployment settings and ESC
// environment (with drift detection, approvals and the review stack template where its settings
// ask), and one policy group that applies appstack's policy pack to every stack.
export = async () => {
    const plan = loadPlan();
    const { settings } = plan;
    const deployments = plan.stacks.map(
        (stack) =>
            new StackDeployment(stack.entry.name, {
                organization: settings.organization,
                project: settings.project,
                repository: settings.repository,
                stack: stack.entry.name,
                branch: stack.entry.branch,
                paths: [...programPaths.paths, `Pulumi.${stack.entry.name}.yaml`],
                executorImage: settings.executorImage,
                access: stack.access,
                driftDetection: stack.driftDetection,
                approvers: stack.approvers,
                reviewTemplate: stack.reviewTemplate,
            }),
    );
    new PolicyGroup("policy", {
        name: `${settings.project}-stacks`,
        organizationName: settings.organization,
        entityType: "stacks",
        mode: settings.policyPack.mode,
        policyPacks: [{ name: settings.policyPack.name, ...(settings.policyPack.version ? { versionTag: settings.policyPack.version } : {}) }],
        stacks: plan.stacks.map((stack) => ({ name: stack.entry.name, routingProject: settings.project })),
    });
    return {
        stacks: plan.stacks.map((stack) => stack.entry.name),
        environments: deployments.map((deployment) => deployment.environmentName),
    };
};

/** The settings of the stack being run, checked against the repository, or a clear error. */
function loadPlan(): Plan {
    const prefix = `${namespace}:`;
    const values = Object.fromEntries(
        Object.entries(pulumi.runtime.allConfig())
            .filter(([key]) => key.startsWith(prefix))
            .map(([key, text]) => [key.slice(prefix.length), /^\s*[[{]/.test(text) ? JSON.parse(text) : text]),
    );
    const written = writtenConfig();
    try {
        return planDeployments(values, (at) => isEncrypted(written[`${prefix}${at[0]}`], at.slice(1)));
    } catch (error) {
        // The message lists every problem; a stack trace would only bury it.
        throw error instanceof SettingsError ? new pulumi.RunError(error.message) : error;
    }
}

/** The `config:` map of this stack's file as written there (`secure:` values and all). */
function writtenConfig(): Record<string, unknown> {
    const file = process.env[stackFileVariable] ?? path.join(__dirname, "..", `Pulumi.${pulumi.getStack()}.yaml`);
    return fs.existsSync(file) ? ((YAML.parse(fs.readFileSync(file, "utf8")) ?? {}).config ?? {}) : {};
}

/** Whether the value at `at` under `node` is encrypted: itself or a value that holds it. */
function isEncrypted(node: unknown, at: (string | number)[]): boolean {
    const secure = (value: unknown) =>
        value !== null && typeof value === "object" && Object.keys(value).length === 1 && typeof (value as { secure?: unknown }).secure === "string";
    for (const key of at) {
        if (secure(node)) return true;
        node = node !== null && typeof node === "object" ? (node as Record<string | number, unknown>)[key] : undefined;
    }
    return secure(node);
}
