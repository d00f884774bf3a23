import { z } from "zod";

// The settings of this program: one typed list of appstack's stacks with the branch each deploys
// from and the cloud access its target needs, plus what applies to all of them. They are read
// from this program's own stack file (Pulumi.<stack>.yaml beside this file).

const stackName = z.string({ error: "a stack name such as dev" }).regex(/^[A-Za-z0-9_.-]+$/, "a stack name: letters, digits, '-', '_' and '.'");
const branch = z
    .string({ error: "a branch name such as main" })
    .regex(/^(?!refs\/)(?!\/)(?!.*\/\/)(?!.*\.\.)[^\s~^:?*[\\]+(?<![/.])$/, "a branch name such as main, without refs/heads/")
    .describe("the branch a push to which deploys the stack, and whose pull requests it previews");
const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, "an id such as 00000000-0000-0000-0000-000000000000");
const cron = z.string().regex(/^\S+(\s+\S+){4}$/, "a cron expression of five fields such as 0 */6 * * *");
const duration = z
    .string()
    .regex(/^(\d+h)?(\d+m)?(\d+s)?$/, "a duration such as 1h0m0s")
    .refine((text) => text !== "", "a duration such as 1h0m0s");
const identifier = (example: string) => z.string().regex(/^[a-z0-9][a-z0-9-]{2,62}$/, `an id such as ${example}`);

/** Assumes an IAM role with the run's OIDC token (EKS stacks). */
const aws = z.strictObject({
    roleArn: z
        .string()
        .regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/, "an IAM role ARN such as arn:aws:iam::123456789012:role/appstack-deploy")
        .describe("the role the deployment assumes; its trust policy admits Pulumi Cloud's OIDC issuer"),
    sessionName: z
        .string()
        .regex(/^[\w+=,.@-]{2,64}$/, "2 to 64 letters, digits or +=,.@_-")
        .optional()
        .describe("the assume-role session's name (default: appstack-STACK)"),
    duration: duration.default("1h0m0s").describe("how long the credentials last"),
});

/** Impersonates a service account through workload identity federation (GKE stacks). */
const gcp = z.strictObject({
    projectNumber: z
        .string()
        .regex(/^\d{6,20}$/, "the project's number such as 123456789012 (not its id)")
        .describe("number of the project that holds the workload identity pool"),
    workloadPoolId: identifier("pulumi-cloud").describe("the workload identity pool"),
    providerId: identifier("pulumi-cloud").describe("the pool's OIDC provider for Pulumi Cloud"),
    serviceAccount: z
        .string()
        .regex(
            /^[a-z][a-z0-9-]{4,28}[a-z0-9]@[a-z][-a-z0-9]{4,28}[a-z0-9]\.iam\.gserviceaccount\.com$/,
            "a service account email such as deploy@acme-prod.iam.gserviceaccount.com",
        )
        .describe("the service account the deployment acts as"),
    tokenLifetime: duration.default("1h0m0s").describe("how long the access token lasts"),
});

/** Logs in as an app registration or managed identity with a federated credential (AKS stacks). */
const azure = z.strictObject({
    clientId: uuid.describe("client id of the app registration or user-assigned identity with the federated credential"),
    tenantId: uuid.describe("the Entra ID tenant"),
    subscriptionId: uuid.describe("the subscription the stack deploys into"),
});

const approvers = z
    .strictObject({
        teams: z.array(z.string().min(1)).default([]).describe("Pulumi Cloud teams whose members may approve"),
        users: z.array(z.string().min(1)).default([]).describe("Pulumi Cloud users who may approve"),
        required: z.int().min(1).default(1).describe("approvals a change needs"),
        allowSelfApproval: z.boolean().default(false).describe("whether the author of a change may approve it"),
    })
    .refine((value) => value.teams.length + value.users.length > 0, { message: "at least one team or user", path: ["teams"] });

