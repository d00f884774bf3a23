import { strict as assert } from "node:assert";
import * as YAML from "yaml";
import { podTemplates } from "../policy/objects";
import * as path from "node:path";
import { evaluateProgram, listStacks, projectRoot, type Manifest, type RegisteredResource } from "../scripts/offline";
import { schemaViolation } from "./schemas";
import { clone, render, renderCommitted, settingsOf, settingsRead, stackValues, type Rendered } from "./support";

const secretValue = "s3cr3t-value-that-must-never-show";
const kubeconfigValue = "apiVersion: v1\nkind: Config\nusers: [{name: admin, user: {token: kubeconfig-token-never-shown}}]";

const monitored = (stack: string) => (stackValues(stack).monitoring as { enabled?: boolean } | undefined)?.enabled === true;

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
            const components = new Map(rendered.resources.filter((r) => !r.custom).map((r) => [r.urn, r.type]));
            for (const resource of rendered.resources) {
                if (resource.type === "pulumi:pulumi:Stack") continue;
                // Every resource's parent is one of this program's components, or the stack for
                // the components the composition root creates.
                const parentType = components.get(resource.parent);
                assert.ok(
                    parentType?.startsWith("appstack:") || (!resource.custom && resource.parent === stackUrn),
                    `${resource.urn} has parent ${resource.parent}`,
                );
                if (resource.type.startsWith("kubernetes:")) {
                    assert.ok(resource.provider.startsWith(`${providers[0].urn}::`), `${resource.urn} uses provider ${resource.provider}`);
                }
            }
        });

        it("shows no secret in plain text in resources, manifests or outputs", () => {
            const everything =
                JSON.stringify(rendered.resources) + rendered.manifests.map((m) => YAML.stringify(m)).join("\n") + JSON.stringify(rendered.outputs);
            assert.ok(!everything.includes(secretValue));
            const configMaps = rendered.manifests.filter((m) => m.kind === "ConfigMap");
            assert.ok(configMaps.length > 0);
            for (const configMap of configMaps) {
                assert.ok(!Object.keys(configMap.data as object).includes("SECRET_KEY"), configMap.metadata.name);
            }
        });

        it("reads the secrets (by secretKeyRef, the migrations Job whole) and the settings from a ConfigMap, in every pod that runs the app image", () => {
            const image = (rendered.find("Deployment", "appstack-api") as any).spec.template.spec.containers[0].image;
            const appPods = podTemplates(rendered.manifests).filter(({ podSpec }) => podSpec.containers[0].image === image);
            assert.ok(appPods.length >= 5);
            for (const { object, podSpec } of appPods) {
                const { configMap, secret, whole } = settingsRead(rendered.manifests, podSpec);
                assert.equal(configMap.data!.LOG_FORMAT, "json", object.metadata.name);
                assert.deepEqual(Object.keys(secret!.stringData as object).sort(), ["DATABASE_PASSWORD", "SECRET_KEY"], object.metadata.name);
                // The Job's spec must not change when a secret key is added: it would run again.
                assert.equal(whole, object.kind === "Job", object.metadata.name);
                if (whole) continue;
                const secretRefs = podSpec.containers[0].env
                    .filter((e: any) => e.valueFrom?.secretKeyRef?.name === secret!.metadata.name)
                    .map((e: any) => e.valueFrom.secretKeyRef);
                assert.deepEqual(secretRefs, [
                    { name: secret!.metadata.name, key: "SECRET_KEY" },
                    { name: secret!.metadata.name, key: "DATABASE_PASSWORD" },
                ]);
            }
        });

        it("rolls nothing onto the app image before its migrations Job completes", () => {
            const jobs = rendered.resources.filter(
                (r) => r.type === "kubernetes:batch/v1:Job" && (r.inputs as any).metadata.name.startsWith("appstack-migrate-"),
            );
            assert.equal(jobs.length, 1);
            const [job] = jobs;
            const image = (job.inputs as any).spec.template.spec.containers[0].image;
            const consumers = rendered.resources.filter((r) => {
                const owner = podTemplates([r.inputs as any]);
                return r !== job && owner.length === 1 && owner[0].podSpec.containers.some((c: any) => c.image === image);
            });
            // The api, both workers and the cron job.
            assert.equal(consumers.length, 4);
            for (const consumer of consumers) {
                assert.ok(consumer.dependencies.includes(job.urn), `${consumer.urn} does not wait for ${job.urn}`);
            }
            assert.equal((job.inputs as any).spec.template.spec.restartPolicy, "Never");
        });

        it("denies all traffic by default and allows DNS", () => {
            const deny = rendered.find("NetworkPolicy", "appstack-default-deny") as any;
            assert.deepEqual(deny.spec, { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
            const dns = rendered.find("NetworkPolicy", "appstack-allow-dns") as any;
            // The existing and local targets name CoreDNS where most distributions run it.
            assert.deepEqual(dns.spec.egress[0].to, [
                {
                    namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
                    podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
                },
            ]);
            assert.deepEqual(dns.spec.egress[0].ports, [
                { protocol: "UDP", port: 53 },
                { protocol: "TCP", port: 53 },
            ]);
        });

        it("enforces restricted Pod Security on the namespace", () => {
            const namespace = rendered.manifests.find((m) => m.kind === "Namespace")!;
            assert.equal(namespace.metadata.labels!["pod-security.kubernetes.io/enforce"], "restricted");
        });

        it("lets nothing but Prometheus reach a worker, on its metrics port, and lets workers reach only what they declare", () => {
            for (const worker of ["extraction", "indexing"]) {
                const policy = rendered.find("NetworkPolicy", `appstack-worker-${worker}`) as any;
                assert.deepEqual(policy.spec.policyTypes, ["Ingress", "Egress"]);
                assert.deepEqual(
                    policy.spec.ingress.map((rule: any) => [rule.from[0].podSelector.matchLabels, rule.ports]),
                    monitored(stack) ? [[{ "app.kubernetes.io/name": "prometheus" }, [{ protocol: "TCP", port: 9464 }]]] : [],
                );
                // The stores its config names, and nothing beyond (DNS is the namespace's rule).
                const reached = policy.spec.egress.map((rule: any) => rule.to[0].podSelector.matchLabels["app.kubernetes.io/component"]);
                assert.deepEqual(reached, worker === "extraction" ? ["postgres", "redis", "objectstore"] : ["postgres", "redis", "search"]);
            }
        });

        it("gives long-running workers their grace period and exec probes", () => {
            const extraction = rendered.find("Deployment", "appstack-worker-extraction") as any;
            const pod = extraction.spec.template.spec;
            assert.equal(pod.terminationGracePeriodSeconds, 3600);
            assert.ok(pod.containers[0].readinessProbe.exec.command.length > 0);
            // It serves only its metrics, to Prometheus where monitoring is on, and has no Service.
            assert.deepEqual(pod.containers[0].ports, monitored(stack) ? [{ name: "metrics", containerPort: 9464, protocol: "TCP" }] : undefined);
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
        assert.ok(!dev.manifests.some((m) => m.kind === "HorizontalPodAutoscaler"));
        // The only budgets are the data stores', which let a drain stop their single replica.
        const budgets = dev.manifests.filter((m) => m.kind === "PodDisruptionBudget").map((m) => m.metadata.name);
        assert.deepEqual(budgets.sort(), ["appstack-objectstore", "appstack-postgres", "appstack-redis", "appstack-search"]);
        assert.deepEqual(
            dev.resources.filter((r) => r.protect),
            [],
        );
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
    });

    it("prod spreads each revision on its own, lets drains evict unhealthy pods, reserves local disk", async () => {
        const prod = await renderCommitted("prod");
        for (const deployment of prod.manifests.filter((m) => m.kind === "Deployment")) {
            const pod = (deployment as any).spec.template.spec;
            for (const constraint of pod.topologySpreadConstraints) {
                assert.deepEqual(constraint.matchLabelKeys, ["pod-template-hash"], deployment.metadata.name);
            }
            assert.ok(pod.containers[0].resources.requests["ephemeral-storage"], deployment.metadata.name);
            const budget = prod.find("PodDisruptionBudget", deployment.metadata.name!) as any;
            assert.equal(budget.spec.unhealthyPodEvictionPolicy, "AlwaysAllow");
        }
        const job = prod.manifests.find((m) => m.kind === "Job") as any;
        assert.ok(job.spec.template.spec.containers[0].resources.requests["ephemeral-storage"]);
    });

    it("probes workers' liveness locally, their readiness through the queue, and gives them no pause before stopping", async () => {
        for (const stack of ["dev", "prod"]) {
            const rendered = await renderCommitted(stack);
            for (const worker of ["extraction", "indexing"]) {
                const container = (rendered.find("Deployment", `appstack-worker-${worker}`) as any).spec.template.spec.containers[0];
                assert.deepEqual(container.readinessProbe.exec.command, ["python", "-m", "app.worker_ping"]);
                for (const probe of [container.livenessProbe, container.startupProbe]) {
                    assert.notDeepEqual(probe.exec.command, container.readinessProbe.exec.command);
                    assert.match(probe.exec.command.join(" "), /worker-heartbeat/);
                }
                assert.equal(container.lifecycle, undefined);
            }
        }
    });
});

