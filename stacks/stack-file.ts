/**
 * Names the stack file to check secrets against when the stack's configuration is not read from
 * Pulumi.<stack>.yaml in the project (`pulumi up --config-file FILE`). Kept apart from the loader
 * so that tooling can name it without loading the schema.
 */
export const stackFileVariable = "APPSTACK_STACK_FILE";

/** The namespace of the program's keys in a stack file (`appstack:name`). */
export const configNamespace = "appstack";