const stack = z.strictObject({
    name: stackName.describe("an appstack stack: Pulumi.NAME.yaml at the top of the repository"),
    branch,
    aws: aws.optional().describe("AWS access, for a stack whose target.kind is eks"),
    gcp: gcp.optional().describe("Google Cloud access, for a stack whose target.kind is gke"),
    azure: azure.optional().describe("Azure access, for a stack whose target.kind is aks"),
    kubeconfig: z
        .string()
        .min(1)
        .optional()
        .describe("kubeconfig (a secret) for a stack whose target.kind is existing and whose stack file names a context rather than holding target.kubeconfig"),
    driftDetection: z
        .strictObject({
            schedule: cron.default("0 */6 * * *").describe("when drift detection runs (UTC)"),
            remediate: z.boolean().default(false).describe("whether a drift found is put right by `pulumi up` at once"),
        })
        .optional()
        .describe("drift detection (default: on for a stack whose environment is prod, every 6 hours, not remediated)"),
    approvers: approvers.optional().describe("who approves changes to the stack's ESC environment (required for a prod stack)"),
});

export const settingsSchema = z
    .strictObject({
        organization: z
            .string({ error: "a Pulumi Cloud organization name" })
            .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, "a Pulumi Cloud organization name")
            .describe("the Pulumi Cloud organization of the stacks"),
        repository: z
            .string({ error: "a GitHub repository as OWNER/NAME" })
            .regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, "a GitHub repository as OWNER/NAME")
            .describe("the GitHub repository of appstack"),
        project: z
            .string()
            .regex(/^[A-Za-z0-9_.-]+$/, "a project name")
            .default("appstack")
            .describe("the Pulumi project of the stacks (Pulumi.yaml at the repository's top)"),
        executorImage: z
            .string()
            .regex(/^[\w./-]+:(?!latest$)[\w.-]+$|^[\w./-]+@sha256:[0-9a-f]{64}$/, "an image pinned by tag or digest, never latest")
            .default("pulumi/pulumi-nodejs-22:3.270.0")
            .describe("the image deployments run in: the Pulumi CLI with Node.js 22 or newer, which appstack needs"),
        policyPack: z
            .strictObject({
                name: z.string().min(1).default("appstack").describe("the pack as published (`pulumi policy publish policy`)"),
                version: z.string().min(1).optional().describe("the published version to apply (default: the latest)"),
                mode: z
                    .enum(["audit", "preventative"])
                    .default("preventative")
                    .describe(`"preventative" blocks a deployment that violates a mandatory policy; "audit" reports only`),
            })
            .default({ name: "appstack", mode: "preventative" })
            .describe("the policy pack that the policy group applies to every stack"),
        stacks: z
            .array(stack, { error: "a list of stacks, each with its name and branch" })
            .min(1, "at least one stack")
            .superRefine((list, ctx) => {
                list.forEach((entry, index) => {
                    if (list.findIndex((other) => other.name === entry.name) !== index) {
                        ctx.addIssue({ code: "custom", path: [index, "name"], input: entry.name, message: "each stack once" });
                    }
                });
            })
            .describe("appstack's stacks that Pulumi Deployments runs"),
        reviewStacks: z
            .strictObject({
                template: stackName.describe("the stack (one of `stacks`) whose settings and config each pull request's review stack copies"),
                destroyAt: z.iso
                    .datetime({ offset: false })
                    .describe(
                        "when the template stack's own resources are destroyed (ISO 8601, UTC): it holds config, and whatever was deployed from it is torn down then",
                    ),
            })
            .optional()
            .describe("review stacks: a stack per pull request against the template's branch, destroyed when the pull request closes"),
    })
    .superRefine((value, ctx) => {
        if (value.reviewStacks && !value.stacks.some((entry) => entry.name === value.reviewStacks!.template)) {
            ctx.addIssue({
                code: "custom",
                path: ["reviewStacks", "template"],
                input: value.reviewStacks.template,
                message: `one of the stacks (${value.stacks.map((entry) => entry.name).join(", ")})`,
            });
        }
    });

export type Settings = z.output<typeof settingsSchema>;
export type StackEntry = Settings["stacks"][number];
export type AwsAccess = z.output<typeof aws>;
export type GcpAccess = z.output<typeof gcp>;
export type AzureAccess = z.output<typeof azure>;
export type Approvers = z.output<typeof approvers>;

/** The keys of the settings, as written under this program's namespace in its stack file. */
export const settingsKeys = Object.keys(settingsSchema.shape) as (keyof typeof settingsSchema.shape)[];
