import * as grpc from "@grpc/grpc-js";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import { AnalyzeRequest, AnalyzerResourceOptions, type AnalyzeResponse, type AnalyzerInfo } from "@pulumi/pulumi/proto/analyzer_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { strict as assert } from "node:assert";
import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import { packName, policies } from "../policy/pack";
import { projectRoot } from "../scripts/offline";

// The pack as `pulumi preview --policy-pack policy` starts it: the engine runs the SDK's policy
// pack runner in the pack's folder and speaks the analyzer protocol to the port it prints.

describe("the policy pack served as the engine serves it", function () {
    this.timeout(60_000);
    let runner: ChildProcess;
    let client: AnalyzerClient;

    before(async () => {
        const packRunner = require.resolve("@pulumi/pulumi/cmd/run-policy-pack");
        runner = spawn(process.execPath, [packRunner, "127.0.0.1:0", "."], { cwd: path.join(projectRoot, "policy"), stdio: ["ignore", "pipe", "inherit"] });
        const port = await new Promise<string>((resolve, reject) => {
            runner.stdout!.once("data", (data) => resolve(String(data).trim()));
            runner.once("exit", (code) => reject(new Error(`the policy pack exited with ${code} before serving`)));
        });
        client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    });

    after(() => {
        client?.close();
        runner?.kill();
    });

    it("lists every policy of the pack with its level", async () => {
        const info = await new Promise<AnalyzerInfo>((resolve, reject) =>
            client.getAnalyzerInfo(new Empty(), (error, response) => (error ? reject(error) : resolve(response))),
        );
        assert.equal(info.getName(), packName);
        assert.deepEqual(
            info.getPoliciesList().map((policy) => policy.getName()),
            policies.map((policy) => policy.name),
        );
    });

    it("rejects an unpinned image in a resource the engine hands it", async () => {
        const request = new AnalyzeRequest();
        request.setType("kubernetes:batch/v1:Job");
        request.setUrn("urn:pulumi:dev::appstack::kubernetes:batch/v1:Job::migrate");
        request.setName("migrate");
        request.setOptions(new AnalyzerResourceOptions());
        const container = { name: "migrate", image: "ghcr.io/acme/app:latest" };
        request.setProperties(
            Struct.fromJavaScript({
                apiVersion: "batch/v1",
                kind: "Job",
                metadata: { name: "migrate", namespace: "shop" },
                spec: { template: { spec: { containers: [container] } } },
            }),
        );
        const response = await new Promise<AnalyzeResponse>((resolve, reject) =>
            client.analyze(request, (error, result) => (error ? reject(error) : resolve(result))),
        );
        const pinning = response.getDiagnosticsList().filter((diagnostic) => diagnostic.getPolicyname() === "images-pinned");
        assert.equal(pinning.length, 1);
        assert.match(pinning[0].getMessage(), /runs image "ghcr.io\/acme\/app:latest", which is not pinned/);
    });
});
