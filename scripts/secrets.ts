import * as path from "node:path";
import { missingCredentials, type GeneratedCredential } from "../stacks/schema/data/credentials";
import { parseStackConfig } from "../stacks/load";
import { readConfigFile, stackSettingsFromValues } from "./offline";

/**
 * The credentials of a stack's bundled stores that its file does not give: what local:up and the
 * engine tests generate once into the stack's config (the random provider is not needed then).
 * An invalid stack file throws its ConfigError, before anything is generated.
 */
export function generatedSecretPaths(stackFile: string): GeneratedCredential[] {
    const settings = stackSettingsFromValues(readConfigFile(stackFile));
    const stack = path.basename(stackFile).replace(/^Pulumi\.(.*)\.yaml$/, "$1");
    const config = parseStackConfig(stack, { config: settings.config, secretKeys: new Set(settings.secretKeys), written: () => settings.written });
    return missingCredentials(config);
}
