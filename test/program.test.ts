import { strict as assert } from "node:assert";
import * as YAML from "yaml";
import { podTemplates } from "../policy/objects";
import * as path from "node:path";
import { listStacks, projectRoot, type Manifest } from "../scripts/offline";
import { schemaViolation } from "./schemas";
import { clone, render, renderCommitted, stackValues, type Rendered } from "./support";

const secretValue = "s3cr3t-value-that-must-never-show";
const kubeconfigValue = "apiVersion: v1\nkind: Config\nusers: [{name: admin, user: {token: kubeconfig-token-never-shown}}]";

for (const stack of listStacks()) {
    describe(`the ${stack} stack`, () => {
        let rendered: Rendered;
        before(async () => {
            const values = stackValues(stack);
            rendered = await render(stack, values, { secrets: { SECRET_KEY: secretValue, DATABASE_PASSWORD: `${secretValue}-2` } });
        });

        it("registers Kubernetes objects that are valid against the official schemas", async () => {
            assert.ok(rendered.manifests.length > 15);
            const violations = await Promise.all(rendered.manifests.map(schemaViolation));
            assert.deepEqual(violations.filter(Boolean), []);
        });

        it("gives every resource its own URN", () => {
            const urns = rendered.resources.map((r) => r.urn);
            assert.equal(new Set(urns).size, urns.length);
        });

        it("parents every resource under a component and registers every Kubernetes object with the target's provider", () => {
            const stackUrn = rendered.resources.find((r) => r.type === "pulumi:pulumi:Stack")!.urn;
            const providers = rendered.resources.filter((r) => r.type === "pulumi:providers:kubernetes");
            assert.equal(providers.length, 1);
            for (const resource of rendered.resources) {
                if (resource.type === "pulumi:pulumi:Stack") continue;
                assert.ok(resource.parent, `${resource.urn} has no parent`);
                if (resource.custom) {
                    assert.notEqual(resource.parent, stackUrn, `${resource.urn} is not inside a component`);
                }
                if (resource.type.startsWith("kubernetes:")) {
                    assert.ok(resource.provider.startsWith(`${providers[0].urn}::`), `${resource.urn} uses provider ${resource.provider}`);
                }
            }
        });

        it("shows no secret in plain text in resources, manifests or outputs", () => {
            const everything = JSON.stringify(rendered.resources) + rendered.manifests.map((m) => YAML.stringify(m)).join("\n") + JSON.stringify(rendered.outputs);
            assert.ok(!everything.includes(secretValue));
            const configMap = rendered.manifests.find((m) => m.kind === "ConfigMap")!;
            assert.ok(!Object.keys(configMap.data as object).includes("SECRET_KEY"));
        });

        it("reads each secret by secretKeyRef and the settings from the ConfigMap", () => {
            const configMap = rendered.manifests.find((m) => m.kind === "ConfigMap")!;
            const secret = rendered.manifests.find((m) => m.kind === "Secret")!;
            const api = rendered.find("Deployment", "appstack-api") as any;
            const container = api.spec.template.spec.containers[0];
            assert.deepEqual(container.envFrom, [{ configMapRef: { name: configMap.metadata.name } }]);
            const secretRefs = container.env.filter((e: any) => e.valueFrom?.secretKeyRef).map((e: any) => e.valueFrom.secretKeyRef);
            assert.deepEqual(secretRefs, [
                { name: secret.metadata.name, key: "SECRET_KEY" },
                { name: secret.metadata.name, key: "DATABASE_PASSWORD" },
            ]);
        });

        it("runs the migrations Job before the api rolls out", () => {
            const job = rendered.resources.find((r) => r.type === "kubernetes:batch/v1:Job")!;
            const api = rendered.resources.find((r) => r.type === "kubernetes:apps/v1:Deployment" && (r.inputs as any).metadata.name === "appstack-api")!;
            assert.ok(api.dependencies.includes(job.urn));
            assert.equal((job.inputs as any).spec.template.spec.restartPolicy, "Never");
        });

        it("denies all traffic by default and allows DNS", () => {
            const deny = rendered.find("NetworkPolicy", "appstack-default-deny") as any;
            assert.deepEqual(deny.spec, { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
            const dns = rendered.find("NetworkPolicy", "appstack-allow-dns") as any;
            assert.deepEqual(dns.spec.egress[0].ports, [
                { protocol: "UDP", port: 53 },
                { protocol: "TCP", port: 53 },
            ]);
        });

        it("enforces restricted Pod Security on the namespace", () => {
            const namespace = rendered.manifests.find((m) => m.kind === "Namespace")!;
            assert.equal(namespace.metadata.labels!["pod-security.kubernetes.io/enforce"], "restricted");
        });

        it("lets no worker be reached and lets workers reach only what they declare", () => {
            for (const worker of ["extraction", "indexing"]) {
                const policy = rendered.find("NetworkPolicy", `appstack-worker-${worker}`) as any;
                assert.deepEqual(policy.spec.ingress, []);
                assert.deepEqual(policy.spec.policyTypes, ["Ingress", "Egress"]);
            }
        });

        it("gives long-running workers their grace period and exec probes", () => {
            const extraction = rendered.find("Deployment", "appstack-worker-extraction") as any;
            const pod = extraction.spec.template.spec;
            assert.equal(pod.terminationGracePeriodSeconds, 3600);
            assert.ok(pod.containers[0].readinessProbe.exec.command.length > 0);
            assert.equal(pod.containers[0].ports, undefined);
            assert.ok(!rendered.manifests.some((m) => m.kind === "Service" && m.metadata.name === "appstack-worker-extraction"));
        });

        it("schedules CronJobs that never overlap", () => {
            const cron = rendered.find("CronJob", "appstack-cron-sync") as any;
            assert.equal(cron.spec.concurrencyPolicy, "Forbid");
            assert.ok(cron.spec.startingDeadlineSeconds > 0);
            assert.ok(cron.spec.jobTemplate.spec.activeDeadlineSeconds > 0);
        });

        it("probes the api on the documented health endpoints and pauses before stopping", () => {
            const api = (rendered.find("Deployment", "appstack-api") as any).spec.template.spec;
            const container = api.containers[0];
            assert.equal(container.startupProbe.httpGet.path, "/api/v1/health/startup");
            assert.equal(container.livenessProbe.httpGet.path, "/api/v1/health/live");
            assert.equal(container.readinessProbe.httpGet.path, "/api/v1/health/ready");
            assert.equal(container.lifecycle.preStop.sleep.seconds, 15);
            assert.equal(api.terminationGracePeriodSeconds, 30);
            const strategy = (rendered.find("Deployment", "appstack-api") as any).spec.strategy;
            assert.deepEqual(strategy.rollingUpdate, { maxSurge: 1, maxUnavailable: 0 });
        });
    });
}

describe("environment presets", () => {
    it("dev runs one replica of each workload, with no autoscaler, budget or protection", async () => {
        const dev = await renderCommitted("dev");
        for (const deployment of dev.manifests.filter((m) => m.kind === "Deployment")) {
            assert.equal((deployment as any).spec.replicas, 1, deployment.metadata.name);
        }
        assert.ok(!dev.manifests.some((m) => m.kind === "HorizontalPodAutoscaler" || m.kind === "PodDisruptionBudget"));
        assert.ok(dev.resources.every((r) => !r.protect));
    });

    it("prod runs at least two replicas of every serving workload, autoscaled, budgeted, spread, protected", async () => {
        const prod = await renderCommitted("prod");
        const deployments = prod.manifests.filter((m) => m.kind === "Deployment");
        assert.equal(deployments.length, 4);
        for (const deployment of deployments) {
            const hpa = prod.find("HorizontalPodAutoscaler", deployment.metadata.name!) as any;
            assert.ok(hpa.spec.minReplicas >= 2, deployment.metadata.name);
            prod.find("PodDisruptionBudget", deployment.metadata.name!);
            const spread = (deployment as any).spec.template.spec.topologySpreadConstraints.map((c: any) => c.topologyKey);
            assert.deepEqual(spread, ["kubernetes.io/hostname", "topology.kubernetes.io/zone"]);
        }
        const namespace = prod.resources.find((r) => r.type === "kubernetes:core/v1:Namespace")!;
        assert.ok(namespace.protect);
    });

    it("prod autoscales on CPU and memory with the agreed behaviour", async () => {
        const prod = await renderCommitted("prod");
        const api = prod.find("HorizontalPodAutoscaler", "appstack-api") as any;
        assert.deepEqual(
            api.spec.metrics.map((m: any) => [m.resource.name, m.resource.target.averageUtilization]),
            [
                ["cpu", 70],
                ["memory", 80],
            ],
        );
        assert.deepEqual(api.spec.behavior.scaleUp.policies, [
            { type: "Percent", value: 50, periodSeconds: 15 },
            { type: "Pods", value: 2, periodSeconds: 15 },
        ]);
        assert.equal(api.spec.behavior.scaleDown.stabilizationWindowSeconds, 300);
        const extraction = prod.find("HorizontalPodAutoscaler", "appstack-worker-extraction") as any;
        assert.equal(extraction.spec.behavior.scaleDown.policies[0].periodSeconds, 90);
        assert.equal(extraction.spec.behavior.scaleDown.stabilizationWindowSeconds, 600);
        // The autoscaler owns the replica count.
        assert.equal((prod.find("Deployment", "appstack-api") as any).spec.replicas, undefined);
    });
});

describe("changes", () => {
    const migrationJob = (rendered: Rendered) => rendered.manifests.find((m) => m.kind === "Job")!.metadata.name;
    const registered = (rendered: Rendered, kind: string) => rendered.resources.find((r) => r.type === `kubernetes:core/v1:${kind}`)!;

    it("keeps settings and secrets in immutable objects that the provider names, so a change replaces them under a new name", async () => {
        const rendered = await render("dev", stackValues("dev"), { secrets: { SECRET_KEY: "one" } });
        for (const kind of ["ConfigMap", "Secret"]) {
            const inputs = registered(rendered, kind).inputs as any;
            assert.equal(inputs.immutable, true, kind);
            // The mock provider names it as the real one would: the resource's name and a suffix.
            assert.match(inputs.metadata.name, /^appstack-(settings|secrets)-[0-9a-f]{8}$/, kind);
        }
        const provider = rendered.resources.find((r) => r.type === "pulumi:providers:kubernetes")!.inputs as Record<string, unknown>;
        assert.equal(provider.enableConfigMapMutable, undefined);
        assert.equal(provider.enableSecretMutable, undefined);
        for (const { object } of podTemplates(rendered.manifests)) {
            const template = object.kind === "CronJob" ? object.spec.jobTemplate.spec.template : object.spec.template;
            assert.equal(template.metadata.annotations, undefined, `${object.kind} ${object.metadata.name}`);
        }
    });

    it("shows nothing derived from a secret value: two values render identically", async () => {
        const values = stackValues("prod");
        const one = await render("prod", values, { secrets: { SECRET_KEY: "first-value" } });
        const two = await render("prod", values, { secrets: { SECRET_KEY: "second-value" } });
        assert.deepEqual(two.resources, one.resources);
        assert.deepEqual(two.outputs, one.outputs);
    });

    it("creates no Secret for a stack without secrets, and no pod refers to one", async () => {
        const rendered = await renderCommitted("dev");
        assert.ok(!rendered.manifests.some((m) => m.kind === "Secret"));
        assert.ok(!JSON.stringify(rendered.manifests).includes("secretKeyRef"));
    });

    it("renders each secret key with a masked value, as a valid Secret", async () => {
        const rendered = await render("dev", stackValues("dev"), { secrets: { SECRET_KEY: secretValue, DATABASE_PASSWORD: secretValue } });
        const secret = rendered.manifests.find((m) => m.kind === "Secret")!;
        assert.deepEqual(secret.stringData, { SECRET_KEY: "[secret]", DATABASE_PASSWORD: "[secret]" });
        assert.equal(await schemaViolation(secret), undefined);
    });

    it("runs the migrations again for a new image, not for new settings", async () => {
        const values = stackValues("dev");
        const base = await render("dev", values);
        const newImage = await render("dev", { ...values, image: { repository: "ghcr.io/acme/appstack-app", tag: "4a0d3e2" } });
        const newSetting = await render("dev", { ...values, settings: { LOG_LEVEL: "warning" } });
        assert.notEqual(migrationJob(newImage), migrationJob(base));
        assert.equal(migrationJob(newSetting), migrationJob(base));
    });

    it("pins the image by digest when one is given", async () => {
        const digest = `sha256:${"ab".repeat(32)}`;
        const rendered = await render("dev", { ...stackValues("dev"), image: { repository: "ghcr.io/acme/appstack-app", tag: "3f9c2a1", digest } });
        const images = podTemplates(rendered.manifests).flatMap(({ podSpec }) => podSpec.containers.map((c: any) => c.image));
        assert.ok(images.every((image: string) => image === `ghcr.io/acme/appstack-app@${digest}`));
    });

    it("passes a kubeconfig secret to the provider without showing it", async () => {
        const values = clone(stackValues("dev"));
        values.target = { kind: "existing" };
        const rendered = await render("dev", values, { target: { kind: "existing", kubeconfig: kubeconfigValue } });
        const provider = rendered.resources.find((r) => r.type === "pulumi:providers:kubernetes")!;
        assert.ok(!JSON.stringify(rendered.resources).includes("kubeconfig-token-never-shown"));
        assert.equal((provider.inputs as any).kubeconfig, "[secret]");
    });
});

describe("ingress", () => {
    const ingressWith = async (tls: unknown) => {
        const rendered = await render("prod", { ...stackValues("prod"), ingress: { enabled: true, host: "shop.example.com", tls } });
        return rendered.find("Ingress", "appstack") as Manifest & { spec: any };
    };

    it("asks cert-manager for a certificate and forces HTTPS", async () => {
        const ingress = await ingressWith({ mode: "cert-manager", clusterIssuer: "letsencrypt-prod" });
        assert.equal(ingress.metadata.annotations!["cert-manager.io/cluster-issuer"], "letsencrypt-prod");
        assert.equal(ingress.metadata.annotations!["nginx.ingress.kubernetes.io/force-ssl-redirect"], "true");
        assert.deepEqual(ingress.spec.tls, [{ hosts: ["shop.example.com"], secretName: "appstack-tls" }]);
        assert.equal(ingress.spec.ingressClassName, "nginx");
    });

    it("uses a given TLS secret", async () => {
        const ingress = await ingressWith({ mode: "secret", secretName: "shop-cert" });
        assert.equal(ingress.spec.tls[0].secretName, "shop-cert");
        assert.equal(ingress.metadata.annotations!["cert-manager.io/cluster-issuer"], undefined);
    });

    it("routes /api to the api and the rest to the frontend, and opens exactly those paths", async () => {
        const rendered = await renderCommitted("prod");
        const paths = (rendered.find("Ingress", "appstack") as any).spec.rules[0].http.paths.map((p: any) => [p.path, p.backend.service.name]);
        assert.deepEqual(paths, [
            ["/api", "appstack-api"],
            ["/", "appstack-frontend"],
        ]);
        const api = rendered.find("NetworkPolicy", "appstack-api") as any;
        const sources = api.spec.ingress.map((rule: any) => rule.from[0]);
        assert.deepEqual(sources, [
            { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ingress-nginx" } } },
            { podSelector: { matchLabels: { "app.kubernetes.io/name": "appstack", "app.kubernetes.io/component": "frontend" } } },
            { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } },
        ]);
        assert.ok(api.spec.ingress.every((rule: any) => rule.ports[0].port === 8000));
        const frontend = rendered.find("NetworkPolicy", "appstack-frontend") as any;
        assert.deepEqual(frontend.spec.egress, [
            {
                to: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "appstack", "app.kubernetes.io/component": "api" } } }],
                ports: [{ protocol: "TCP", port: 8000 }],
            },
        ]);
    });
});

describe("the local target", () => {
    it("points the provider at the control plane's kubeconfig in the project, whatever the working directory", async () => {
        const rendered = await renderCommitted("local");
        const provider = rendered.resources.find((r) => r.type === "pulumi:providers:kubernetes")!.inputs as Record<string, unknown>;
        assert.equal(provider.kubeconfig, path.join(projectRoot, ".appstack", "local", "kubeconfig"));
        assert.equal(provider.clusterIdentifier, "appstack-local");
    });

    it("does not wait for an Ingress address that no controller will publish", async () => {
        const rendered = await renderCommitted("local");
        assert.equal(rendered.find("Ingress", "appstack").metadata.annotations!["pulumi.com/skipAwait"], "true");
        const prod = await renderCommitted("prod");
        assert.equal(prod.find("Ingress", "appstack").metadata.annotations!["pulumi.com/skipAwait"], undefined);
    });
});
