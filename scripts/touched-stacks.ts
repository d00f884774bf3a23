import * as fs from "node:fs";
import * as path from "node:path";
import { listStacks, projectRoot, readStackConfigValues } from "./offline";

// Which stacks a change touches, for the pull request workflow to preview: a stack whose own
// stack file changed, or every stack when the program changed (the paths Pulumi Deployments
// filters on, deployments/program-paths.json). A change to docs/ or the tests touches none.

/** One stack to preview or deploy, as the workflows' matrix takes it. */
export interface StackJob {
    stack: string;
    /** `target.kind`: which cloud or cluster access the job sets up. */
    target: string;
    environment: string;
    /** The policy pack's config for the stack's environment, where there is one. */
    "policy-config": string;
}

/** The paths of deployments/program-paths.json: a file, or `DIR/**` for everything under DIR. */
export function programPaths(root = projectRoot): string[] {
    return (JSON.parse(fs.readFileSync(path.join(root, "deployments", "program-paths.json"), "utf8")) as { paths: string[] }).paths;
}

/** The stacks that `changed` (paths relative to the repository's top) touch. */
export function touchedStacks(changed: string[], root = projectRoot): StackJob[] {
    const program = programPaths(root);
    const programChanged = changed.some((file) => program.some((entry) => (entry.endsWith("/**") ? file.startsWith(entry.slice(0, -2)) : file === entry)));
    return (
        listStacks(root)
            .map((stack) => {
                const config = readStackConfigValues(stack, root) as { "appstack:environment"?: string; "appstack:target"?: { kind?: string } };
                const environment = String(config["appstack:environment"] ?? "dev");
                const policyConfig = path.join("policy", "config", `${environment}.json`);
                return {
                    stack,
                    target: String(config["appstack:target"]?.kind),
                    environment,
                    "policy-config": fs.existsSync(path.join(root, policyConfig)) ? policyConfig : "",
                };
            })
            // The local stack runs on the embedded control plane of whoever runs it, never from CI.
            .filter((job) => job.target !== "local")
            .filter((job) => programChanged || changed.includes(`Pulumi.${job.stack}.yaml`))
    );
}

if (require.main === module) {
    // The changed paths, one a line, on standard input: git diff --name-only BASE HEAD | node ...
    const changed = fs
        .readFileSync(0, "utf8")
        .split("\n")
        .map((line) => line.trim())
        .filter(Boolean);
    console.log(JSON.stringify(touchedStacks(changed)));
}
