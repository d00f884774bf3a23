import { z } from "zod";
import type { StackConfig } from "../stack";
import { secretValue } from "../values";

// The credentials a bundled store's server is created with: generated (RandomPassword) unless the
// stack gives them, as secrets. A stack deployed where the random provider is not to be had
// (the embedded local stack) has them generated once into its config instead.

/** Each store's credentials and the length of a generated one. */
export const bundledCredentials = {
    postgres: { password: 32 },
    redis: { password: 32 },
    search: { masterKey: 40 },
    objectStore: { rootUser: 20, rootPassword: 40, accessKeyId: 20, secretAccessKey: 40 },
} as const;

export type CredentialStore = keyof typeof bundledCredentials;

// Used in connection URLs and configuration files unescaped; the servers' own minimums hold
// (MinIO: a user of 3, a password of 8; Meilisearch: a key of 16).
const credential = (min: number) =>
    secretValue(
        z
            .string()
            .min(min, `at least ${min} characters`)
            .regex(/^[A-Za-z0-9._~-]+$/, "letters, digits and . _ ~ - (used in URLs unescaped)"),
    );
const minimum: Record<string, number> = { rootUser: 3, accessKeyId: 3, rootPassword: 8, secretAccessKey: 8, password: 16, masterKey: 16 };

/** The `credentials` key of a store's `bundled` settings. */
export function credentialsSchema(store: CredentialStore) {
    const keys = Object.keys(bundledCredentials[store]);
    return z
        .strictObject(
            Object.fromEntries(keys.map((key) => [key, credential(minimum[key]).optional().describe(`(secret) the server's ${key}; default: generated`)])),
        )
        .optional()
        .describe("(mode bundled) credentials to create the server with, each a secret; absent: generated");
}

export interface GeneratedCredential {
    /** Config path under the `appstack:` namespace, e.g. data.postgres.bundled.credentials.password. */
    path: string;
    length: number;
}

/** The credentials of the stack's bundled stores that its config does not give. */
export function missingCredentials(config: StackConfig): GeneratedCredential[] {
    return (Object.keys(bundledCredentials) as CredentialStore[]).flatMap((store) => {
        const settings = config.data[store];
        if (settings.mode !== "bundled") return [];
        const given = (settings.bundled as { credentials?: Record<string, string | undefined> }).credentials ?? {};
        return Object.entries(bundledCredentials[store])
            .filter(([key]) => given[key] === undefined)
            .map(([key, length]) => ({ path: `data.${store}.bundled.credentials.${key}`, length }));
    });
}
