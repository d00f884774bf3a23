import { strict as assert } from "node:assert";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { evaluateProgram, manifestsOf, projectRoot } from "../../scripts/offline";
import { settingsOf, stackValues } from "../support";

// The connection contract against real servers: PostgreSQL and Redis from the distribution's
// packages on 127.0.0.1, the program rendered with them as external stores, and the sample app
// (app/) started as the api with exactly the variables the api's pod would get. Its readiness
// must follow the servers: 200 while both answer, 503 while one is stopped, 200 again when it is
// back.

// The control plane's port base (scripts/local/cluster.sh): below the ephemeral range.
const portBase = Number(process.env.APPSTACK_LOCAL_PORT_BASE ?? 27400);
const ports = { postgres: portBase + 32, redis: portBase + 33, client: portBase + 34 };
const passwords = { postgres: "pg-Loopback-7f3a", redis: "redis-Loopback-91c2" };
const attempts = 100;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The newest PostgreSQL server binaries the distribution installed. */
function postgresBinDir(): string {
    const root = "/usr/lib/postgresql";
    const versions = fs.existsSync(root) ? fs.readdirSync(root).filter((v) => fs.existsSync(path.join(root, v, "bin", "initdb"))) : [];
    assert.ok(versions.length > 0, "PostgreSQL is not installed (apt-get install postgresql; .ci/run does)");
    return path.join(root, versions.sort((a, b) => Number(b) - Number(a))[0], "bin");
}

/** PostgreSQL refuses to run as root: under root the server runs as the packages' `postgres` user. */
function serverIdentity(): { uid?: number; gid?: number } {
    if (process.getuid?.() !== 0) {
        return {};
    }
    const id = (flag: string) => Number(spawnSync("id", [flag, "postgres"], { encoding: "utf8" }).stdout.trim());
    return { uid: id("-u"), gid: id("-g") };
}

function check(result: ReturnType<typeof spawnSync>, what: string): void {
    assert.equal(result.status, 0, `${what}: ${result.stderr}${result.stdout}`);
}

async function until(what: string, probe: () => boolean | Promise<boolean>): Promise<number> {
    const started = Date.now();
    for (let i = 0; i < attempts; i++) {
        if (await probe()) {
            return Date.now() - started;
        }
        await pause(100);
    }
    throw new Error(`${what}: not reached after ${attempts} attempts`);
}

class LoopbackPostgres {
    private process?: ChildProcess;
    readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), "appstack-pg-"));
    private readonly bin = postgresBinDir();
    private readonly identity = serverIdentity();

    init(): void {
        if (this.identity.uid !== undefined) {
            fs.chownSync(this.dir, this.identity.uid, this.identity.gid!);
        }
        const initdb = spawnSync(
            path.join(this.bin, "initdb"),
            ["-D", path.join(this.dir, "data"), "-U", "postgres", "--auth-local=trust", "--auth-host=scram-sha-256", "--no-sync"],
            {
                encoding: "utf8",
                ...this.identity,
            },
        );
        check(initdb, "initdb");
    }

    async start(): Promise<void> {
        this.process = spawn(
            path.join(this.bin, "postgres"),
            ["-D", path.join(this.dir, "data"), "-p", String(ports.postgres), "-c", "listen_addresses=127.0.0.1", "-k", this.dir, "-c", "fsync=off"],
            { stdio: "ignore", ...this.identity },
        );
        await until(
            "PostgreSQL accepts connections",
            () => spawnSync(path.join(this.bin, "pg_isready"), ["-h", "127.0.0.1", "-p", String(ports.postgres)]).status === 0,
        );
    }

    createDatabase(database: string, user: string, password: string): void {
        const sql = [`CREATE ROLE ${user} LOGIN PASSWORD '${password}'`, `CREATE DATABASE ${database} OWNER ${user}`];
        for (const command of sql) {
            check(
                spawnSync(path.join(this.bin, "psql"), ["-h", this.dir, "-p", String(ports.postgres), "-U", "postgres", "-c", command], { encoding: "utf8" }),
                command,
            );
        }
    }

    async stop(): Promise<void> {
        const child = this.process;
        if (child && child.exitCode === null) {
            const exited = new Promise((resolve) => child.once("exit", resolve));
            child.kill("SIGINT"); // fast shutdown
            await exited;
        }
        this.process = undefined;
    }

    get binDir(): string {
        return this.bin;
    }
}

class LoopbackRedis {
    private process?: ChildProcess;
    readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), "appstack-redis-"));

    async start(): Promise<void> {
        this.process = spawn(
            "redis-server",
            ["--port", String(ports.redis), "--bind", "127.0.0.1", "--requirepass", passwords.redis, "--save", "", "--appendonly", "no", "--dir", this.dir],
            {
                stdio: "ignore",
            },
        );
        await until(
            "Redis answers",
            () =>
                spawnSync("redis-cli", ["-p", String(ports.redis), "--no-auth-warning", "-a", passwords.redis, "ping"], { encoding: "utf8" }).stdout?.trim() ===
                "PONG",
        );
    }

    async stop(): Promise<void> {
        const child = this.process;
        if (child && child.exitCode === null) {
            const exited = new Promise((resolve) => child.once("exit", resolve));
            child.kill("SIGTERM");
            await exited;
        }
        this.process = undefined;
    }
}

function readiness(): Promise<{ status: number; body: { status?: string; down?: string[] } }> {
    return new Promise((resolve) => {
        const request = http.get({ host: "127.0.0.1", port: ports.client, path: "/api/v1/health/ready", timeout: 5000 }, (response) => {
            let text = "";
            response.on("data", (chunk) => (text += chunk));
            response.on("end", () => resolve({ status: response.statusCode ?? 0, body: text ? JSON.parse(text) : {} }));
        });
        request.on("error", () => resolve({ status: 0, body: {} }));
        request.on("timeout", () => request.destroy());
    });
}

