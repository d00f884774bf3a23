import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as YAML from "yaml";
import { planDeployments, type Plan } from "../plan";
import { StackDeployment } from "../stackDeployment";
import { reveal, runUnderMocks, type Run } from "./harness";

// The cloud target kinds, in a repository whose stack files are the examples of each kind.
const examples = path.join(__dirname, "..", "..", "..", "examples");

function repositoryWith(stacks: Record<string, string>): string {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "appstack-repository-"));
    for (const [name, example] of Object.entries(stacks)) {
        fs.copyFileSync(path.join(examples, `Pulumi.${example}.yaml`), path.join(root, `Pulumi.${name}.yaml`));
    }
    return root;
}

const access = {
    aws: { roleArn: "arn:aws:iam::123456789012:role/appstack-deploy" },
    gcp: {
        projectNumber: "123456789012",
        workloadPoolId: "pulumi-cloud",
        providerId: "pulumi-cloud",
        serviceAccount: "appstack-deploy@acme-dev.iam.gserviceaccount.com",
    },
    azure: {
        clientId: "11111111-1111-1111-1111-111111111111",
        tenantId: "22222222-2222-2222-2222-222222222222",
        subscriptionId: "33333333-3333-3333-3333-333333333333",
    },
};

async function deploy(plan: Plan): Promise<Run> {
    return runUnderMocks(async () => {
        for (const stack of plan.stacks) {
            new StackDeployment(stack.entry.name, {
                organization: plan.settings.organization,
                project: plan.settings.project,
                repository: plan.settings.repository,
                stack: stack.entry.name,
                branch: stack.entry.branch,
                paths: [],
                executorImage: plan.settings.executorImage,
                access: stack.access,
                driftDetection: stack.driftDetection,
                approvers: stack.approvers,
                reviewTemplate: stack.reviewTemplate,
            });
        }
    });
}

async function definitionOf(run: Run, stack: string): Promise<any> {
    const environment = run.of("pulumiservice:index:Environment").find((resource) => resource.inputs.name === stack)!;
    return YAML.parse(await reveal(environment.inputs.yaml).text);
}

function contextOf(run: Run, stack: string): any {
    return reveal(run.of("pulumiservice:index:DeploymentSettings").find((resource) => resource.inputs.stack === stack)!.inputs.operationContext);
}

