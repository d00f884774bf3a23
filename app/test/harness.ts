import { strict as assert } from "node:assert";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";

// Runs the service as a process, the way its image runs it, and real servers beside it on
// loopback: PostgreSQL and Redis from the distribution's packages, small HTTP servers standing in
// for object storage and Meilisearch.

const main = path.resolve(__dirname, "..", "dist", "main.js");
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `probe` holds; fails with `what` after about ten seconds. */
export async function until(what: string, probe: () => boolean | Promise<boolean>): Promise<void> {
    for (let attempt = 0; attempt < 100; attempt++) {
        if (await probe()) {
            return;
        }
        await pause(100);
    }
    throw new Error(`${what}: not reached`);
}

export function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const { port } = server.address() as net.AddressInfo;
            server.close(() => resolve(port));
        });
    });
}

/** Only what a pod would set: no inherited DATABASE_URL or REDIS_URL from the machine. */
function environment(env: Record<string, string>): NodeJS.ProcessEnv {
    return { PATH: process.env.PATH, HOME: os.tmpdir(), ...env };
}

export interface Running {
    readonly child: ChildProcess;
    readonly logs: Record<string, unknown>[];
    readonly exited: Promise<number | null>;
    port: number;
    get(pathname: string): Promise<{ status: number; body: string; json<T = Record<string, unknown>>(): T }>;
    stop(): Promise<number | null>;
}

/** Starts a long-running role (api, worker) and, for the api, waits until it listens. */
export async function start(role: string, env: Record<string, string> = {}): Promise<Running> {
    const child = spawn(process.execPath, [main, role], { env: environment({ PORT: "0", ...env }), stdio: ["ignore", "pipe", "pipe"] });
    const logs: Record<string, unknown>[] = [];
    let buffered = "";
    child.stdout!.on("data", (chunk: Buffer) => {
        buffered += chunk.toString("utf8");
        const lines = buffered.split("\n");
        buffered = lines.pop()!;
        for (const line of lines) {
            logs.push(JSON.parse(line) as Record<string, unknown>);
        }
    });
    let stderr = "";
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    const running: Running = {
        child,
        logs,
        exited,
        port: 0,
        get: (pathname) => request(running.port, pathname),
        async stop() {
            if (child.exitCode === null) {
                child.kill("SIGTERM");
            }
            return exited;
        },
    };
    const first = role === "api" ? "listening" : "worker started";
    await until(`${role} logs "${first}" (stderr: ${stderr})`, () => logs.some((line) => line.msg === first));
    running.port = Number(logs.find((line) => line.msg === "listening")?.port ?? 0);
    return running;
}

/** Runs a command that exits (migrate, worker-ping, live). */
export function run(role: string, env: Record<string, string> = {}): { code: number | null; stdout: string; stderr: string } {
    const result = spawnSync(process.execPath, [main, role], { env: environment(env), encoding: "utf8", timeout: 30000 });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

export function request(
    port: number,
    pathname: string,
    method = "GET",
    body?: string,
): Promise<{ status: number; body: string; json<T = Record<string, unknown>>(): T }> {
    return new Promise((resolve, reject) => {
        const req = http.request({ host: "127.0.0.1", port, path: pathname, method, agent: false }, (response) => {
            let text = "";
            response.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
            response.on("end", () => resolve({ status: response.statusCode!, body: text, json: <T>() => JSON.parse(text) as T }));
        });
        req.on("error", reject);
        req.end(body);
    });
}

/** A stand-in HTTP service whose answer the test switches. */
export class FakeHttp {
    status = 200;
    body: unknown = {};
    readonly paths: string[] = [];
    private readonly server = http.createServer((req, res) => {
        this.paths.push(`${req.method} ${req.url}`);
        res.writeHead(this.status, { "content-type": "application/json" });
        res.end(JSON.stringify(this.body));
    });
    port = 0;

    async listen(): Promise<this> {
        await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
        this.port = (this.server.address() as net.AddressInfo).port;
        return this;
    }

    get url(): string {
        return `http://127.0.0.1:${this.port}`;
    }

    close(): Promise<void> {
        this.server.closeAllConnections();
        return new Promise((resolve) => this.server.close(() => resolve()));
    }
}

abstract class Server {
    protected process?: ChildProcess;
    port = 0;

    get running(): boolean {
        return this.process !== undefined && this.process.exitCode === null;
    }

    protected async stopWith(signal: NodeJS.Signals): Promise<void> {
        const child = this.process;
        if (child && child.exitCode === null) {
            const exited = new Promise((resolve) => child.once("exit", resolve));
            child.kill(signal);
            await exited;
        }
        this.process = undefined;
    }
}

export class LoopbackRedis extends Server {
    readonly password = "sample-app-test";
    private readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), "sample-redis-"));

    get url(): string {
        return `redis://:${this.password}@127.0.0.1:${this.port}/0`;
    }

    async start(): Promise<void> {
        assert.ok(spawnSync("redis-server", ["--version"]).status === 0, "redis-server is not installed (apt-get install redis-server; CI does)");
        this.port ||= await freePort();
        this.process = spawn(
            "redis-server",
            ["--port", String(this.port), "--bind", "127.0.0.1", "--requirepass", this.password, "--save", "", "--appendonly", "no", "--dir", this.dir],
            { stdio: "ignore" },
        );
        await until(
            "Redis answers",
            () =>
                spawnSync("redis-cli", ["-p", String(this.port), "--no-auth-warning", "-a", this.password, "ping"], { encoding: "utf8" }).stdout?.trim() ===
                "PONG",
        );
    }

    cli(...args: string[]): string {
        return spawnSync("redis-cli", ["-p", String(this.port), "--no-auth-warning", "-a", this.password, ...args], { encoding: "utf8" }).stdout.trim();
    }

    stop(): Promise<void> {
        return this.stopWith("SIGTERM");
    }
}

