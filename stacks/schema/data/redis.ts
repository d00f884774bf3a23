import { z } from "zod";
import { port, secretValue } from "../values";
import { credentialsSchema } from "./credentials";
import { bundledStore, cidrs, hostName } from "./store";

export const redisStore = z.strictObject({
    mode: z.enum(["bundled", "managed", "external"]).describe(`"bundled", "managed" or "external"`),
    bundled: bundledStore.extend({ credentials: credentialsSchema("redis") }).describe("(mode bundled) the StatefulSet"),
    managed: z
        .strictObject({
            instanceClass: z
                .string()
                .min(1)
                .optional()
                .describe("node size in the cloud's terms (cache.t4g.small, a Memorystore size in GB, an Azure SKU family and capacity); default: a small one"),
            highAvailability: z.boolean().describe("a replica in a second zone"),
        })
        .describe("(mode managed) the cloud's cache"),
    external: z
        .strictObject({
            host: hostName.describe("server host name"),
            port: port.describe("server port"),
            password: secretValue(z.string().min(1)).optional().describe("password (secret)"),
            tls: z.boolean().describe("connect with TLS (rediss://)"),
            cidrs,
        })
        .optional()
        .describe("(mode external) the server"),
});
