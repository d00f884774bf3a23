import { z } from "zod";
import { secretValue } from "../values";
import { credentialsSchema } from "./credentials";
import { bundledStore, cidrs, httpUrl } from "./store";

export const objectStore = z.strictObject({
    mode: z.enum(["bundled", "managed", "external", "disabled"]).describe(`"bundled" (MinIO), "managed" (the cloud's buckets), "external" or "disabled"`),
    bucket: z
        .string()
        .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "a bucket name: 3-63 lower-case letters, digits, '.' and '-'")
        .optional()
        .describe("bucket name (default: NAME-ENVIRONMENT)"),
    bundled: bundledStore.extend({ credentials: credentialsSchema("objectStore") }).describe("(mode bundled) the StatefulSet"),
    external: z
        .strictObject({
            endpoint: httpUrl.describe("S3 endpoint URL"),
            region: z.string().min(1).describe("S3 region"),
            accessKeyId: secretValue(z.string().min(1)).describe("access key id (secret)"),
            secretAccessKey: secretValue(z.string().min(1)).describe("secret access key (secret)"),
            cidrs,
        })
        .optional()
        .describe("(mode external) the endpoint and its keys"),
});
