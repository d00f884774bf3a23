import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { projectRoot } from "../scripts/offline";

// What the workflows promise, checked where actionlint (npm run lint:workflows) cannot: it
// checks that they are valid, these that they do what docs/delivery.md says.

const directory = path.join(projectRoot, ".github", "workflows");
const workflow = (name: string) => YAML.parse(fs.readFileSync(path.join(directory, name), "utf8"));

describe("the workflows", () => {
    it("pin every action to a commit, with its version beside it", () => {
        for (const file of fs.readdirSync(directory)) {
            const text = fs.readFileSync(path.join(directory, file), "utf8");
            for (const [, action, ref] of text.matchAll(/uses:\s*([^\s@]+)@(\S+)/g)) {
                assert.match(ref, /^[0-9a-f]{40}$/, `${file}: ${action}@${ref}`);
            }
            for (const line of text.split("\n").filter((line) => /uses:\s*[^.\s][^@\s]*@/.test(line))) {
                assert.match(line, /# v\d/, `${file}: ${line.trim()} names its version`);
            }
        }
    });

    it("preview exactly the stacks a pull request touches, each with its own access", () => {
        const preview = workflow("preview.yml");
        assert.match(JSON.stringify(preview.jobs.changes.steps), /touched-stacks\.js/);
        assert.equal(preview.jobs.preview.strategy.matrix.include, "${{ fromJSON(needs.changes.outputs.stacks) }}");
        assert.equal(preview.jobs.preview.with.command, "preview");
        assert.equal(preview.jobs.preview.with.environment, "${{ matrix.stack }}-preview");
    });

    it("deploy the image scanned before it is pushed, by digest, to dev and then to prod behind its environment", () => {
        const deploy = workflow("deploy.yml");
        const steps: { uses?: string; run?: string; with?: Record<string, string> }[] = deploy.jobs.image.steps;
        const build = steps.findIndex((step) => step.uses?.startsWith("docker/build-push-action"));
        const scan = steps.findIndex((step) => step.uses?.startsWith("aquasecurity/trivy-action"));
        const push = steps.findIndex((step) => step.run?.includes("docker push"));
        assert.ok(build < scan && scan < push, "build, scan, then push");
        assert.equal(steps[build].with!.push, false);
        assert.equal(steps[scan].with!.severity, "HIGH,CRITICAL");
        assert.equal(steps[scan].with!["exit-code"], "1");
        for (const stack of ["dev", "prod"]) {
            assert.equal(deploy.jobs[stack].with.environment, stack);
            assert.equal(deploy.jobs[stack].with["image-digest"], "${{ needs.image.outputs.digest }}");
        }
        assert.ok(deploy.jobs.prod.needs.includes("dev"));
    });

    it("run each stack's updates one at a time, never cancelled, with OIDC and no long-lived key", () => {
        const stack = workflow("stack.yml");
        const job = stack.jobs.stack;
        assert.match(job.concurrency.group, /^\$\{\{ inputs\.command \}\}-\$\{\{ inputs\.stack \}\}/);
        assert.equal(job.concurrency["cancel-in-progress"], "${{ inputs.command == 'preview' }}");
        assert.equal(job.permissions["id-token"], "write");
        const text = fs.readFileSync(path.join(directory, "stack.yml"), "utf8");
        assert.doesNotMatch(text, /PULUMI_ACCESS_TOKEN|aws-secret-access-key|credentials_json|client-secret/);
        for (const kind of ["eks", "gke", "aks", "existing"]) {
            assert.ok(
                job.steps.some((step: { if?: string }) => step.if === `inputs.target == '${kind}'`),
                `a step for ${kind}`,
            );
        }
    });
});
