import { z } from "zod";
import { dataStoreKinds } from "../../../components/data/connection";
import { objectStore } from "./objectstore";
import { postgresStore } from "./postgres";
import { redisStore } from "./redis";
import { searchStore } from "./search";

/** The stateful dependencies, each in the mode the stack chooses, and what each mode needs of the others. */

export const data = z
    .strictObject({
        postgres: postgresStore.describe("PostgreSQL (DATABASE_URL)"),
        redis: redisStore.describe("Redis (REDIS_URL)"),
        objectStore: objectStore.describe(
            "S3-compatible object storage (S3_ENDPOINT, S3_BUCKET, S3_REGION, and S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY when reached with keys)",
        ),
        search: searchStore.describe("Meilisearch (MEILI_URL, MEILI_MASTER_KEY)"),
    })
    .superRefine((value, ctx) => {
        for (const store of dataStoreKinds) {
            const config = value[store] as { mode: string; external?: unknown };
            if (config.mode === "external" && config.external === undefined) {
                ctx.addIssue({
                    code: "custom",
                    path: [store, "external"],
                    input: undefined,
                    message: `the server's address and credentials when data.${store}.mode is external`,
                });
            }
        }
        if (value.search.mode === "managed") {
            ctx.addIssue({
                code: "custom",
                path: ["search", "mode"],
                input: "managed",
                message: `"bundled", "external" or "disabled": no cloud runs Meilisearch as a managed service (Meilisearch Cloud is reached as "external")`,
            });
        }
        if (value.postgres.backups.enabled) {
            if (value.postgres.mode !== "bundled") {
                ctx.addIssue({
                    code: "custom",
                    path: ["postgres", "backups", "enabled"],
                    input: true,
                    message: `false unless data.postgres.mode is bundled (${value.postgres.mode === "managed" ? "a managed server keeps its own backups: data.postgres.managed.backupRetentionDays" : "an external server is backed up by whoever runs it"})`,
                });
            } else if (value.objectStore.mode !== "bundled" && value.objectStore.mode !== "external") {
                ctx.addIssue({
                    code: "custom",
                    path: ["postgres", "backups", "enabled"],
                    input: true,
                    message: `false unless data.objectStore.mode is "bundled" or "external": the dumps are uploaded with keys`,
                });
            }
        }
    });

export type DataConfig = z.infer<typeof data>;