describe("autoscaling", () => {
    const deploymentOf = (rendered: Rendered, name: string) =>
        rendered.resources.find((r) => r.type === "kubernetes:apps/v1:Deployment" && (r.inputs as any).metadata.name === name)!;

    it("starts an autoscaled Deployment at minReplicas and leaves the count to the autoscaler afterwards", async () => {
        const prod = await renderCommitted("prod");
        const api = deploymentOf(prod, "appstack-api");
        // On creation the engine sends the program's value: the autoscaler's minimum, not 1.
        assert.equal((api.inputs as any).spec.replicas, (prod.find("HorizontalPodAutoscaler", "appstack-api") as any).spec.minReplicas);
        assert.deepEqual(api.ignoreChanges, ["spec.replicas"]);
    });

    it("keeps a running Deployment's count when autoscaling is turned on", async () => {
        const values = stackValues("dev");
        const fixed = await render("dev", { ...values, api: { replicas: 3 } });
        const scaled = await render("dev", { ...values, api: { replicas: 3, autoscaling: { enabled: true, minReplicas: 3, maxReplicas: 6 } } });
        // Before: the program owns the count.
        assert.equal((deploymentOf(fixed, "appstack-api").inputs as any).spec.replicas, 3);
        assert.deepEqual(deploymentOf(fixed, "appstack-api").ignoreChanges, []);
        // After: the field is still sent (never dropped, which would reset it to 1), and from now
        // on the engine keeps the value it last applied, until the autoscaler takes the field over.
        assert.equal((deploymentOf(scaled, "appstack-api").inputs as any).spec.replicas, 3);
        assert.deepEqual(deploymentOf(scaled, "appstack-api").ignoreChanges, ["spec.replicas"]);
        scaled.find("HorizontalPodAutoscaler", "appstack-api");
    });
});

