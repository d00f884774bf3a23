import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import type { Stack } from "@pulumi/pulumi/automation";
import { findEngine, openStack, stateDir, summaryLine, type Engine } from "../../scripts/engine";
import { chartSources, moduleDirectory } from "../chart-sources";
import { e2eStack, localCluster, type Kubectl } from "./support";

// A cluster add-on through the real engine on the local control plane: metrics-server from a
// chart directory (as an air-gapped user mirrors it; here the official chart from its Go module)
// installs, a second up changes nothing, and removing it from the config uninstalls it.

const addonsStack = { ...e2eStack, name: "e2e-addons", namespace: "appstack-e2e-addons", file: path.join(stateDir, "e2e-addons", "Pulumi.e2e-addons.yaml") };
const mirror = path.join(stateDir, "e2e-addons", "charts");

let engine: Engine;
let stack: Stack;
let kubectl: Kubectl;

async function configure(addons: Record<string, unknown> | undefined): Promise<void> {
    const document = YAML.parse(fs.readFileSync(addonsStack.file, "utf8")) as { config: Record<string, unknown> };
    if (addons) {
        document.config["appstack:addons"] = addons;
    } else {
        delete document.config["appstack:addons"];
    }
    fs.writeFileSync(addonsStack.file, YAML.stringify(document));
    stack = await openStack(engine, addonsStack.name, addonsStack.file);
}

async function up() {
    const result = await stack.up({ color: "never" });
    assert.equal(result.summary.result, "succeeded", result.stderr);
    return result.summary.resourceChanges ?? {};
}

describe("a cluster add-on through the engine", function () {
    before(async () => {
        kubectl = localCluster();
        engine = await findEngine();
        const source = chartSources.metricsServer;
        fs.rmSync(mirror, { recursive: true, force: true });
        fs.mkdirSync(mirror, { recursive: true });
        // Helm loads a chart directory itself, not a link to one.
        fs.cpSync(path.join(moduleDirectory(source), source.chart), path.join(mirror, "metrics-server"), { recursive: true });
        addonsStack.reset();
        stack = await openStack(engine, addonsStack.name, addonsStack.file);
        await addonsStack.generateSecrets(stack);
    });

    after(async () => {
        if (stack) await stack.destroy({ remove: true, color: "never" }).catch(() => undefined);
    });

    it("installs metrics-server from the mirrored chart, in its own namespace", async () => {
        await configure({ chartMirror: { directory: mirror }, metricsServer: { enabled: true } });
        await up();
        const deployment = JSON.parse(kubectl.run(["-n", "metrics-server", "get", "deployment", "metrics-server", "-o", "json"]));
        assert.equal(deployment.spec.replicas, 2);
        assert.equal(
            JSON.parse(kubectl.run(["get", "namespace", "metrics-server", "-o", "json"])).metadata.labels["pod-security.kubernetes.io/enforce"],
            "restricted",
        );
    });

    it("changes nothing on a second up", async () => {
        const changes = await up();
        // A read (of what the program looks up) changes nothing either.
        assert.deepEqual(
            Object.keys(changes).filter((op) => op !== "same" && op !== "read"),
            [],
            summaryLine(changes),
        );
    });

    it("uninstalls it when the config no longer asks for it", async () => {
        await configure(undefined);
        const changes = await up();
        assert.ok((changes.delete ?? 0) > 0, summaryLine(changes));
        assert.equal(kubectl.run(["-n", "metrics-server", "get", "deployments", "-o", "name", "--ignore-not-found"]).trim(), "");
    });
});
