import * as pulumi from "@pulumi/pulumi";
import * as fs from "node:fs";
import * as path from "node:path";
import { plaintextSecrets } from "./plaintext-secrets";
import { presetName, withPreset } from "./preset-merge";
import { ConfigError, describeIssue, type ConfigProblem } from "./problems";
import { stackConfigSchema, type StackConfig } from "./schema";
import { editDistance } from "./spelling";
import { configNamespace, readYamlFile, stackFileVariable } from "./stack-file";

// Reading a stack's configuration: the values the engine hands over, merged onto the
// environment's preset, validated by the schema, every problem reported at once.

export { ConfigError, type ConfigProblem } from "./problems";

/** What a program is told about its stack's configuration. */
export interface ConfigSource {
    /** Every value as the engine hands it to the program: `namespace:key` to text. */
    config: Record<string, string>;
    /**
     * The Pulumi project's name, the namespace `pulumi config set KEY` writes to when KEY has none:
     * in a project renamed from appstack, such keys would be ignored.
     */
    project?: string;
    /**
     * The keys the engine marks secret. It marks a whole top-level key as soon as one value under
     * it is secret, so this alone cannot tell a plain value beside a secret one.
     */
    secretKeys: ReadonlySet<string>;
    /**
     * The stack file's `config:` map as written there, `secure:` values and all, or undefined when
     * there is none. Read only when a secret-only key has values.
     */
    written: () => Record<string, unknown> | undefined;
}

/** Loads the stack's configuration from the Pulumi runtime, or throws a ConfigError. */
export function loadStackConfig(): StackConfig {
    const config = pulumi.runtime.allConfig();
    const stack = pulumi.getStack();
    return parseStackConfig(stack, {
        config,
        project: pulumi.getProject(),
        secretKeys: new Set(Object.keys(config).filter(isSecretConfigKey)),
        written: () => readWrittenConfig(stackFilePath(stack)),
    });
}

// The SDK decides secrecy from the engine's list of secret keys; `isConfigSecret` is exported by
// the runtime module but missing from its type declarations.
function isSecretConfigKey(fullKey: string): boolean {
    const runtime = pulumi.runtime as unknown as { isConfigSecret?: (key: string) => boolean };
    return runtime.isConfigSecret?.(fullKey) ?? false;
}

function stackFilePath(stack: string): string {
    const named = process.env[stackFileVariable];
    if (named) {
        return path.resolve(named);
    }
    // The engine gives the project's directory; elsewhere it is the working directory.
    const root = pulumi.runtime.getRootDirectory();
    const projectDir = path.isAbsolute(root) ? root : process.cwd();
    const project = readYaml(path.join(projectDir, "Pulumi.yaml")) as { stackConfigDir?: string } | undefined;
    return path.join(projectDir, project?.stackConfigDir ?? "", `Pulumi.${stack}.yaml`);
}

function readWrittenConfig(file: string): Record<string, unknown> | undefined {
    const document = readYaml(file) as { config?: Record<string, unknown> } | undefined;
    return document === undefined ? undefined : (document?.config ?? {});
}

function readYaml(file: string): unknown {
    if (!fs.existsSync(file)) {
        return undefined;
    }
    return readYamlFile(file) ?? null;
}

/**
 * Validates what the engine handed over, merged onto the environment's preset, and reports every
 * problem at once.
 */
export function parseStackConfig(stack: string, source: ConfigSource): StackConfig {
    const { values, problems } = ownValues(source.config, source.project);
    const environment = presetName(values.environment);
    const replaced = new Set<string>();
    const merged = withPreset(values, environment, replaced);
    const result = stackConfigSchema.safeParse(merged, { reportInput: true });
    if (!result.success) {
        problems.push(...result.error.issues.flatMap((issue) => describeIssue(issue, merged, replaced)));
    }
    problems.push(...plaintextSecrets(merged, source));
    if (!result.success || problems.length > 0) {
        throw new ConfigError(stack, problems);
    }
    return result.data;
}

/**
 * The values of the `appstack:` namespace, keyed without it, and a problem for each key that would
 * be ignored without a word: in a namespace that looks like a misspelling of it, or in a renamed
 * project's own namespace.
 */
function ownValues(config: Record<string, string>, project = configNamespace): { values: Record<string, unknown>; problems: ConfigProblem[] } {
    const values: Record<string, unknown> = {};
    const problems: ConfigProblem[] = [];
    for (const [fullKey, text] of Object.entries(config)) {
        const colon = fullKey.indexOf(":");
        const namespace = fullKey.slice(0, colon);
        const key = fullKey.slice(colon + 1);
        if (namespace === configNamespace) {
            values[key] = parseConfigText(text);
        } else if (namespace === project) {
            problems.push({
                path: fullKey,
                got: `a key in namespace "${namespace}", the project's name, which nothing reads`,
                allowed: `\`${configNamespace}:${key}\`: the program's settings stay under ${configNamespace}: whatever the project is named (\`pulumi config set ${configNamespace}:${key} ...\`)`,
            });
        } else if (editDistance(namespace.toLowerCase(), configNamespace) <= 2) {
            // Providers' namespaces (kubernetes:, aws:, azure-native:, pulumi:...) are all far
            // from this one; a namespace this near is a typo whose keys nothing would read.
            problems.push({
                path: fullKey,
                got: `a key in namespace "${namespace}", which nothing reads`,
                allowed: `did you mean \`${configNamespace}:${key}\`?`,
            });
        }
    }
    return { values, problems };
}

/**
 * Pulumi hands structured values over as JSON text and plain ones as strings; numbers and
 * booleans set on the command line arrive as text too, so JSON is tried first.
 */
function parseConfigText(text: string): unknown {
    try {
        return JSON.parse(text);
    } catch {
        return text;
    }
}