export class LoopbackPostgres extends Server {
    private readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), "sample-pg-"));
    private readonly bin = postgresBinDir();
    // PostgreSQL refuses to run as root: there it runs as the packages' `postgres` user.
    private readonly identity = process.getuid?.() === 0 ? { uid: userId("-u"), gid: userId("-g") } : {};

    get url(): string {
        return `postgres://app:app-password@127.0.0.1:${this.port}/app`;
    }

    async start(): Promise<void> {
        const data = path.join(this.dir, "data");
        if (!fs.existsSync(data)) {
            if (this.identity.uid !== undefined) {
                fs.chownSync(this.dir, this.identity.uid, this.identity.gid!);
            }
            const init = spawnSync(
                path.join(this.bin, "initdb"),
                ["-D", data, "-U", "postgres", "--auth-local=trust", "--auth-host=scram-sha-256", "--no-sync"],
                { encoding: "utf8", ...this.identity },
            );
            assert.equal(init.status, 0, `initdb: ${init.stderr}`);
            this.port = await freePort();
        }
        this.process = spawn(
            path.join(this.bin, "postgres"),
            ["-D", data, "-p", String(this.port), "-c", "listen_addresses=127.0.0.1", "-k", this.dir, "-c", "fsync=off"],
            { stdio: "ignore", ...this.identity },
        );
        await until(
            "PostgreSQL accepts connections",
            () => spawnSync(path.join(this.bin, "pg_isready"), ["-h", "127.0.0.1", "-p", String(this.port)]).status === 0,
        );
    }

    /** Creates the app's role and database once, after the first start. */
    createAppDatabase(): void {
        for (const sql of ["CREATE ROLE app LOGIN PASSWORD 'app-password'", "CREATE DATABASE app OWNER app"]) {
            this.sql("postgres", sql);
        }
    }

    sql(database: string, statement: string): string {
        const result = spawnSync(path.join(this.bin, "psql"), ["-h", this.dir, "-p", String(this.port), "-U", "postgres", "-d", database, "-tAc", statement], {
            encoding: "utf8",
        });
        assert.equal(result.status, 0, `${statement}: ${result.stderr}`);
        return result.stdout.trim();
    }

    stop(): Promise<void> {
        return this.stopWith("SIGINT"); // fast shutdown
    }
}

function postgresBinDir(): string {
    const root = "/usr/lib/postgresql";
    const versions = fs.existsSync(root) ? fs.readdirSync(root).filter((version) => fs.existsSync(path.join(root, version, "bin", "initdb"))) : [];
    assert.ok(versions.length > 0, "PostgreSQL is not installed (apt-get install postgresql; CI does)");
    return path.join(root, versions.sort((a, b) => Number(b) - Number(a))[0], "bin");
}

function userId(flag: string): number {
    return Number(spawnSync("id", [flag, "postgres"], { encoding: "utf8" }).stdout.trim());
}
