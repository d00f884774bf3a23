import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { LoopbackPostgres, LoopbackRedis, freePort, run, start, until } from "./harness";

const heartbeat = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), "sample-worker-")), "heartbeat");

describe("worker", () => {
    const redis = new LoopbackRedis();

    before(() => redis.start());
    after(() => redis.stop());

    it("consumes the queues it is given, with the concurrency it is given", async () => {
        for (let i = 0; i < 3; i++) {
            redis.cli("LPUSH", "extraction", JSON.stringify({ id: `e${i}`, ms: 1500 }));
        }
        redis.cli("LPUSH", "indexing", JSON.stringify({ id: "i0" }));
        redis.cli("LPUSH", "elsewhere", JSON.stringify({ id: "x0" }));
        const worker = await start("worker", {
            REDIS_URL: redis.url,
            WORKER_QUEUES: "extraction,indexing",
            WORKER_CONCURRENCY: "3",
            WORKER_HEARTBEAT_FILE: heartbeat(),
        });
        try {
            await until("three extraction jobs in flight together", () => redis.cli("LLEN", "extraction:processing") === "3");
            await until("every job done", () => worker.logs.filter((line) => line.msg === "job done").length === 4);
            assert.deepEqual(
                worker.logs
                    .filter((line) => line.msg === "job done")
                    .map((line) => line.id)
                    .sort(),
                ["e0", "e1", "e2", "i0"],
            );
            assert.equal(redis.cli("LLEN", "extraction:processing"), "0");
            assert.equal(redis.cli("LLEN", "elsewhere"), "1", "a queue it was not given");
        } finally {
            redis.cli("DEL", "elsewhere");
            await worker.stop();
        }
    });

    it("finishes the job in flight on SIGTERM, takes no other, and exits 0", async () => {
        const worker = await start("worker", { REDIS_URL: redis.url, WORKER_QUEUES: "slow", WORKER_CONCURRENCY: "1", WORKER_HEARTBEAT_FILE: heartbeat() });
        try {
            redis.cli("LPUSH", "slow", JSON.stringify({ id: "first", ms: 1500 }));
            await until("the job is taken", () => redis.cli("LLEN", "slow:processing") === "1");
            worker.child.kill("SIGTERM");
            redis.cli("LPUSH", "slow", JSON.stringify({ id: "second" }));
            assert.equal(await worker.exited, 0);
            assert.deepEqual(
                worker.logs.filter((line) => line.msg === "job done").map((line) => line.id),
                ["first"],
            );
            assert.equal(redis.cli("LLEN", "slow"), "1", "the second job waits for the next pod");
        } finally {
            redis.cli("DEL", "slow");
            await worker.stop();
        }
    });

    it("serves its metrics on METRICS_PORT: jobs by outcome, the last job done, and the depth of each queue", async () => {
        const metricsPort = await freePort();
        redis.cli("LPUSH", "reports", JSON.stringify({ id: "ok" }), JSON.stringify({ id: "bad", fail: true }));
        const worker = await start("worker", {
            REDIS_URL: redis.url,
            WORKER_QUEUES: "reports,backlog",
            WORKER_CONCURRENCY: "1",
            WORKER_HEARTBEAT_FILE: heartbeat(),
            METRICS_PORT: String(metricsPort),
        });
        try {
            await until("both jobs finished", () => worker.logs.filter((line) => line.msg === "job done" || line.msg === "job failed").length === 2);
            redis.cli("LPUSH", "reports", ...["a", "b", "c"].map((id) => JSON.stringify({ id, ms: 3000 })));
            await until("one slow job taken, two waiting", () => redis.cli("LLEN", "reports:processing") === "1" && redis.cli("LLEN", "reports") === "2");
            const body = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
            assert.match(body, /^worker_jobs_total\{queue="reports",outcome="done"\} 1$/m);
            assert.match(body, /^worker_jobs_total\{queue="reports",outcome="failed"\} 1$/m);
            const lastDone = Number(/^worker_last_job_timestamp_seconds\{queue="reports"\} (\S+)$/m.exec(body)?.[1]);
            assert.ok(Math.abs(lastDone - Date.now() / 1000) < 600, `a recent Unix time, got ${lastDone}`);
            assert.match(body, /^worker_queue_depth\{queue="reports"\} 2$/m);
            assert.match(body, /^worker_queue_depth\{queue="backlog"\} 0$/m);
            assert.equal((await fetch(`http://127.0.0.1:${metricsPort}/other`)).status, 404);
        } finally {
            redis.cli("DEL", "reports");
            await worker.stop();
        }
    });

    it("worker-ping answers 0 while the broker answers and 1 while it is down", async () => {
        assert.equal(run("worker-ping", { REDIS_URL: redis.url }).code, 0);
        const nobody = await freePort();
        const down = run("worker-ping", { REDIS_URL: `redis://127.0.0.1:${nobody}`, HEALTH_CHECK_TIMEOUT_MS: "500" });
        assert.equal(down.code, 1);
        assert.match(down.stderr, /broker unavailable/);
        assert.equal(run("worker-ping", { REDIS_URL: `redis://:wrong@127.0.0.1:${redis.port}` }).code, 1);
    });

    it("stays live through a broker outage: its heartbeat goes on, only readiness fails", async () => {
        const file = heartbeat();
        const worker = await start("worker", { REDIS_URL: redis.url, WORKER_QUEUES: "any", WORKER_HEARTBEAT_FILE: file });
        try {
            await redis.stop();
            const before = fs.statSync(file).mtimeMs;
            await until("the heartbeat moves on while the broker is down", () => fs.statSync(file).mtimeMs > before);
            assert.equal(run("live", { WORKER_HEARTBEAT_FILE: file }).code, 0);
            assert.equal(run("worker-ping", { REDIS_URL: redis.url, HEALTH_CHECK_TIMEOUT_MS: "500" }).code, 1);
            assert.ok(worker.logs.some((line) => line.msg === "queue broker unavailable"));
        } finally {
            if (!redis.running) {
                await redis.start();
            }
            await worker.stop();
        }
    });

    it("live fails without a heartbeat, or with one older than its limit", () => {
        const file = heartbeat();
        assert.equal(run("live", { WORKER_HEARTBEAT_FILE: file }).code, 1);
        fs.writeFileSync(file, "");
        assert.equal(run("live", { WORKER_HEARTBEAT_FILE: file }).code, 0);
        const old = new Date(Date.now() - 300_000);
        fs.utimesSync(file, old, old);
        assert.equal(run("live", { WORKER_HEARTBEAT_FILE: file }).code, 1);
        assert.equal(run("live", { WORKER_HEARTBEAT_FILE: file, WORKER_HEARTBEAT_MAX_AGE_SECONDS: "600" }).code, 0);
    });

    it("refuses to start without REDIS_URL", () => {
        const result = run("worker", { WORKER_HEARTBEAT_FILE: heartbeat() });
        assert.equal(result.code, 1);
        assert.match(result.stdout, /REDIS_URL is not set/);
    });
});

