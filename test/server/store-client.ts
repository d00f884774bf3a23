import { execFile } from "node:child_process";
import * as http from "node:http";

// A stand-in consumer of the connection contract, run as its own process with the variables a
// pod would get: its readiness is 200 while every store it was given answers, 503 otherwise.
// It reaches PostgreSQL and Redis with their own command-line clients, which read the URLs
// exactly as rendered (credentials included), so a wrong URL or password fails the check.

const checks: Record<string, () => Promise<void>> = {};
const run = (command: string, args: string[], expect: RegExp) =>
    new Promise<void>((resolve, reject) => {
        execFile(command, args, { timeout: 3000 }, (error, stdout, stderr) => {
            if (error) {
                reject(new Error(stderr.trim() || error.message));
            } else if (!expect.test(stdout)) {
                reject(new Error(`unexpected answer: ${stdout.trim()}`));
            } else {
                resolve();
            }
        });
    });

if (process.env.DATABASE_URL) {
    const url = process.env.DATABASE_URL;
    checks.postgres = () => run("psql", ["--no-psqlrc", "--tuples-only", "--command=select 1", url], /^\s*1\s*$/m);
}
if (process.env.REDIS_URL) {
    const url = process.env.REDIS_URL;
    checks.redis = () => run("redis-cli", ["-u", url, "--no-auth-warning", "ping"], /^PONG$/m);
}

const server = http.createServer(async (request, response) => {
    if (request.url !== "/api/v1/health/ready") {
        response.writeHead(404).end();
        return;
    }
    const results = await Promise.all(
        Object.entries(checks).map(async ([name, check]) => {
            try {
                await check();
                return [name, "healthy"] as const;
            } catch (error) {
                return [name, `unhealthy: ${error instanceof Error ? error.message : String(error)}`] as const;
            }
        }),
    );
    const ready = results.every(([, state]) => state === "healthy");
    response.writeHead(ready ? 200 : 503, { "content-type": "application/json" }).end(JSON.stringify(Object.fromEntries(results)));
});

server.listen(Number(process.env.PORT), "127.0.0.1", () => process.stdout.write("listening\n"));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
