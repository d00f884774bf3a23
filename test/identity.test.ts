import { strict as assert } from "node:assert";
import { App } from "../components/app";
import type { DataStoreConnection } from "../components/data/connection";
import type { WorkloadIdentityHook, WorkloadIdentityRequest } from "../components/targets";
import { restrictedPodSecurity } from "../policy/podSecurity";
import { evaluate, manifestsOf, type Manifest } from "../scripts/offline";
import { appArgs } from "../stacks/schema";
import { schemaViolation } from "./schemas";
import { parseValues, settingsOf, stackValues } from "./support";

// How a store reached by cloud identity (a cloud's bucket: no keys) reaches the pods that use it:
// through the target's hook, once per ServiceAccount whose pods use such a store, and nowhere else.

const bucketPolicy = '{"Statement":[{"Effect":"Allow","Action":"s3:GetObject"}]}';

function connection(
    kind: DataStoreConnection["kind"],
    variables: Record<string, string>,
    cloudPermissions?: DataStoreConnection["cloudPermissions"],
): DataStoreConnection {
    return { kind, variables, secretVariables: {}, egress: [], waitFor: [], identity: kind, cloudPermissions };
}

const dataStores = [
    connection("postgres", { DATABASE_CA_CERT: "ca" }),
    connection("redis", { REDIS_CA_CERT: "ca" }),
    connection("objectStore", { S3_ENDPOINT: "https://s3.eu-west-1.amazonaws.com", S3_BUCKET: "b", S3_REGION: "eu-west-1" }, [
        { cloud: "aws", inlinePolicies: [bucketPolicy] },
    ]),
    connection("search", { MEILI_URL: "http://search" }),
];

interface Call {
    name: string;
    request: WorkloadIdentityRequest;
}

async function renderApp(hook: WorkloadIdentityHook | undefined): Promise<Manifest[]> {
    const config = parseValues("dev", stackValues("dev"));
    const ingress = { className: "nginx", annotations: {}, tlsAnnotations: {}, sources: [{ namespace: "ingress-nginx" }], publishesStatus: true };
    const { resources } = await evaluate("identity", settingsOf({}), async () => {
        new App("appstack", appArgs(config, { image: "registry.example.com/app:1", namespace: "appstack-dev", ingress, dataStores, workloadIdentity: hook }));
    });
    return manifestsOf(resources);
}

describe("cloud identities of the workloads", () => {
    const calls: Call[] = [];
    let manifests: Manifest[];
    const find = (kind: string, name: string) => manifests.find((m) => m.kind === kind && m.metadata.name === name) as any;

    before(async () => {
        manifests = await renderApp((name, request) => {
            calls.push({ name, request });
            return { serviceAccountAnnotations: { "cloud.example.com/identity": `${name}-identity` }, podLabels: { "cloud.example.com/use": "true" } };
        });
    });

    it("binds only the ServiceAccounts whose pods use a store reached by identity, each once, with that store's permission", () => {
        // In the dev stack the api and the extraction worker use the object store; the indexing
        // worker, the cron job and the migrations use other stores.
        assert.deepEqual(calls.map((call) => call.request.serviceAccountName).sort(), ["appstack-api", "appstack-worker-extraction"]);
        for (const call of calls) {
            assert.equal(call.request.namespace, "appstack-dev");
            assert.deepEqual(call.request.permissions, [{ cloud: "aws", inlinePolicies: [bucketPolicy] }]);
        }
        assert.equal(new Set(calls.map((call) => call.name)).size, calls.length, "a name per binding");
    });

    it("annotates the bound ServiceAccount and labels its pods, never the selector", () => {
        const bound = calls.map((call) => call.request.serviceAccountName as string);
        for (const call of calls) {
            const account = call.request.serviceAccountName as string;
            assert.equal(find("ServiceAccount", account).metadata.annotations["cloud.example.com/identity"], `${call.name}-identity`);
            const deployment = find("Deployment", account);
            assert.equal(deployment.spec.template.spec.serviceAccountName, account);
            assert.equal(deployment.spec.template.metadata.labels["cloud.example.com/use"], "true");
            assert.equal(deployment.spec.selector.matchLabels["cloud.example.com/use"], undefined);
        }
        for (const account of manifests.filter((m) => m.kind === "ServiceAccount" && !bound.includes(m.metadata.name!))) {
            assert.equal((account.metadata as any).annotations, undefined, account.metadata.name);
        }
        assert.equal(find("Deployment", "appstack-worker-indexing").spec.template.metadata.labels["cloud.example.com/use"], undefined);
    });

    it("gives the jobs' shared ServiceAccount an identity when a job uses such a store", async () => {
        const config = stackValues("dev") as any;
        const jobCalls: Call[] = [];
        const values = { ...config, cronJobs: config.cronJobs.map((job: any) => ({ ...job, uses: ["postgres", "objectStore"] })) };
        const parsed = parseValues("dev", values);
        const ingress = { className: "nginx", annotations: {}, tlsAnnotations: {}, sources: [{ namespace: "ingress-nginx" }], publishesStatus: true };
        const { resources } = await evaluate("identity-jobs", settingsOf({}), async () => {
            new App(
                "appstack",
                appArgs(parsed, {
                    image: "registry.example.com/app:1",
                    namespace: "appstack-dev",
                    ingress,
                    dataStores,
                    workloadIdentity: (name, request) => {
                        jobCalls.push({ name, request });
                        return { serviceAccountAnnotations: { "cloud.example.com/identity": name }, podLabels: { "cloud.example.com/use": "true" } };
                    },
                }),
            );
        });
        const rendered = manifestsOf(resources) as any[];
        assert.deepEqual(jobCalls.map((call) => call.request.serviceAccountName).sort(), ["appstack-api", "appstack-jobs", "appstack-worker-extraction"]);
        const cron = rendered.find((m) => m.kind === "CronJob");
        assert.equal(cron.spec.jobTemplate.spec.template.metadata.labels["cloud.example.com/use"], "true");
        assert.equal(cron.spec.jobTemplate.spec.template.spec.serviceAccountName, "appstack-jobs");
    });

    it("keeps every object valid and every pod restricted", async () => {
        assert.deepEqual(restrictedPodSecurity(manifests as any), []);
        for (const manifest of manifests) {
            assert.equal(await schemaViolation(manifest), undefined, `${manifest.kind}/${manifest.metadata.name}`);
        }
    });

    it("refuses a store reached by identity on a target that binds none", async () => {
        await assert.rejects(renderApp(undefined), /binds no cloud identities/);
    });
});