describe("changes", () => {
    it("keeps settings and secrets in immutable objects that the provider names, so a change replaces them under a new name", async () => {
        const rendered = await render("dev", stackValues("dev"), { secrets: { SECRET_KEY: "one" } });
        const api = (rendered.find("Deployment", "appstack-api") as any).spec.template.spec;
        const read = settingsRead(rendered.manifests, api);
        for (const object of [read.configMap, read.secret!]) {
            const registration = rendered.resources.find(
                (r) => r.type === `kubernetes:core/v1:${object.kind}` && (r.inputs as any).metadata.name === object.metadata.name,
            )!;
            assert.equal((registration.inputs as any).immutable, true, object.kind);
            // The mock provider names it as the real one would: the resource's name and a suffix.
            assert.match(object.metadata.name!, /^appstack-(settings|secrets)-[0-9a-f]{8}$/, object.kind);
        }
        const provider = rendered.resources.find((r) => r.type === "pulumi:providers:kubernetes")!.inputs as Record<string, unknown>;
        assert.equal(provider.enableConfigMapMutable, undefined);
        assert.equal(provider.enableSecretMutable, undefined);
        for (const { object } of podTemplates(rendered.manifests)) {
            const template = object.kind === "CronJob" ? object.spec.jobTemplate.spec.template : object.spec.template;
            assert.equal(template.metadata.annotations, undefined, `${object.kind} ${object.metadata.name}`);
        }
    });

    it("names the settings objects by their content, as the provider names each replacement anew, and points every reader at them", async () => {
        const values = stackValues("dev");
        const secrets = { secrets: { SECRET_KEY: "one" } };
        const names = (rendered: Rendered) => {
            const api = (rendered.find("Deployment", "appstack-api") as any).spec.template.spec;
            const read = settingsRead(rendered.manifests, api);
            return { configMap: read.configMap.metadata.name as string, secret: read.secret!.metadata.name as string };
        };
        const base = names(await render("dev", values, secrets));
        assert.deepEqual(names(await render("dev", values, secrets)), base, "the same content, the same names");
        const otherSetting = await render("dev", { ...values, settings: { ...(values.settings as object), LOG_LEVEL: "warning" } }, secrets);
        assert.notEqual(names(otherSetting).configMap, base.configMap);
        assert.equal(names(otherSetting).secret, base.secret);
        const refersTo = (name: string) => (object: Manifest) => JSON.stringify(object).includes(`"name":"${name}"`);
        // Every workload that read the old ConfigMap reads the new one, and nothing names the old.
        assert.ok(otherSetting.manifests.filter(refersTo(names(otherSetting).configMap)).length >= 4);
        assert.equal(otherSetting.manifests.filter(refersTo(base.configMap)).length, 0);
        // A new secret key renames the Secret; a new secret value cannot, since nothing shows it.
        assert.notEqual(names(await render("dev", values, { secrets: { SECRET_KEY: "one", OTHER_KEY: "two" } })).secret, base.secret);
        assert.equal(names(await render("dev", values, { secrets: { SECRET_KEY: "two" } })).secret, base.secret);
    });

    it("shows nothing derived from a secret value: two values render identically", async () => {
        const values = stackValues("prod");
        const one = await render("prod", values, { secrets: { SECRET_KEY: "first-value" } });
        const two = await render("prod", values, { secrets: { SECRET_KEY: "second-value" } });
        assert.deepEqual(two.resources, one.resources);
        assert.deepEqual(two.outputs, one.outputs);
    });

    it("creates no Secret of settings for a stack without secrets, and no pod refers to one", async () => {
        const rendered = await renderCommitted("dev");
        const storeSecrets = ["appstack-objectstore", "appstack-postgres", "appstack-redis", "appstack-search"];
        assert.deepEqual(
            rendered.manifests
                .filter((m) => m.kind === "Secret")
                .map((m) => m.metadata.name)
                .sort(),
            storeSecrets,
        );
        const referred = [...JSON.stringify(rendered.manifests).matchAll(/"secretKeyRef":\{"key":"[^"]+","name":"([^"]+)"\}/g)].map((match) => match[1]);
        assert.ok(referred.length > 0);
        assert.deepEqual(
            [...new Set(referred)].filter((name) => !storeSecrets.includes(name)),
            [],
        );
    });

    it("renders each secret key with a masked value, as a valid Secret", async () => {
        const rendered = await render("dev", stackValues("dev"), { secrets: { SECRET_KEY: secretValue, DATABASE_PASSWORD: secretValue } });
        const secrets = rendered.manifests.filter(
            (m) => m.kind === "Secret" && ["secrets", "migrations"].includes(m.metadata.labels!["app.kubernetes.io/component"]),
        );
        assert.equal(secrets.length, 2);
        for (const secret of secrets) {
            assert.deepEqual(secret.stringData, { SECRET_KEY: "[secret]", DATABASE_PASSWORD: "[secret]" });
            assert.equal(await schemaViolation(secret), undefined);
        }
    });

    it("runs the migrations again for a new image, command or database, and for nothing else (no setting, secret key or size)", async () => {
        const values = stackValues("dev");
        const job = (rendered: Rendered) => rendered.resources.find((r) => r.type === "kubernetes:batch/v1:Job")!.inputs;
        const base = await render("dev", values, { secrets: { SECRET_KEY: "one" } });
        const unrelated = [
            await render("dev", { ...values, settings: { LOG_LEVEL: "warning" } }, { secrets: { SECRET_KEY: "one" } }),
            await render("dev", values, { secrets: { SECRET_KEY: "two" } }),
            // A key added, and the stack's first key: the engine found the Job replaced for both.
            await render("dev", values, { secrets: { SECRET_KEY: "one", NEW_KEY: "three" } }),
            await render("dev", values),
            await render("dev", { ...values, api: { resources: { requests: { cpu: "500m" } } } }, { secrets: { SECRET_KEY: "one" } }),
            await render("dev", { ...values, workers: (values.workers as unknown[]).slice(1) }, { secrets: { SECRET_KEY: "one" } }),
        ];
        for (const other of unrelated) {
            // Not only the name: nothing of the Job changes, so the engine does not touch it.
            assert.deepEqual(job(other), job(base));
        }
        const newImage = await render(
            "dev",
            { ...values, image: { repository: "ghcr.io/acme/appstack-app", tag: "4a0d3e2" } },
            { secrets: { SECRET_KEY: "one" } },
        );
        const newCommand = await render(
            "dev",
            { ...values, migrations: { command: ["python", "-m", "app.migrate", "--all"] } },
            { secrets: { SECRET_KEY: "one" } },
        );
        for (const other of [newImage, newCommand]) {
            assert.notEqual((job(other) as any).metadata.name, (job(base) as any).metadata.name);
        }
        assert.equal((job(base) as any).metadata.annotations["pulumi.com/replaceUnready"], "true");
    });

    it("pins the image by digest when one is given", async () => {
        const digest = `sha256:${"ab".repeat(32)}`;
        const rendered = await render("dev", { ...stackValues("dev"), image: { repository: "ghcr.io/acme/appstack-app", tag: "3f9c2a1", digest } });
        const appComponents = podTemplates(rendered.manifests).filter(
            ({ object }) => object.kind !== "StatefulSet" && !/-(setup|backup)$/.test(object.metadata.name!),
        );
        const images = appComponents.flatMap(({ podSpec }) => podSpec.containers.map((c: any) => c.image));
        assert.equal(images.length, 5);
        assert.deepEqual(new Set(images), new Set([`ghcr.io/acme/appstack-app@${digest}`]));
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
            // Monitoring is on in prod: only the Prometheus pods of the monitoring namespace scrape.
            {
                namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } },
                podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } },
            },
        ]);
        assert.deepEqual(
            api.spec.ingress.map((rule: any) => rule.ports),
            Array(3).fill([{ protocol: "TCP", port: 8000 }]),
        );
        const frontend = rendered.find("NetworkPolicy", "appstack-frontend") as any;
        assert.deepEqual(frontend.spec.egress, [
            {
                to: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "appstack", "app.kubernetes.io/component": "api" } } }],
                ports: [{ protocol: "TCP", port: 8000 }],
            },
        ]);
    });
});

