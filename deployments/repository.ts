import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";

/** The top of the repository: appstack's Pulumi.yaml and its stack files (this program is deployments/). */
export const repositoryRoot = path.resolve(__dirname, "..", "..");

/** What this program needs to know of an appstack stack, read from its stack file. */
export interface AppStack {
    name: string;
    /** `appstack:environment`: dev or prod. */
    environment: string;
    /** `appstack:target.kind`: eks, gke, aks, existing or local. */
    targetKind: string;
    /** Whether the stack file holds the cluster's kubeconfig itself (`appstack:target.kubeconfig`). */
    holdsKubeconfig: boolean;
}

/** The stacks committed at the top of the repository: Pulumi.<stack>.yaml. */
export function listAppStacks(root = repositoryRoot): string[] {
    return fs
        .readdirSync(root)
        .map((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1])
        .filter((name): name is string => name !== undefined)
        .sort();
}

/** Reads an appstack stack file; undefined when the repository has none of that name. */
export function readAppStack(name: string, root = repositoryRoot): AppStack | undefined {
    const file = path.join(root, `Pulumi.${name}.yaml`);
    if (!fs.existsSync(file)) {
        return undefined;
    }
    const document = (YAML.parse(fs.readFileSync(file, "utf8")) ?? {}) as {
        config?: { "appstack:environment"?: string; "appstack:target"?: { kind?: string; context?: string; kubeconfig?: unknown } };
    };
    const config = document.config ?? {};
    const target = config["appstack:target"] ?? {};
    return {
        name,
        environment: String(config["appstack:environment"] ?? "dev"),
        targetKind: String(target.kind ?? "none"),
        holdsKubeconfig: target.kubeconfig !== undefined,
    };
}
