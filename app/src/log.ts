// One JSON object per line on stdout, the shape log collectors parse without configuration.

type Level = "debug" | "info" | "warn" | "error";

const order: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const threshold = order[(process.env.LOG_LEVEL?.toLowerCase() as Level) ?? "info"] ?? order.info;

function write(level: Level, message: string, fields: Record<string, unknown>): void {
    if (order[level] < threshold) {
        return;
    }
    process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level, msg: message, ...fields })}\n`);
}

export const log = {
    debug: (message: string, fields: Record<string, unknown> = {}) => write("debug", message, fields),
    info: (message: string, fields: Record<string, unknown> = {}) => write("info", message, fields),
    warn: (message: string, fields: Record<string, unknown> = {}) => write("warn", message, fields),
    error: (message: string, fields: Record<string, unknown> = {}) => write("error", message, fields),
};

export function errorText(error: unknown): string {
    if (error instanceof AggregateError && error.errors.length > 0) {
        return error.errors.map(errorText).join("; ");
    }
    return error instanceof Error ? error.message || error.name : String(error);
}
