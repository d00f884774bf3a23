import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import Ajv2020 from "ajv/dist/2020";
import { configReference, jsonSchemaPath, referencePath, stackFileSchema } from "../scripts/config-docs";
import * as YAML from "yaml";
import { listExampleStacks, listStacks, projectRoot, secretMarker, stackFile, type Manifest, type RegisteredResource } from "../scripts/offline";

const renderScript = path.join(projectRoot, "bin", "scripts", "render.js");

/** The Kubernetes objects of the render in `dir`. */
function readRender(dir: string): Manifest[] {
    return YAML.parseAllDocuments(fs.readFileSync(path.join(dir, "all.yaml"), "utf8")).map((d) => d.toJS() as Manifest);
}

function runRender(...args: string[]) {
    return spawnSync(process.execPath, [renderScript, ...args], { cwd: projectRoot, encoding: "utf8" });
}

/** A stack file for one test, outside the project: prod's config with `extra` appended. */
function withStackFile(stack: string, extra: string, body: (file: string) => void): void {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "appstack-stack-file-"));
    const file = path.join(dir, `Pulumi.${stack}.yaml`);
    fs.writeFileSync(file, `${fs.readFileSync(path.join(projectRoot, "Pulumi.prod.yaml"), "utf8")}\n${extra}`);
    try {
        body(file);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

describe("npm run render", () => {
    let outDir: string;
    beforeEach(() => (outDir = fs.mkdtempSync(path.join(os.tmpdir(), "appstack-render-"))));
    afterEach(() => fs.rmSync(outDir, { recursive: true, force: true }));

    it("writes one manifest per Kubernetes object, every resource and the outputs", () => {
        const result = runRender("--stack", "prod", "--out", outDir);
        assert.equal(result.status, 0, result.stderr);
        const resources = JSON.parse(fs.readFileSync(path.join(outDir, "resources.json"), "utf8")) as RegisteredResource[];
        const kubernetes = resources.filter((r) => r.type.startsWith("kubernetes:"));
        assert.equal(fs.readdirSync(path.join(outDir, "manifests")).length, kubernetes.length);
        for (const resource of resources) {
            for (const field of ["urn", "type", "name", "parent", "provider", "inputs"]) {
                assert.ok(field in resource, `${resource.urn} has no ${field}`);
            }
        }
        const outputs = JSON.parse(fs.readFileSync(path.join(outDir, "outputs.json"), "utf8")) as Record<string, unknown>;
        assert.equal(outputs.namespace, "appstack-prod");
    });

    it("writes one file in an order kubectl apply can follow on an empty cluster", () => {
        assert.equal(runRender("--stack", "prod", "--out", outDir).status, 0);
        const objects = YAML.parseAllDocuments(fs.readFileSync(path.join(outDir, "all.yaml"), "utf8")).map((d) => d.toJS() as Manifest);
        assert.equal(objects.length, fs.readdirSync(path.join(outDir, "manifests")).length);
        const position = (kind: string, name?: string) => objects.findIndex((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
        assert.equal(objects[0].kind, "Namespace");
        for (const kind of ["ServiceAccount", "ConfigMap", "Secret", "Service", "ResourceQuota"]) {
            assert.ok(position(kind) < position("Deployment") && position(kind) < position("Job"), `${kind} after a workload`);
        }
        assert.ok(position("Job") < position("Deployment", "appstack-api"), "the api before the migrations it waits for");
        assert.ok(position("Deployment") < position("HorizontalPodAutoscaler"));
    });

    it("prints a table of the objects and the outputs", () => {
        const result = runRender("--stack", "prod", "--out", outDir);
        assert.match(result.stdout, /^KIND +NAMESPACE +NAME\nNamespace +appstack-prod\n/);
        assert.match(result.stdout, /\nDeployment +appstack-prod +appstack-api\n/);
        assert.match(result.stdout, /\nOutputs:\nNAME +VALUE\n(.*\n)*namespace +appstack-prod\n/);
    });

    it("--diff names the objects added, removed and changed, with a unified diff", () => {
        assert.equal(runRender("--stack", "prod", "--out", outDir).status, 0);
        let stackFile = "";
        withStackFile("render-diff-test", "  appstack:api:\n    replicas: 7\n    autoscaling: { enabled: false }\n", (file) => {
            stackFile = file;
            const result = runRender("--stack", "render-diff-test", "--config-file", file, "--out", outDir, "--diff");
            assert.equal(result.status, 0, result.stderr);
            assert.match(result.stdout, /Diff against the previous render: 0 added, 1 removed, 1 changed/);
            assert.match(result.stdout, /\n- HorizontalPodAutoscaler\/appstack-prod\/appstack-api\n/);
            assert.match(result.stdout, /\n~ Deployment\/appstack-prod\/appstack-api\n--- previous\/Deployment/);
            assert.match(result.stdout, /\n\+ {2}replicas: 7\n/);
        });
        const again = runRender("--stack", "render-diff-test", "--config-file", stackFile, "--out", outDir, "--diff");
        assert.equal(again.status, 1, "the test stack file is gone");
        assert.match(again.stderr, /No config file/);
    });

    it("--diff of a changed setting reports the settings objects replaced, and the workloads whose pod template changes with them", () => {
        assert.equal(runRender("--stack", "prod", "--out", outDir).status, 0);
        const before = readRender(outDir);
        const document = YAML.parse(fs.readFileSync(path.join(projectRoot, "Pulumi.prod.yaml"), "utf8"));
        document.config["appstack:settings"].LOG_LEVEL = "debug";
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "appstack-stack-file-"));
        const file = path.join(dir, "Pulumi.prod.yaml");
        fs.writeFileSync(file, YAML.stringify(document));
        try {
            const result = runRender("--stack", "prod", "--config-file", file, "--out", outDir, "--diff");
            assert.equal(result.status, 0, result.stderr);
            const after = readRender(outDir);
            const settings = (objects: Manifest[]) =>
                objects.find((m) => m.kind === "ConfigMap" && m.metadata.labels?.["app.kubernetes.io/component"] === "settings")!.metadata.name!;
            const [oldName, newName] = [settings(before), settings(after)];
            assert.notEqual(newName, oldName);
            assert.match(result.stdout, /Diff against the previous render: 0 added, 0 removed, \d+ changed, 2 replaced\./);
            assert.ok(
                result.stdout.includes(
                    `\n+- ConfigMap/appstack-prod/${oldName}: replaced (data changes) by ${newName}, created before the old one is deleted\n`,
                ),
                result.stdout,
            );
            assert.ok(
                result.stdout.includes(
                    "\n+- ConfigMap/appstack-prod/appstack-migrate: replaced (data changes): deleted, then created under the same name\n   no pod template changes with it\n",
                ),
            );
            // The workloads that roll: exactly those whose pod template names the new ConfigMap.
            const readers = after.filter(
                (m) => ["Deployment", "StatefulSet", "CronJob", "Job"].includes(m.kind) && JSON.stringify(m.spec).includes(`"name":"${newName}"`),
            );
            assert.ok(readers.length >= 4);
            const listed = new RegExp(`\n   pod templates that refer to it change \\(Deployments, StatefulSets and DaemonSets roll\\): (.*)\n`)
                .exec(result.stdout)![1]
                .split(", ");
            assert.deepEqual(listed.sort(), readers.map((m) => `${m.kind}/appstack-prod/${m.metadata.name}`).sort());
            for (const reader of readers) {
                assert.ok(result.stdout.includes(`\n~ ${reader.kind}/appstack-prod/${reader.metadata.name} (its pod template changes`), reader.metadata.name);
            }
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("--out removes only the files it wrote before", () => {
        fs.mkdirSync(path.join(outDir, "manifests"));
        fs.writeFileSync(path.join(outDir, "manifests", "mine.yaml"), "kept");
        fs.writeFileSync(path.join(outDir, "notes.txt"), "kept");
        assert.equal(runRender("--stack", "prod", "--out", outDir).status, 0);
        withStackFile("render-out-test", "  appstack:api:\n    autoscaling: { enabled: false }\n", (file) => {
            assert.equal(runRender("--stack", "render-out-test", "--config-file", file, "--out", outDir).status, 0);
        });
        const files = fs.readdirSync(path.join(outDir, "manifests"));
        assert.ok(files.includes("mine.yaml") && fs.existsSync(path.join(outDir, "notes.txt")));
        assert.ok(!files.some((file) => file.includes("HorizontalPodAutoscaler_appstack-api")), "the stale file of the first render");
    });

    it("accepts the stack as Pulumi writes it, ORG/STACK", () => {
        const result = runRender("--stack", "acme/prod", "--out", outDir);
        assert.equal(result.status, 0, result.stderr);
        assert.match(result.stdout, /Rendered stack "prod"/);
    });

    it("answers --help, and reports argument errors with the usage before loading the program", () => {
        const help = runRender("--help");
        assert.equal(help.status, 0);
        assert.match(help.stdout, /^usage: npm run render -- --stack NAME/);
        for (const args of [["--stak", "prod"], [], ["--stack", "a/b/prod"], ["--stack", "prod", "extra"]]) {
            const result = runRender(...args, "--out", outDir);
            assert.equal(result.status, 2, `${args.join(" ")}: ${result.stderr}`);
            assert.match(result.stderr, /usage: npm run render|expected NAME/);
            assert.deepEqual(fs.readdirSync(outDir), []);
        }
    });

    it("turns encrypted secure: values into placeholders and masks them", () => {
        withStackFile("render-secure-test", "  appstack:secrets:\n    SECRET_KEY:\n      secure: v1:AAAABBBBCCCC\n", (file) => {
            const result = runRender("--stack", "render-secure-test", "--config-file", file, "--out", outDir);
            assert.equal(result.status, 0, result.stderr);
            const text = fs.readFileSync(path.join(outDir, "resources.json"), "utf8");
            assert.ok(!text.includes("v1:AAAABBBBCCCC") && !text.includes("[secure"));
            const secret = (JSON.parse(text) as RegisteredResource[]).find((r) => r.type === "kubernetes:core/v1:Secret")!;
            assert.deepEqual((secret.inputs as any).stringData, { SECRET_KEY: secretMarker });
        });
    });

    it("exits non-zero on invalid config with the problems and no stack trace", () => {
        const config = [
            "appstack:environment: prod",
            "appstack:target: {kind: existing}",
            "appstack:image: {repository: ghcr.io/acme/app, tag: latest}",
            "appstak:ingress: {enabled: false}",
            "appstack:secrets: {A: plain, B: {secure: v1:AAAABBBBCCCC}}",
        ];
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "appstack-stack-file-"));
        const stackFile = path.join(dir, "Pulumi.render-invalid-test.yaml");
        fs.writeFileSync(stackFile, `config:\n${config.map((line) => `  ${line}\n`).join("")}`);
        try {
            const result = runRender("--stack", "render-invalid-test", "--config-file", stackFile, "--out", outDir);
            assert.equal(result.status, 1);
            assert.match(result.stderr, /Invalid configuration of stack "render-invalid-test": 5 problems/);
            assert.match(result.stderr, /target\.kubeconfig/);
            assert.match(result.stderr, /image\.tag: got "latest"/);
            assert.match(result.stderr, /image\.digest: got nothing; allowed: a digest/);
            assert.match(result.stderr, /appstak:ingress: got a key in namespace "appstak".*did you mean `appstack:ingress`/);
            assert.match(result.stderr, /secrets\.A: got a plain-text value/);
            assert.doesNotMatch(result.stderr, /secrets\.B/);
            assert.doesNotMatch(result.stderr, /\n\s+at /);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("names the stack file that is not valid YAML, and where, with no stack trace", () => {
        withStackFile("render-yaml-test", "  appstack:settings: {LOG_LEVEL: [debug\n", (file) => {
            const result = runRender("--stack", "render-yaml-test", "--config-file", file, "--out", outDir);
            assert.equal(result.status, 1);
            assert.ok(result.stderr.startsWith(`${file}: `), result.stderr);
            assert.match(result.stderr, /at line \d+, column \d+/);
            assert.doesNotMatch(result.stderr, /\n\s+at /);
            assert.deepEqual(fs.readdirSync(outDir), []);
        });
    });

    it("names the stacks there are when asked for one that is not", () => {
        const result = runRender("--stack", "nope", "--out", outDir);
        assert.equal(result.status, 1);
        assert.match(result.stderr, /No stack file Pulumi\.nope\.yaml: the stacks are .*dev.*prod/);
    });
});

describe("the configuration reference in docs/configuration.md", () => {
    it("is in step with the schema and presets (`npm run docs` regenerates it)", () => {
        assert.equal(fs.readFileSync(referencePath, "utf8"), configReference());
    });

    it("documents every key with its meaning", () => {
        const rows = configReference()
            .split("\n")
            .filter((line) => line.startsWith("| `"));
        assert.ok(rows.length > 80);
        for (const row of rows) {
            const meaning = row.split(" | ").pop()!.replace(/\|$/, "").trim();
            assert.ok(meaning.length > 3, `no meaning in ${row}`);
        }
    });
});

describe("the stack file JSON Schema for editors", () => {
    const validate = new Ajv2020({ allErrors: true, strict: false }).compile(JSON.parse(fs.readFileSync(jsonSchemaPath, "utf8")));

    it("is in step with the schema (`npm run docs` regenerates it)", () => {
        assert.deepEqual(JSON.parse(fs.readFileSync(jsonSchemaPath, "utf8")), stackFileSchema());
    });

    it("accepts every committed and example stack file", () => {
        for (const stack of [...listStacks(), ...listExampleStacks()]) {
            assert.ok(validate(YAML.parse(fs.readFileSync(stackFile(stack), "utf8"))), `${stack}: ${JSON.stringify(validate.errors)}`);
        }
    });

    it("flags a misspelt key and a plain-text secret", () => {
        const document = YAML.parse("config:\n  appstack:environment: dev\n  appstack:api:\n    replcas: 3\n  appstack:secrets:\n    KEY: plain\n");
        assert.equal(validate(document), false);
        const paths = validate.errors!.map((error) => `${error.instancePath} ${JSON.stringify(error.params)}`).join("\n");
        assert.match(paths, /appstack:api .*replcas/);
        assert.match(paths, /appstack:secrets\/KEY/);
    });
});
