import { z } from "zod";
import { accessKeyOfTarget, accessKeys, stackAccess, type StackAccess } from "./access";
import { listAppStacks, readAppStack, repositoryRoot, type AppStack } from "./repository";
import { settingsKeys, settingsSchema, type Approvers, type Settings, type StackEntry } from "./settings";

// Turns the settings into what is deployed per stack, after checking them against the
// repository: every problem is found before anything is registered, each named by its key path.

export const namespace = "appstack-deployments";

/**
 * Names the stack file when it is not Pulumi.<stack>.yaml beside this program
 * (`pulumi up --config-file FILE`): secrets are checked against the file the config came from.
 */
export const stackFileVariable = "APPSTACK_DEPLOYMENTS_STACK_FILE";

/** Drift detection where a prod stack's settings name none: every 6 hours, nothing remediated. */
const prodDriftDetection = { schedule: "0 */6 * * *", remediate: false };

export interface StackPlan {
    entry: StackEntry;
    app: AppStack;
    access: StackAccess;
    driftDetection?: { schedule: string; remediate: boolean };
    approvers?: Approvers;
    reviewTemplate?: { destroyAt: string };
}

export interface Plan {
    settings: Settings;
    stacks: StackPlan[];
}

export interface Problem {
    path: string;
    got: string;
    allowed: string;
}

export class SettingsError extends Error {
    constructor(readonly problems: Problem[]) {
        super(
            `Invalid deployments settings (nothing was changed):\n${problems.map((problem) => `  ${problem.path}: got ${problem.got}; allowed: ${problem.allowed}`).join("\n")}`,
        );
        this.name = "SettingsError";
    }
}

/**
 * The plan for `values` (this program's config, without its namespace), or a SettingsError
 * listing every problem. `isSecret` tells which values the stack file holds encrypted.
 */
export function planDeployments(values: Record<string, unknown>, isSecret: (path: (string | number)[]) => boolean, root = repositoryRoot): Plan {
    const unknown = Object.keys(values)
        .filter((key) => !(settingsKeys as string[]).includes(key))
        .map((key) => ({ path: key, got: show(values[key]), allowed: `one of the keys ${settingsKeys.join(", ")}` }));
    // Unknown top-level keys are reported above, once; the schema checks the rest.
    const parsed = settingsSchema.safeParse(Object.fromEntries(Object.entries(values).filter(([key]) => (settingsKeys as string[]).includes(key))));
    if (!parsed.success) {
        throw new SettingsError([...unknown, ...parsed.error.issues.flatMap((issue) => schemaProblems(issue, values))]);
    }
    const settings = parsed.data;
    const problems: Problem[] = [...unknown];
    const stacks = settings.stacks.flatMap((entry, index) => {
        const plan = planStack(settings, entry, index, isSecret, root, problems);
        return plan ? [plan] : [];
    });
    if (problems.length > 0) {
        throw new SettingsError(problems);
    }
    return { settings, stacks };
}

function planStack(
    settings: Settings,
    entry: StackEntry,
    index: number,
    isSecret: (path: (string | number)[]) => boolean,
    root: string,
    problems: Problem[],
): StackPlan | undefined {
    const at = (...keys: string[]) => z.core.toDotPath(["stacks", index, ...keys]);
    const app = readAppStack(entry.name, root);
    if (!app) {
        problems.push({
            path: at("name"),
            got: JSON.stringify(entry.name),
            allowed: `a stack of the repository, Pulumi.NAME.yaml at its top (${listAppStacks(root).join(", ") || "none"})`,
        });
        return undefined;
    }
    const found = problems.length;
    const needed = accessKeyOfTarget[app.targetKind];
    if (!needed) {
        const why =
            app.targetKind === "local"
                ? "it runs on the embedded control plane of whoever runs it, which no deployment can reach"
                : `its target.kind is ${JSON.stringify(app.targetKind)}`;
        problems.push({
            path: at("name"),
            got: JSON.stringify(entry.name),
            allowed: `a stack whose target.kind is ${Object.keys(accessKeyOfTarget).join(", ")}: Pulumi.${entry.name}.yaml cannot be deployed, ${why}`,
        });
        return undefined;
    }
    for (const key of accessKeys.filter((key) => key !== needed && entry[key] !== undefined)) {
        problems.push({
            path: at(key),
            got: key === "kubeconfig" ? "a kubeconfig" : show(entry[key]),
            allowed: `nothing: Pulumi.${entry.name}.yaml's target.kind is ${app.targetKind}, which uses ${needed} alone`,
        });
    }
    if (needed === "kubeconfig") {
        if (entry.kubeconfig === undefined && !app.holdsKubeconfig) {
            problems.push({
                path: at("kubeconfig"),
                got: "nothing",
                allowed: `the cluster's kubeconfig as a secret (\`pulumi config set --secret --path '${at("kubeconfig")}' < kubeconfig\`): Pulumi.${entry.name}.yaml names a context without target.kubeconfig, and a deployment has no kubeconfig of its own`,
            });
        }
        if (entry.kubeconfig !== undefined && !isSecret(["stacks", index, "kubeconfig"])) {
            problems.push({
                path: at("kubeconfig"),
                got: "a plain-text value",
                allowed: `a secret, encrypted in the stack file: \`pulumi config set --secret --path '${at("kubeconfig")}' < kubeconfig\``,
            });
        }
    } else if (entry[needed] === undefined) {
        problems.push({
            path: at(needed),
            got: "nothing",
            allowed: `the ${needed} access of a ${app.targetKind} stack (Pulumi.${entry.name}.yaml), by OIDC: see docs/deployments.md`,
        });
    }
    const prod = app.environment === "prod";
    if (prod && entry.approvers === undefined) {
        problems.push({
            path: at("approvers"),
            got: "nothing",
            allowed: `the teams or users who approve changes to the environment of ${entry.name}, a prod stack`,
        });
    }
    const template = settings.reviewStacks?.template === entry.name ? { destroyAt: settings.reviewStacks.destroyAt } : undefined;
    if (template && prod) {
        problems.push({
            path: "reviewStacks.template",
            got: JSON.stringify(entry.name),
            allowed: "a dev stack: review stacks copy the template's config, and a pull request does not get prod's",
        });
    }
    if (problems.length > found) {
        return undefined;
    }
    return {
        entry,
        app,
        access: stackAccess(entry, needed),
        driftDetection: entry.driftDetection ?? (prod ? prodDriftDetection : undefined),
        approvers: entry.approvers,
        reviewTemplate: template,
    };
}

function schemaProblems(issue: z.core.$ZodIssue, values: Record<string, unknown>): Problem[] {
    const at = (path: PropertyKey[]) =>
        path.reduce<unknown>((node, key) => (node !== null && typeof node === "object" ? (node as Record<PropertyKey, unknown>)[key] : undefined), values);
    if (issue.code === "unrecognized_keys") {
        return issue.keys.map((key) => ({
            path: z.core.toDotPath([...issue.path, key]),
            got: show(at([...issue.path, key])),
            allowed: "no such key here (a misspelling?)",
        }));
    }
    return [{ path: z.core.toDotPath(issue.path), got: show(at(issue.path)), allowed: issue.message }];
}

/** A value as a message shows it: a kubeconfig anywhere in it is named, never shown. */
function show(value: unknown): string {
    return value === undefined ? "nothing" : JSON.stringify(value, (key, item) => (key === "kubeconfig" && item !== undefined ? "[a kubeconfig]" : item));
}
