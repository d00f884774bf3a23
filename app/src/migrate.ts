import { Client } from "pg";
import { log } from "./log";
import type { Settings } from "./settings";

// Schema migrations, run once per image by the migrations Job before the api rolls out. Each runs
// in its own transaction under an advisory lock, and is recorded in schema_migrations, so that a
// second run (or two Jobs at once) applies nothing twice.

export const migrations: { version: string; sql: string }[] = [
    {
        version: "0001_jobs",
        sql: `CREATE TABLE jobs (
            id bigserial PRIMARY KEY,
            queue text NOT NULL,
            payload jsonb NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now()
        )`,
    },
];

/** An arbitrary constant that names this app's migration lock among the database's advisory locks. */
const lockKey = 724011;

export async function runMigrations(settings: Settings): Promise<void> {
    if (!settings.databaseUrl) {
        log.warn("DATABASE_URL is not set: no database to migrate");
        return;
    }
    const client = new Client({ connectionString: settings.databaseUrl, connectionTimeoutMillis: 10000 });
    await client.connect();
    try {
        await client.query("SELECT pg_advisory_lock($1)", [lockKey]);
        await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
            version text PRIMARY KEY,
            applied_at timestamptz NOT NULL DEFAULT now()
        )`);
        const applied = new Set((await client.query<{ version: string }>("SELECT version FROM schema_migrations")).rows.map((row) => row.version));
        const pending = migrations.filter((migration) => !applied.has(migration.version));
        for (const migration of pending) {
            await client.query("BEGIN");
            try {
                await client.query(migration.sql);
                await client.query("INSERT INTO schema_migrations (version) VALUES ($1)", [migration.version]);
                await client.query("COMMIT");
            } catch (error) {
                await client.query("ROLLBACK");
                throw error;
            }
            log.info("migration applied", { version: migration.version });
        }
        log.info("migrations done", { applied: pending.length, total: migrations.length });
    } finally {
        await client.end();
    }
}
