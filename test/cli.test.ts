import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { configReference, readmePath, withReference } from "../scripts/config-docs";
import { projectRoot, secretMarker, type RegisteredResource } from "../scripts/offline";

const renderScript = path.join(projectRoot, "bin", "scripts", "render.js");

function runRender(...args: string[]) {
    return spawnSync(process.execPath, [renderScript, ...args], { cwd: projectRoot, encoding: "utf8" });
}

describe("npm run render", () => {
    let outDir: string;
    before(() => (outDir = fs.mkdtempSync(path.join(os.tmpdir(), "appstack-render-"))));
    after(() => fs.rmSync(outDir, { recursive: true, force: true }));

    it("writes one manifest per Kubernetes object and every resource", () => {
        const result = runRender("--stack", "prod", "--out", outDir);
        assert.equal(result.status, 0, result.stderr);
        const resources = JSON.parse(fs.readFileSync(path.join(outDir, "resources.json"), "utf8")) as RegisteredResource[];
        const kubernetes = resources.filter((r) => r.type.startsWith("kubernetes:"));
        assert.equal(fs.readdirSync(path.join(outDir, "manifests")).length, kubernetes.length);
        for (const resource of resources) {
            assert.deepEqual(Object.keys(resource).slice(0, 5), ["urn", "type", "name", "parent", "provider"]);
        }
    });

    it("turns encrypted secure: values into placeholders and masks them", () => {
        const stackFile = path.join(projectRoot, "Pulumi.render-secure-test.yaml");
        const prod = fs.readFileSync(path.join(projectRoot, "Pulumi.prod.yaml"), "utf8");
        fs.writeFileSync(stackFile, `${prod}\n  appstack:secrets:\n    SECRET_KEY:\n      secure: v1:AAAABBBBCCCC\n`);
        try {
            const result = runRender("--stack", "render-secure-test", "--out", outDir);
            assert.equal(result.status, 0, result.stderr);
            const text = fs.readFileSync(path.join(outDir, "resources.json"), "utf8");
            assert.ok(!text.includes("v1:AAAABBBBCCCC") && !text.includes("[secure"));
            const secret = (JSON.parse(text) as RegisteredResource[]).find((r) => r.type === "kubernetes:core/v1:Secret")!;
            assert.equal((secret.inputs as any).stringData, secretMarker);
        } finally {
            fs.rmSync(stackFile);
        }
    });

    it("exits non-zero on invalid config with the problems and no stack trace", () => {
        const stackFile = path.join(projectRoot, "Pulumi.render-invalid-test.yaml");
        fs.writeFileSync(stackFile, "config:\n  appstack:environment: prod\n  appstack:target: {kind: existing}\n  appstack:image: {repository: ghcr.io/acme/app, tag: latest}\n");
        try {
            const result = runRender("--stack", "render-invalid-test", "--out", outDir);
            assert.equal(result.status, 1);
            assert.match(result.stderr, /Invalid configuration of stack "render-invalid-test": 3 problems/);
            assert.match(result.stderr, /target\.kubeconfig/);
            assert.match(result.stderr, /image\.tag: got "latest"/);
            assert.match(result.stderr, /image\.digest: got nothing; allowed: a digest/);
            assert.doesNotMatch(result.stderr, /\n\s+at /);
        } finally {
            fs.rmSync(stackFile);
        }
    });

    it("names the stacks there are when asked for one that is not", () => {
        const result = runRender("--stack", "nope", "--out", outDir);
        assert.equal(result.status, 1);
        assert.match(result.stderr, /No stack file Pulumi\.nope\.yaml: the stacks are .*dev.*prod/);
    });
});

describe("the README's configuration reference", () => {
    it("is in step with the schema and presets (`npm run docs` regenerates it)", () => {
        const readme = fs.readFileSync(readmePath, "utf8");
        assert.equal(withReference(readme), readme);
    });

    it("documents every key with its meaning", () => {
        const rows = configReference().split("\n").filter((line) => line.startsWith("| `"));
        assert.ok(rows.length > 80);
        for (const row of rows) {
            const meaning = row.split(" | ").pop()!.replace(/\|$/, "").trim();
            assert.ok(meaning.length > 3, `no meaning in ${row}`);
        }
    });
});