describe("OIDC per target kind", () => {
    const root = repositoryWith({ eks: "eks", gke: "gke", aks: "aks" });
    after(() => fs.rmSync(root, { recursive: true, force: true }));
    const base = { organization: "acme", repository: "acme/appstack" };
    let run: Run;
    before(async () => {
        const stacks = [
            { name: "eks", branch: "main", aws: access.aws },
            { name: "gke", branch: "main", gcp: access.gcp },
            { name: "aks", branch: "main", azure: access.azure },
        ];
        run = await deploy(planDeployments({ ...base, stacks }, () => false, root));
    });

    it("EKS: the deployment assumes the AWS role with its OIDC token, and so does the environment", async () => {
        assert.deepEqual(contextOf(run, "eks").oidc, { aws: { roleARN: access.aws.roleArn, sessionName: "appstack-eks", duration: "1h0m0s" } });
        const definition = await definitionOf(run, "eks");
        assert.deepEqual(definition.values.aws.login["fn::open::aws-login"].oidc.roleArn, access.aws.roleArn);
        assert.equal(definition.values.environmentVariables.AWS_SESSION_TOKEN, "${aws.login.sessionToken}");
    });

    it("GKE: the deployment acts as the service account through the workload identity pool", async () => {
        assert.deepEqual(contextOf(run, "gke").oidc, {
            gcp: {
                projectId: "123456789012",
                workloadPoolId: "pulumi-cloud",
                providerId: "pulumi-cloud",
                serviceAccount: access.gcp.serviceAccount,
                tokenLifetime: "1h0m0s",
            },
        });
        const login = (await definitionOf(run, "gke")).values.gcp.login["fn::open::gcp-login"];
        assert.equal(login.project, 123456789012);
        assert.equal(login.oidc.serviceAccount, access.gcp.serviceAccount);
    });

    it("AKS: the deployment logs in with the federated credential, kubelogin included", async () => {
        const context = contextOf(run, "aks");
        assert.deepEqual(context.oidc, { azure: access.azure });
        assert.equal(context.environmentVariables.AAD_LOGIN_METHOD, "workloadidentity");
        const values = (await definitionOf(run, "aks")).values;
        assert.equal(values.azure.login["fn::open::azure-login"].oidc, true);
        assert.equal(values.files.AZURE_FEDERATED_TOKEN_FILE, "${azure.login.oidc.token}");
    });

    it("no long-lived key anywhere: nothing but ids and the OIDC exchange", () => {
        const text = JSON.stringify(run.resources.map((resource) => reveal(resource.inputs)));
        assert.doesNotMatch(text, /secretAccessKey"\s*:\s*"[^$]|clientSecret|privateKey|AWS_SECRET_ACCESS_KEY":"[^$]/);
    });

    it("refuses a cloud stack without its access, or with another cloud's", () => {
        assert.throws(
            () =>
                planDeployments(
                    {
                        ...base,
                        stacks: [
                            { name: "eks", branch: "main" },
                            { name: "gke", branch: "main", gcp: access.gcp, aws: access.aws },
                        ],
                    },
                    () => false,
                    root,
                ),
            (error: Error) => {
                assert.match(error.message, /stacks\[0\]\.aws: got nothing; allowed: the aws access of a eks stack \(Pulumi\.eks\.yaml\)/);
                assert.match(error.message, /stacks\[1\]\.aws: got .*; allowed: nothing: Pulumi\.gke\.yaml's target\.kind is gke, which uses gcp alone/);
                return true;
            },
        );
    });

    it("refuses malformed access, each value by its path", () => {
        assert.throws(
            () =>
                planDeployments(
                    {
                        ...base,
                        stacks: [
                            { name: "eks", branch: "main", aws: { roleArn: "deploy" } },
                            { name: "aks", branch: "refs/heads/main", azure: { ...access.azure, tenantId: "x" } },
                        ],
                    },
                    () => false,
                    root,
                ),
            (error: Error) => {
                assert.match(error.message, /stacks\[0\]\.aws\.roleArn: got "deploy"; allowed: an IAM role ARN/);
                assert.match(error.message, /stacks\[1\]\.branch: got "refs\/heads\/main"; allowed: a branch name such as main, without refs\/heads\//);
                assert.match(error.message, /stacks\[1\]\.azure\.tenantId: got "x"; allowed: an id such as/);
                return true;
            },
        );
    });
});

describe("review stacks", () => {
    const root = repositoryWith({ pr: "eks", dev: "eks" });
    after(() => fs.rmSync(root, { recursive: true, force: true }));

    it("the template lends its settings to each pull request's review stack and is destroyed by its TTL, deploying nothing on push", async () => {
        const stacks = [
            { name: "dev", branch: "main", aws: access.aws },
            { name: "pr", branch: "main", aws: access.aws },
        ];
        const run = await deploy(
            planDeployments(
                { organization: "acme", repository: "acme/appstack", stacks, reviewStacks: { template: "pr", destroyAt: "2027-01-01T00:00:00Z" } },
                () => false,
                root,
            ),
        );
        const template = run.of("pulumiservice:index:DeploymentSettings").find((resource) => resource.inputs.stack === "pr")!.inputs;
        assert.deepEqual([template.github.pullRequestTemplate, template.github.deployCommits, template.github.previewPullRequests], [true, false, false]);
        const dev = run.of("pulumiservice:index:DeploymentSettings").find((resource) => resource.inputs.stack === "dev")!.inputs;
        assert.equal(dev.github.pullRequestTemplate, false);
        assert.deepEqual(
            run.of("pulumiservice:index:TtlSchedule").map((schedule) => [schedule.inputs.stack, schedule.inputs.timestamp]),
            [["pr", "2027-01-01T00:00:00Z"]],
        );
    });

    it("refuses a destroyAt that is not an ISO 8601 time in UTC", () => {
        assert.throws(
            () =>
                planDeployments(
                    {
                        organization: "acme",
                        repository: "acme/appstack",
                        stacks: [{ name: "pr", branch: "main", aws: access.aws }],
                        reviewStacks: { template: "pr", destroyAt: "next week" },
                    },
                    () => false,
                    root,
                ),
            /reviewStacks\.destroyAt: got "next week"; allowed: /,
        );
    });
});
