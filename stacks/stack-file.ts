import * as fs from "node:fs";

/**
 * Names the stack file to check secrets against when the stack's configuration is not read from
 * Pulumi.<stack>.yaml in the project (`pulumi up --config-file FILE`). Kept apart from the loader
 * so that tooling can name it without loading the schema.
 */
export const stackFileVariable = "APPSTACK_STACK_FILE";

/** A stack or project file's YAML document; a syntax error names the file. */
export function readYamlFile(file: string): unknown {
    // Loaded here only: most stacks never need it, and the program starts faster without it.
    const YAML = require("yaml") as typeof import("yaml");
    try {
        return YAML.parse(fs.readFileSync(file, "utf8"));
    } catch (error) {
        throw error instanceof YAML.YAMLError ? new Error(`${file}: ${error.message}`) : error;
    }
}

/** The namespace of the program's keys in a stack file (`appstack:name`). */
export const configNamespace = "appstack";