describe("migrate", () => {
    const postgres = new LoopbackPostgres();

    before(async () => {
        await postgres.start();
        postgres.createAppDatabase();
    });
    after(() => postgres.stop());

    it("creates schema_migrations and applies each migration once, however often it runs", () => {
        const first = run("migrate", { DATABASE_URL: postgres.url });
        assert.equal(first.code, 0, first.stdout + first.stderr);
        assert.match(first.stdout, /"msg":"migration applied","version":"0001_jobs"/);
        const second = run("migrate", { DATABASE_URL: postgres.url });
        assert.equal(second.code, 0, second.stdout + second.stderr);
        assert.match(second.stdout, /"msg":"migrations done","applied":0/);
        assert.equal(postgres.sql("app", "SELECT string_agg(version, ',') FROM schema_migrations"), "0001_jobs");
        assert.equal(postgres.sql("app", "SELECT count(*) FROM information_schema.tables WHERE table_name = 'jobs'"), "1");
    });

    it("fails (non-zero) when the database cannot be reached", async () => {
        const nobody = await freePort();
        const result = run("migrate", { DATABASE_URL: `postgres://app:app-password@127.0.0.1:${nobody}/app` });
        assert.equal(result.code, 1);
        assert.match(result.stdout, /"msg":"migrate failed"/);
    });

    it("refuses an unknown command with exit code 2", () => {
        const result = run("serve");
        assert.equal(result.code, 2);
        assert.match(result.stderr, /unknown command "serve"; one of: api, worker, migrate, worker-ping, live, healthcheck/);
    });
});
