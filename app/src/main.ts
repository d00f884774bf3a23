import { runApi } from "./api";
import { errorText, log } from "./log";
import { runMigrations } from "./migrate";
import { healthcheck, heartbeatFresh, pingBroker } from "./probes";
import { readSettings } from "./settings";
import { runWorker } from "./worker";

// One image, one role per process, chosen by the first argument.

const roles: Record<string, () => Promise<number>> = {
    api: async () => {
        await runApi(readSettings());
        return 0;
    },
    worker: async () => {
        await runWorker(readSettings());
        return 0;
    },
    migrate: async () => {
        await runMigrations(readSettings());
        return 0;
    },
    "worker-ping": () => pingBroker(readSettings()),
    live: async () => heartbeatFresh(readSettings()),
    healthcheck: () => healthcheck(readSettings()),
};

const role = process.argv[2] ?? "api";
const run = roles[role];
if (!run) {
    process.stderr.write(`unknown command "${role}"; one of: ${Object.keys(roles).join(", ")}\n`);
    process.exit(2);
}
run().then(
    (code) => process.exit(code),
    (error: unknown) => {
        log.error(`${role} failed`, { error: errorText(error) });
        process.exit(1);
    },
);
