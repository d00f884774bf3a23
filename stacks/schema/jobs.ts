import { z } from "zod";
import { closest } from "../spelling";
import { command, dnsLabel, nonNegativeInt, positiveInt, resources } from "./values";
import { storeUses } from "./workloads";

// The run-to-completion workloads: the migrations Job and the scheduled jobs.

export const migrations = z.strictObject({
    enabled: z.boolean().describe("run database migrations as a Job before the api rolls out"),
    command: command.describe("migration command, run with the api image"),
    uses: storeUses.describe("data stores it connects to (default: postgres)"),
    backoffLimit: nonNegativeInt.max(10, "at most 10").describe("retries before the Job fails"),
    activeDeadlineSeconds: positiveInt.describe("longest a migration may run"),
    resources: resources.describe("requests and limits of the migration pod"),
});

export const cronSchedule = z
    .string()
    .regex(
        /^(@(yearly|annually|monthly|weekly|daily|midnight|hourly)|(\S+\s+){4}\S+)$/,
        `a cron schedule of five fields ("*/15 * * * *") or a macro such as @hourly`,
    )
    .refine(
        (text) =>
            text.startsWith("@") ||
            text
                .trim()
                .split(/\s+/)
                .every((field) => /^[\d*/,\-A-Za-z?]+$/.test(field)),
        {
            message: "cron fields of digits, names and * / , -",
        },
    );

// Node's list of zones (Intl.supportedValuesOf) holds ICU's canonical names: it leaves out UTC
// itself and names some zones by their older IANA names (Asia/Calcutta, not Asia/Kolkata). Intl
// resolves each listed zone to itself and an alias to its listed zone, which answers without
// building the list (about 20 ms); the list is built only to suggest a zone for a misspelt one.
let knownTimeZones: Set<string> | undefined;

function timeZones(): Set<string> {
    knownTimeZones ??= new Set([...Intl.supportedValuesOf("timeZone"), "UTC", "Etc/UTC"]);
    return knownTimeZones;
}

/**
 * A listed zone, or an alias of one spelt as IANA spells it (each part capitalised): the CronJob
 * controller looks names up case by case, and takes no offsets such as "+01:00".
 */
function isTimeZone(zone: string): boolean {
    if (!/^[A-Z][A-Za-z0-9_+-]*(\/[A-Z][A-Za-z0-9_+-]*)*$/.test(zone)) {
        return false;
    }
    try {
        const resolved = new Intl.DateTimeFormat("en-US", { timeZone: zone }).resolvedOptions().timeZone;
        return resolved === zone || resolved.toLowerCase() !== zone.toLowerCase();
    } catch {
        return false;
    }
}

const timeZone = z.string().superRefine((zone, ctx) => {
    if (!isTimeZone(zone)) {
        const suggestion = closest(zone, timeZones());
        ctx.addIssue({
            code: "custom",
            input: zone,
            message: `an IANA time zone such as "Europe/Berlin" or "Etc/UTC"${suggestion ? ` (did you mean "${suggestion}"?)` : ""}`,
        });
    }
});

export const cronJob = z.strictObject({
    name: dnsLabel.describe("job name; its CronJob is NAME-cron-JOB (NAME: the app name), at most 52 characters"),
    schedule: cronSchedule.describe("when it runs, in cron syntax"),
    timeZone: timeZone.optional().describe("IANA time zone of the schedule (default: the controller's, usually UTC)"),
    command: command.describe("command run with the api image"),
    uses: storeUses,
    activeDeadlineSeconds: positiveInt.describe("longest one run may take"),
    startingDeadlineSeconds: positiveInt.describe("a run that could not start within this is skipped"),
    successfulJobsHistoryLimit: nonNegativeInt.max(10, "at most 10").describe("finished Jobs kept"),
    failedJobsHistoryLimit: nonNegativeInt.max(10, "at most 10").describe("failed Jobs kept"),
    backoffLimit: nonNegativeInt.max(10, "at most 10").describe("retries of one run"),
});
