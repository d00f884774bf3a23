import { z } from "zod";
import { secretValue } from "../values";
import { credentialsSchema } from "./credentials";
import { bundledStore, cidrs, httpUrl } from "./store";

export const searchStore = z.strictObject({
    mode: z
        .enum(["bundled", "managed", "external", "disabled"])
        .describe(`"bundled", "external" or "disabled" (no cloud offers Meilisearch as a managed service)`),
    bundled: bundledStore.extend({ credentials: credentialsSchema("search") }).describe("(mode bundled) the StatefulSet"),
    external: z
        .strictObject({
            url: httpUrl.describe("Meilisearch URL"),
            masterKey: secretValue(z.string().min(16, "at least 16 characters")).describe("master key (secret)"),
            cidrs,
        })
        .optional()
        .describe("(mode external) the instance"),
});
