import * as pulumi from "@pulumi/pulumi";
import { ApprovalRule } from "@pulumi/pulumiservice/approvalRule";
import { DeploymentSettings } from "@pulumi/pulumiservice/deploymentSettings";
import { DriftSchedule } from "@pulumi/pulumiservice/driftSchedule";
import { Environment } from "@pulumi/pulumiservice/environment";
import { TtlSchedule } from "@pulumi/pulumiservice/ttlSchedule";
import { deploymentAccess, environmentDefinition, type StackAccess } from "./access";
import type { Approvers } from "./settings";

export interface StackDeploymentArgs {
    organization: string;
    project: string;
    /** GitHub OWNER/NAME. */
    repository: string;
    stack: string;
    /** Pushes to it deploy the stack; its pull requests are previewed. */
    branch: string;
    /** The paths whose change deploys the stack; a change elsewhere (docs/) deploys nothing. */
    paths: string[];
    executorImage: string;
    access: StackAccess;
    /** Absent: no drift detection. */
    driftDetection?: { schedule: string; remediate: boolean };
    /** Absent: changes to the stack's ESC environment need no approval. */
    approvers?: Approvers;
    /** Present: the stack is the template of pull requests' review stacks and does not deploy on push. */
    reviewTemplate?: { destroyAt: string };
}

/**
 * One appstack stack run by Pulumi Deployments: its deployment settings (source, triggers, the
 * Node.js toolchain and `npm ci`, cloud access), its ESC environment, and the schedules and
 * approvals its environment asks for.
 */
export class StackDeployment extends pulumi.ComponentResource {
    readonly settings: DeploymentSettings;
    readonly environment: Environment;
    /** The ESC environment's name as a stack file imports it: PROJECT/STACK. */
    readonly environmentName: string;

    constructor(name: string, args: StackDeploymentArgs, opts?: pulumi.ComponentResourceOptions) {
        super("appstack:deployments:StackDeployment", name, {}, opts);
        const stack = { organization: args.organization, project: args.project, stack: args.stack };
        const access = deploymentAccess(args.access);
        const template = args.reviewTemplate !== undefined;

        this.settings = new DeploymentSettings(
            `${name}-settings`,
            {
                ...stack,
                sourceContext: { git: { branch: `refs/heads/${args.branch}`, repoDir: "." } },
                github: {
                    repository: args.repository,
                    // A template stack only lends its settings to review stacks; it is not deployed itself.
                    deployCommits: !template,
                    previewPullRequests: !template,
                    pullRequestTemplate: template,
                    paths: args.paths,
                },
                executorContext: { executorImage: args.executorImage },
                operationContext: {
                    // The lock file decides the dependencies (`npm ci`), and the program runs compiled.
                    options: { skipInstallDependencies: true, skipIntermediateDeployments: true },
                    preRunCommands: [...access.preRunCommands, "npm ci --ignore-scripts --no-audit --no-fund", "npm run build"],
                    environmentVariables: { NPM_CONFIG_UPDATE_NOTIFIER: "false", ...access.environmentVariables },
                    ...(access.oidc ? { oidc: access.oidc } : {}),
                },
                cacheOptions: { enable: true },
            },
            { parent: this },
        );

        this.environmentName = `${args.project}/${args.stack}`;
        this.environment = new Environment(
            `${name}-environment`,
            {
                organization: args.organization,
                project: args.project,
                name: args.stack,
                yaml: environmentDefinition(args.access).apply((text) => new pulumi.asset.StringAsset(text)),
            },
            { parent: this },
        );

        // Schedules need the stack's deployment settings in place first.
        const afterSettings = { parent: this, dependsOn: [this.settings] };
        if (args.driftDetection) {
            new DriftSchedule(
                `${name}-drift`,
                { ...stack, scheduleCron: args.driftDetection.schedule, autoRemediate: args.driftDetection.remediate },
                afterSettings,
            );
        }
        if (args.reviewTemplate) {
            new TtlSchedule(`${name}-ttl`, { ...stack, timestamp: args.reviewTemplate.destroyAt, deleteAfterDestroy: false }, afterSettings);
        }
        if (args.approvers) {
            new ApprovalRule(
                `${name}-approval`,
                {
                    name: `${args.stack} environment changes`,
                    enabled: true,
                    environmentIdentifier: { organization: args.organization, project: args.project, name: args.stack },
                    targetActionTypes: ["update"],
                    approvalRuleConfig: {
                        numApprovalsRequired: args.approvers.required,
                        allowSelfApproval: args.approvers.allowSelfApproval,
                        // An approval is for the change approved, not for whatever the change becomes.
                        requireReapprovalOnChange: true,
                        eligibleApprovers: [...args.approvers.teams.map((teamName) => ({ teamName })), ...args.approvers.users.map((user) => ({ user }))],
                    },
                },
                { parent: this, dependsOn: [this.environment] },
            );
        }
        this.registerOutputs({ environmentName: this.environmentName });
    }
}