describe("the connection contract against real PostgreSQL and Redis", function () {
    const postgres = new LoopbackPostgres();
    const redis = new LoopbackRedis();
    let client: ChildProcess | undefined;
    let env: Record<string, string>;
    let egress: { cidr: string; port: number }[];
    const figures: Record<string, number> = {};

    before(async () => {
        postgres.init();
        await postgres.start();
        postgres.createDatabase("app", "app", passwords.postgres);
        await redis.start();

        // The dev stack with both stores external, at the loopback servers.
        const values = stackValues("dev");
        const data = {
            postgres: { mode: "external", external: { host: "127.0.0.1", port: ports.postgres, sslMode: "disable", cidrs: ["127.0.0.1/32"] } },
            redis: { mode: "external", external: { host: "127.0.0.1", port: ports.redis, tls: false, cidrs: ["127.0.0.1/32"] } },
            objectStore: { mode: "disabled" },
            search: { mode: "disabled" },
        };
        const workers = (values.workers as { uses?: string[] }[]).map((worker) => ({ ...worker, uses: ["postgres", "redis"] }));
        const secrets = {
            data: {
                ...data,
                postgres: { ...data.postgres, external: { ...data.postgres.external, password: passwords.postgres } },
                redis: { ...data.redis, external: { ...data.redis.external, password: passwords.redis } },
            },
        };
        const secretValues = new Map<string, Record<string, string>>();
        const evaluation = await evaluateProgram("connection", settingsOf({ ...values, data, workers }, secrets), [], (resource) => {
            if (resource.type === "kubernetes:core/v1:Secret") {
                secretValues.set(resource.inputs.metadata.name, resource.inputs.stringData ?? {});
            }
        });
        const manifests = manifestsOf(evaluation.resources) as any[];
        const api = manifests.find((m) => m.kind === "Deployment" && m.metadata.name === "appstack-api").spec.template.spec.containers[0];
        // The variables as the kubelet would set them: literals, and keys of the Secrets named.
        env = Object.fromEntries(
            (api.env as any[])
                .filter((e) => ["DATABASE_URL", "REDIS_URL"].includes(e.name))
                .map((e) => [e.name, e.value ?? secretValues.get(e.valueFrom.secretKeyRef.name)?.[e.valueFrom.secretKeyRef.key]]),
        );
        const policy = manifests.find((m) => m.kind === "NetworkPolicy" && m.metadata.name === "appstack-api");
        egress = policy.spec.egress.map((rule: any) => ({ cidr: rule.to[0].ipBlock?.cidr, port: rule.ports[0].port }));

        // The sample app, built as its own package (npm test builds and tests it too).
        const appDir = path.join(projectRoot, "app");
        check(
            spawnSync("bash", ["-c", "source ../scripts/node-env.sh && appstack_install_dependencies && ./node_modules/.bin/tsc -p tsconfig.json"], {
                cwd: appDir,
                encoding: "utf8",
            }),
            "build the sample app",
        );
        client = spawn(process.execPath, [path.join(appDir, "dist", "main.js"), "api"], {
            env: { PATH: process.env.PATH, PORT: String(ports.client), APP_COMPONENT: "api", ...env },
            stdio: ["ignore", "ignore", "inherit"],
        });
        await until("the sample app listens", async () => (await readiness()).status !== 0);
    });

    after(async () => {
        client?.kill("SIGTERM");
        await redis.stop();
        await postgres.stop();
        fs.rmSync(postgres.dir, { recursive: true, force: true });
        fs.rmSync(redis.dir, { recursive: true, force: true });
        if (Object.keys(figures).length > 0) {
            console.log(`      readiness followed the servers (ms): ${JSON.stringify(figures)}`);
        }
    });

    it("renders URLs that reach the servers, through egress the api's policy opens", () => {
        assert.match(env.DATABASE_URL, new RegExp(`^postgresql://app:${passwords.postgres}@127\\.0\\.0\\.1:${ports.postgres}/app\\?sslmode=disable$`));
        assert.match(env.REDIS_URL, new RegExp(`^redis://default:${passwords.redis}@127\\.0\\.0\\.1:${ports.redis}/0$`));
        assert.deepEqual(egress, [
            { cidr: "127.0.0.1/32", port: ports.postgres },
            { cidr: "127.0.0.1/32", port: ports.redis },
        ]);
    });

    it("is ready while both servers answer", async () => {
        figures.ready = await until("ready", async () => (await readiness()).status === 200);
        assert.deepEqual((await readiness()).body, { status: "ready" });
    });

    for (const store of ["redis", "postgres"] as const) {
        it(`reports 503 while ${store} is stopped, and 200 once it is back`, async () => {
            const server = store === "redis" ? redis : postgres;
            await server.stop();
            figures[`${store}Down`] = await until(`503 without ${store}`, async () => (await readiness()).status === 503);
            const down = await readiness();
            assert.deepEqual(down.body.down, [store === "redis" ? "redis" : "database"]);
            await server.start();
            figures[`${store}Back`] = await until(`200 with ${store} back`, async () => (await readiness()).status === 200);
        });
    }

    it("is refused with a wrong password", () => {
        const wrong = env.DATABASE_URL.replace(passwords.postgres, "not-the-password");
        const result = spawnSync(path.join(postgres.binDir, "psql"), ["--no-psqlrc", "--command=select 1", wrong], { encoding: "utf8" });
        assert.notEqual(result.status, 0);
        assert.match(result.stderr, /password authentication failed/);
    });
});
