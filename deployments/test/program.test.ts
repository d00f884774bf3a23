import { strict as assert } from "node:assert";
import * as YAML from "yaml";
import programPaths from "../program-paths.json";
import { exampleSettings, exampleWithKubeconfigs, isSecret, reveal, runProgram, type Run } from "./harness";

const settingsType = "pulumiservice:index:DeploymentSettings";

function settingsOf(run: Run, stack: string): Record<string, any> {
    const found = run.of(settingsType).find((resource) => resource.inputs.stack === stack);
    assert.ok(found, `no deployment settings for ${stack}`);
    return found.inputs;
}

describe("the deployments program with the committed example", () => {
    let run: Run;
    before(async () => {
        const { settings, written } = exampleWithKubeconfigs();
        run = await runProgram(settings, written);
    });

    it("deploys each stack on a push to its own branch, and previews its pull requests", () => {
        for (const [stack, branch] of [
            ["dev", "main"],
            ["prod", "release"],
        ]) {
            const inputs = settingsOf(run, stack);
            assert.equal(inputs.organization, "acme");
            assert.equal(inputs.project, "appstack");
            assert.deepEqual(inputs.sourceContext, { git: { branch: `refs/heads/${branch}`, repoDir: "." } });
            assert.equal(inputs.github.repository, "acme/appstack");
            assert.equal(inputs.github.deployCommits, true);
            assert.equal(inputs.github.previewPullRequests, true);
            assert.equal(inputs.github.pullRequestTemplate, false);
        }
    });

    it("filters deploys to the program and the stack's own file, so a change to docs/ deploys nothing", () => {
        const paths: string[] = settingsOf(run, "dev").github.paths;
        assert.deepEqual(paths, [...programPaths.paths, "Pulumi.dev.yaml"]);
        assert.ok(!paths.includes("Pulumi.prod.yaml"));
        for (const untouched of ["docs/eks.md", "README.md", "examples/Pulumi.eks.yaml", "deployments/index.ts"]) {
            assert.ok(!paths.some((pattern) => pattern === untouched || (pattern.endsWith("/**") && untouched.startsWith(pattern.slice(0, -2)))), untouched);
        }
    });

    it("runs on Node.js 22 or newer, installs with npm ci from the lock file and compiles", () => {
        const inputs = settingsOf(run, "dev");
        const image: string = inputs.executorContext.executorImage;
        assert.match(image, /^pulumi\/pulumi-nodejs-(\d+):\d+\.\d+\.\d+$/);
        assert.ok(Number(/nodejs-(\d+)/.exec(image)![1]) >= 22);
        const context = reveal(inputs.operationContext);
        assert.equal(context.options.skipInstallDependencies, true);
        assert.deepEqual(context.preRunCommands.slice(-2), ["npm ci --ignore-scripts --no-audit --no-fund", "npm run build"]);
    });

    it("hands an existing cluster's kubeconfig over as a secret, written to the default kubeconfig path", () => {
        const inputs = settingsOf(run, "prod");
        assert.ok(isSecret(inputs.operationContext), "the operation context holds a secret");
        const context = reveal(inputs.operationContext);
        assert.match(context.environmentVariables.APPSTACK_KUBECONFIG, /current-context: prod-cluster/);
        assert.match(context.preRunCommands[0], /\$HOME\/\.kube\/config/);
        assert.equal(context.oidc, undefined);
        assert.ok(!JSON.stringify(run.of(settingsType).map((r) => r.inputs.github)).includes("current-context"));
    });

    it("gives each stack an ESC environment with its access, the kubeconfig encrypted", async () => {
        const environments = run.of("pulumiservice:index:Environment");
        assert.deepEqual(environments.map((env) => env.inputs.name).sort(), ["dev", "prod"]);
        const prod = environments.find((env) => env.inputs.name === "prod")!;
        assert.ok(isSecret(prod.inputs.yaml), "the definition is a secret");
        // An asset's text reaches the mocks as a promise.
        const definition = YAML.parse(await reveal(prod.inputs.yaml).text);
        assert.match(definition.values.kubeconfig["fn::secret"], /prod-cluster/);
        assert.equal(definition.values.files.KUBECONFIG, "${kubeconfig}");
        assert.deepEqual(run.outputs.environments, ["appstack/dev", "appstack/prod"]);
    });

    it("detects drift on prod every 6 hours without remediating, and not on dev", () => {
        const drift = run.of("pulumiservice:index:DriftSchedule");
        assert.deepEqual(
            drift.map((schedule) => [schedule.inputs.stack, schedule.inputs.scheduleCron, schedule.inputs.autoRemediate]),
            [["prod", "0 */6 * * *", false]],
        );
    });

    it("makes a change to prod's environment wait for an approval from the platform team, and asks again after an edit", () => {
        const rules = run.of("pulumiservice:index:ApprovalRule");
        assert.equal(rules.length, 1);
        const rule = rules[0].inputs;
        assert.deepEqual(rule.environmentIdentifier, { organization: "acme", project: "appstack", name: "prod" });
        assert.deepEqual(rule.targetActionTypes, ["update"]);
        assert.equal(rule.enabled, true);
        assert.deepEqual(rule.approvalRuleConfig, {
            numApprovalsRequired: 1,
            allowSelfApproval: false,
            requireReapprovalOnChange: true,
            eligibleApprovers: [{ teamName: "platform" }],
        });
    });

    it("applies the policy pack to every stack, blocking a mandatory violation", () => {
        const groups = run.of("pulumiservice:index:PolicyGroup");
        assert.equal(groups.length, 1);
        const group = groups[0].inputs;
        assert.equal(group.mode, "preventative");
        assert.deepEqual(group.policyPacks, [{ name: "appstack" }]);
        assert.deepEqual(group.stacks, [
            { name: "dev", routingProject: "appstack" },
            { name: "prod", routingProject: "appstack" },
        ]);
    });

    it("registers no review stack template or TTL schedule unless the settings ask for one", () => {
        assert.equal(run.of("pulumiservice:index:TtlSchedule").length, 0);
    });
});

