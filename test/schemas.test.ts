import { strict as assert } from "node:assert";
import { schemaViolation } from "./schemas";

describe("schema validation", () => {
    const deployment = (spec: unknown) => ({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web" }, spec });
    const spec = {
        selector: { matchLabels: { app: "web" } },
        template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image: "nginx:1.27" }] } },
    };

    it("accepts a valid object", async () => {
        assert.equal(await schemaViolation(deployment(spec)), undefined);
    });

    it("rejects a field of the wrong type and a missing required field", async () => {
        assert.match((await schemaViolation(deployment({ ...spec, replicas: "two" }))) ?? "", /replicas/);
        assert.match((await schemaViolation(deployment({ template: spec.template }))) ?? "", /selector/);
    });
});