describe("the existing target", () => {
    it("names the cluster to the provider only when the stack gives it a stable identifier", async () => {
        const providerOf = async (values: Record<string, unknown>) =>
            (await render("dev", values)).resources.find((r) => r.type === "pulumi:providers:kubernetes")!.inputs as Record<string, unknown>;
        const values = stackValues("dev");
        assert.equal((await providerOf(values)).clusterIdentifier, undefined);
        const named = clone(values) as any;
        named.target = { ...named.target, clusterIdentifier: "prod-eu-1" };
        assert.equal((await providerOf(named)).clusterIdentifier, "prod-eu-1");
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

describe("a change of target kind", () => {
    const lastDeployedTo = (kind: string) => ({ ...settingsOf(stackValues("dev")), lastOutputs: { target: kind } });

    it("is refused before any resource is registered, saying what the move would do and how to confirm it", async () => {
        const registered: RegisteredResource[] = [];
        await assert.rejects(evaluateProgram("dev", lastDeployedTo("local"), registered), (error: Error) => {
            assert.equal(error.name, "TargetKindChangeError");
            assert.match(error.message, /last deployed to a target of kind "local"; its config now says "existing"/);
            assert.match(error.message, /delete each one from the old cluster/);
            assert.match(error.message, /appstack:movingFromTarget to "local"/);
            return true;
        });
        assert.deepEqual(
            registered.map((r) => r.type),
            ["pulumi:pulumi:Stack"],
        );
    });

    it("goes ahead when the config confirms the move from the kind last deployed, with a warning", async () => {
        const settings = settingsOf({ ...stackValues("dev"), movingFromTarget: "local" });
        // Without an engine, Pulumi's runtime prints its warnings on the console.
        const warnings: string[] = [];
        const warn = console.warn;
        console.warn = (message: string) => warnings.push(message);
        try {
            const { outputs, resources } = await evaluateProgram("dev", { ...settings, lastOutputs: { target: "local" } });
            assert.equal(outputs.target, "existing");
            assert.ok(resources.some((r) => r.type === "kubernetes:apps/v1:Deployment"));
        } finally {
            console.warn = warn;
        }
        assert.deepEqual(warnings, [
            'warning: [runtime] Moving stack "dev" from a target of kind "local" to "existing": every Kubernetes object is created on the new cluster and deleted from the old one.',
        ]);
    });

    it("is no change on the kind last deployed, nor on a first deployment", async () => {
        for (const settings of [lastDeployedTo("existing"), settingsOf(stackValues("dev"))]) {
            const { outputs } = await evaluateProgram("dev", settings);
            assert.equal(outputs.target, "existing");
        }
    });
});