describe("the deployments program with bad settings", () => {
    async function failure(settings: Record<string, unknown>, written?: Record<string, unknown>): Promise<{ message: string; registered: number }> {
        let run: Run | undefined;
        try {
            run = await runProgram(settings, written);
        } catch (error) {
            return { message: (error as Error).message, registered: 0 };
        }
        assert.fail(`expected an error; registered ${run.resources.map((r) => r.type).join(", ")}`);
    }

    it("lists every problem at once, each by its key path, before anything registers", async () => {
        const settings = exampleSettings();
        const { message } = await failure({ ...settings, stacks: [{ name: "qa", branch: "main" }, { name: "prod" }] });
        assert.match(message, /stacks\[1\]\.branch: got nothing; allowed: a branch name such as main/);
        const { message: missing } = await failure({ ...settings, stacks: [{ name: "qa", branch: "main" }] });
        assert.match(missing, /stacks\[0\]\.name: got "qa"; allowed: a stack of the repository, Pulumi\.NAME\.yaml at its top \(dev, local, prod\)/);
    });

    it("refuses an existing cluster's stack without a kubeconfig, naming the command that sets one", async () => {
        const { message } = await failure(exampleSettings());
        assert.match(
            message,
            /stacks\[0\]\.kubeconfig: got nothing; allowed: the cluster's kubeconfig as a secret \(`pulumi config set --secret --path 'stacks\[0\]\.kubeconfig' < kubeconfig`\)/,
        );
        assert.match(message, /stacks\[1\]\.kubeconfig: got nothing/);
    });

    it("refuses a kubeconfig written in plain text, without showing it", async () => {
        const { settings } = exampleWithKubeconfigs();
        const { message } = await failure(settings, settings);
        assert.match(message, /stacks\[0\]\.kubeconfig: got a plain-text value; allowed: a secret/);
        assert.ok(!message.includes("current-context"));
    });

    it("refuses the local stack, access its target does not use, a prod stack without approvers and unknown keys", async () => {
        const { settings, written } = exampleWithKubeconfigs();
        const aws = { roleArn: "arn:aws:iam::123456789012:role/deploy" };
        const stacks = [
            { ...settings.stacks[0], aws },
            { name: "prod", branch: "release", kubeconfig: "k" },
            { name: "local", branch: "main" },
        ];
        const writtenStacks = [
            { ...written.stacks[0], aws },
            { name: "prod", branch: "release", kubeconfig: { secure: "v1:x" } },
            { name: "local", branch: "main" },
        ];
        const { message } = await failure({ ...settings, stacks, extra: true }, { ...written, stacks: writtenStacks, extra: true });
        assert.match(message, /^ {2}extra: got "true"; allowed: one of the keys organization, /m);
        assert.match(message, /stacks\[0\]\.aws: got .*; allowed: nothing: Pulumi\.dev\.yaml's target\.kind is existing, which uses kubeconfig alone/);
        assert.match(message, /stacks\[1\]\.approvers: got nothing; allowed: the teams or users who approve changes to the environment of prod, a prod stack/);
        assert.match(message, /stacks\[2\]\.name: got "local"; allowed: a stack whose target\.kind is eks, gke, aks, existing: .*embedded control plane/);
    });

    it("refuses a review stack template that is not among the stacks, or is prod", async () => {
        const { settings, written } = exampleWithKubeconfigs();
        const reviewStacks = { template: "pr", destroyAt: "2027-01-01T00:00:00Z" };
        assert.match(
            (await failure({ ...settings, reviewStacks }, { ...written, reviewStacks })).message,
            /reviewStacks\.template: got "pr"; allowed: one of the stacks \(dev, prod\)/,
        );
        const prodTemplate = { ...reviewStacks, template: "prod" };
        assert.match(
            (await failure({ ...settings, reviewStacks: prodTemplate }, { ...written, reviewStacks: prodTemplate })).message,
            /reviewStacks\.template: got "prod"; allowed: a dev stack/,
        );
    });
});
