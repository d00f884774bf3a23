import { z } from "zod";
import { cronSchedule } from "../jobs";
import { port, positiveInt, secretValue } from "../values";
import { credentialsSchema } from "./credentials";
import { bundledStore, cidrs, hostName } from "./store";

const managedDatabase = z.strictObject({
    instanceClass: z
        .string()
        .min(1)
        .optional()
        .describe("instance size in the cloud's terms (db.t4g.medium, db-custom-2-7680, Standard_D2ds_v5); default: a small one per environment"),
    storageGb: positiveInt.describe("allocated storage in GB"),
    highAvailability: z.boolean().describe("a standby in a second zone"),
    backupRetentionDays: positiveInt.max(35, "at most 35").describe("days of automated backups kept"),
});

export const postgresStore = z.strictObject({
    mode: z.enum(["bundled", "managed", "external"]).describe(`"bundled" (a StatefulSet), "managed" (the target cloud's service) or "external"`),
    version: z.enum(["17"]).describe("PostgreSQL major version"),
    database: z
        .string()
        .regex(/^[a-z_][a-z0-9_]{0,62}$/, "a lower-case SQL identifier")
        .describe("database name"),
    username: z
        .string()
        .regex(/^[a-z_][a-z0-9_]{0,62}$/, "a lower-case SQL identifier")
        .describe("user the application connects as"),
    bundled: bundledStore.extend({ credentials: credentialsSchema("postgres") }).describe("(mode bundled) the StatefulSet"),
    backups: z
        .strictObject({
            enabled: z
                .boolean()
                .describe(
                    "(mode bundled) dump the database to the object store on a schedule; the prod default is on where data.objectStore.mode is bundled or external, and off in every other mode",
                ),
            schedule: cronSchedule.describe("when the dump runs"),
            retentionDays: positiveInt.describe("dumps older than this are deleted"),
        })
        .describe("logical backups with pg_dump"),
    managed: managedDatabase.describe("(mode managed) the cloud's server"),
    external: z
        .strictObject({
            host: hostName.describe("server host name"),
            port: port.describe("server port"),
            password: secretValue(z.string().min(1)).describe("password (secret)"),
            sslMode: z.enum(["disable", "require", "verify-ca", "verify-full"]).describe("libpq sslmode"),
            cidrs,
        })
        .optional()
        .describe("(mode external) the server"),
});
