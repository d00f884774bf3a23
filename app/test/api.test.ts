import { strict as assert } from "node:assert";
import * as http from "node:http";
import { after, before, describe, it } from "node:test";
import { FakeHttp, LoopbackPostgres, LoopbackRedis, request, start, until } from "./harness";

interface Health {
    status: string;
    checks: Record<string, { status: string; critical: boolean; error?: string }>;
}

describe("api without dependencies", () => {
    it("answers startup, liveness, readiness and health, and logs JSON lines", async () => {
        const api = await start("api");
        try {
            for (const probe of ["startup", "live", "ready"]) {
                assert.equal((await api.get(`/api/v1/health/${probe}`)).status, 200, probe);
            }
            const health = await api.get("/api/v1/health/");
            assert.equal(health.status, 200);
            assert.deepEqual(health.json<Health>(), { status: "healthy", checks: {} });
            assert.equal((await api.get("/api/v1/health")).status, 200);
            assert.equal((await api.get("/nowhere")).status, 404);
            assert.ok(
                api.logs.length > 0 &&
                    api.logs.every((line) => typeof line.time === "string" && typeof line.level === "string" && typeof line.msg === "string"),
            );
        } finally {
            assert.equal(await api.stop(), 0);
        }
    });

    it("serves Prometheus metrics with the requests it answered", async () => {
        const api = await start("api");
        try {
            await api.get("/api/v1/");
            const metrics = await api.get("/metrics");
            assert.equal(metrics.status, 200);
            assert.match(metrics.body, /^# HELP http_requests_total /m);
            assert.match(metrics.body, /^http_requests_total\{method="GET",route="\/api\/v1\/",status="200"\} 1$/m);
            assert.match(metrics.body, /^process_resident_memory_bytes \d+/m);
        } finally {
            await api.stop();
        }
    });

    it("drains on SIGTERM: finishes the request in flight, accepts no new connection, exits 0", async () => {
        const api = await start("api");
        const slow = api.get("/api/v1/work?ms=1500");
        await until("the slow request is in flight", async () => (await api.get("/metrics")).body.includes('route="/api/v1/work"') || api.logs.length > 0);
        await new Promise((resolve) => setTimeout(resolve, 200));
        api.child.kill("SIGTERM");
        await until("the api logs its drain", () => api.logs.some((line) => String(line.msg).startsWith("draining")));
        await assert.rejects(request(api.port, "/api/v1/health/live"), /ECONNREFUSED/);
        const finished = await slow;
        assert.equal(finished.status, 200);
        assert.deepEqual(finished.json(), { workedMs: 1500 });
        assert.equal(await api.exited, 0);
    });

    it("closes an idle keep-alive connection on SIGTERM instead of waiting for it", async () => {
        const api = await start("api");
        const agent = new http.Agent({ keepAlive: true });
        await new Promise<void>((resolve, reject) => {
            http.get({ host: "127.0.0.1", port: api.port, path: "/api/v1/health/live", agent }, (response) => {
                response.resume();
                response.on("end", resolve);
            }).on("error", reject);
        });
        const started = Date.now();
        api.child.kill("SIGTERM");
        assert.equal(await api.exited, 0);
        agent.destroy();
        assert.ok(Date.now() - started < 5000, "the api waited for an idle connection");
    });
});

describe("api with its dependencies", () => {
    const postgres = new LoopbackPostgres();
    const redis = new LoopbackRedis();
    let storage: FakeHttp;
    let search: FakeHttp;

    before(async () => {
        await postgres.start();
        postgres.createAppDatabase();
        await redis.start();
        storage = await new FakeHttp().listen();
        search = await new FakeHttp().listen();
        search.body = { status: "available" };
    });

    after(async () => {
        await postgres.stop();
        await redis.stop();
        await storage.close();
        await search.close();
    });

    const env = () => ({
        DATABASE_URL: postgres.url,
        REDIS_URL: redis.url,
        S3_ENDPOINT: storage.url,
        S3_BUCKET: "uploads",
        MEILI_URL: search.url,
        MEILI_MASTER_KEY: "search-key",
    });

    it("reports each dependency healthy when all answer, and checks the bucket and /health", async () => {
        const api = await start("api", env());
        try {
            const health = await api.get("/api/v1/health/");
            assert.equal(health.status, 200, health.body);
            const body = health.json<Health>();
            assert.equal(body.status, "healthy");
            assert.deepEqual(Object.fromEntries(Object.entries(body.checks).map(([name, check]) => [name, [check.status, check.critical]])), {
                database: ["healthy", true],
                redis: ["healthy", true],
                objectStorage: ["healthy", false],
                search: ["healthy", false],
            });
            assert.ok(storage.paths.includes("HEAD /uploads"), storage.paths.join());
            assert.ok(search.paths.includes("GET /health"), search.paths.join());
            assert.equal((await api.get("/api/v1/health/ready")).status, 200);
        } finally {
            await api.stop();
        }
    });

    it("turns unready (503) while PostgreSQL is down and ready again when it is back; liveness stays 200", async () => {
        const api = await start("api", env());
        try {
            assert.equal((await api.get("/api/v1/health/ready")).status, 200);
            await postgres.stop();
            const ready = await api.get("/api/v1/health/ready");
            assert.equal(ready.status, 503);
            assert.deepEqual(ready.json().down, ["database"]);
            const health = await api.get("/api/v1/health/");
            assert.equal(health.status, 503);
            assert.equal(health.json<Health>().status, "unhealthy");
            assert.equal(health.json<Health>().checks.database.status, "unhealthy");
            assert.equal((await api.get("/api/v1/health/live")).status, 200);
            await postgres.start();
            await until("ready again", async () => (await api.get("/api/v1/health/ready")).status === 200);
        } finally {
            if (!postgres.running) {
                await postgres.start();
            }
            await api.stop();
        }
    });

    it("turns unready while Redis is down and ready again when it is back", async () => {
        const api = await start("api", env());
        try {
            await redis.stop();
            const ready = await api.get("/api/v1/health/ready");
            assert.equal(ready.status, 503);
            assert.deepEqual(ready.json().down, ["redis"]);
            await redis.start();
            await until("ready again", async () => (await api.get("/api/v1/health/ready")).status === 200);
        } finally {
            if (!redis.running) {
                await redis.start();
            }
            await api.stop();
        }
    });

    it("stays ready but degraded while search or object storage fails", async () => {
        const api = await start("api", env());
        try {
            search.status = 503;
            search.body = { status: "unavailable" };
            storage.status = 502;
            assert.equal((await api.get("/api/v1/health/ready")).status, 200);
            const health = await api.get("/api/v1/health/");
            assert.equal(health.status, 200);
            const body = health.json<Health>();
            assert.equal(body.status, "degraded");
            assert.equal(body.checks.search.status, "unhealthy");
            assert.equal(body.checks.objectStorage.status, "unhealthy");
            assert.equal(body.checks.database.status, "healthy");
        } finally {
            search.status = 200;
            search.body = { status: "available" };
            storage.status = 200;
            await api.stop();
        }
    });

    it("puts a job on a queue in Redis", async () => {
        const api = await start("api", { ...env(), WORKER_QUEUES: "mail" });
        try {
            const queued = await request(api.port, "/api/v1/jobs?queue=extraction", "POST", JSON.stringify({ id: "a1" }));
            assert.equal(queued.status, 202, queued.body);
            assert.equal(redis.cli("LRANGE", "extraction", "0", "-1"), '{"id":"a1"}');
            assert.equal((await request(api.port, "/api/v1/jobs", "POST", "not json")).status, 400);
        } finally {
            redis.cli("DEL", "extraction");
            await api.stop();
        }
    });
});
