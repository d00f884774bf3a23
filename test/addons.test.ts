import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { renderStack } from "../scripts/render";
import { pinnedCharts } from "../components/addons";
import { autoscalingWithoutMetrics } from "../stacks/schema";
import { policyResources, runPack } from "./policyPack";
import { schemaViolation } from "./schemas";
import { clone, inputs, parseValues, ofType, render, renderInvalid, stackValues, type Rendered } from "./support";

// The cluster add-ons under mocks: which each target installs by default, the pinned charts and
// their values, their namespaces, and the app following what is installed.

const chartType = "kubernetes:helm.sh/v4:Chart";
const email = "ops@example.com";

function charts(rendered: Rendered) {
    return ofType(rendered, chartType).map(inputs);
}

function chart(rendered: Rendered, name: string) {
    const found = charts(rendered).find((c) => c.name === name);
    assert.ok(
        found,
        `no chart ${name} among ${charts(rendered)
            .map((c) => c.name)
            .join(", ")}`,
    );
    return found;
}

function withValues(stack: string, extra: Record<string, unknown>): Record<string, unknown> {
    return { ...clone(stackValues(stack)), ...extra };
}

const publicIngress = {
    enabled: true,
    host: "app.example.com",
    className: "nginx",
    controllerNamespace: "ingress-nginx",
    tls: { mode: "cert-manager", clusterIssuer: "letsencrypt-prod" },
};

describe("cluster add-ons", () => {
    it("install nothing on an existing or local cluster unless asked", async () => {
        for (const stack of ["dev", "local"]) {
            const rendered = await render(stack, stackValues(stack));
            assert.deepEqual(charts(rendered), [], stack);
            assert.equal(ofType(rendered, "appstack:addons:ClusterAddons").length, 0, stack);
        }
    });

    it("install on EKS what its cluster lacks: metrics-server, and cert-manager for an Ingress that takes its certificate from it", async () => {
        const plain = await render("eks", stackValues("eks"));
        assert.deepEqual(
            charts(plain).map((c) => c.name),
            ["metrics-server"],
        );
        const metrics = chart(plain, "metrics-server");
        assert.equal(metrics.version, pinnedCharts.metricsServer.version);
        assert.deepEqual(metrics.repositoryOpts, { repo: pinnedCharts.metricsServer.repository });
        assert.equal(metrics.values.replicas, 2);
        assert.deepEqual(metrics.values.podDisruptionBudget, { enabled: true, minAvailable: 1 });

        const tls = await render("eks", withValues("eks", { ingress: publicIngress, addons: { certManager: { email } } }));
        assert.deepEqual(
            charts(tls)
                .map((c) => c.name)
                .sort(),
            ["cert-manager", "metrics-server"],
        );
        // The ALB stays the controller: no nginx is installed where the cluster has its own.
        assert.equal((tls.find("Ingress", "appstack") as any).spec.ingressClassName, "alb");
        // The challenges go through the ALB too, with the annotations its Ingresses need.
        const [solver] = (tls.find("ClusterIssuer", "letsencrypt-prod") as any).spec.acme.solvers;
        assert.equal(solver.http01.ingress.ingressClassName, "alb");
        assert.equal(solver.http01.ingress.ingressTemplate.metadata.annotations["alb.ingress.kubernetes.io/scheme"], "internet-facing");
    });

    it("are written by the render, each chart with its values under charts/", async () => {
        const out = fs.mkdtempSync(path.join(os.tmpdir(), "appstack-addons-render-"));
        try {
            await renderStack("eks", out);
            const written = parseYaml(fs.readFileSync(path.join(out, "charts", "metrics-server_metrics-server.yaml"), "utf8"));
            assert.equal(written.chart, "metrics-server");
            assert.equal(written.version, pinnedCharts.metricsServer.version);
            assert.equal(written.values.replicas, 2);
        } finally {
            fs.rmSync(out, { recursive: true, force: true });
        }
    });

    it("install nothing on GKE or AKS, which run their own ingress, metrics-server and storage", async () => {
        for (const stack of ["gke", "aks"]) {
            assert.deepEqual(charts(await render(stack, stackValues(stack))), [], stack);
        }
    });

    it("give each add-on a namespace of its own under Pod Security and a NetworkPolicy admitting its serving ports only", async () => {
        const rendered = await render(
            "dev",
            withValues("dev", {
                addons: {
                    ingressNginx: { enabled: true },
                    metricsServer: { enabled: true },
                    metallb: { enabled: true, addresses: ["192.168.1.240-192.168.1.250"] },
                },
            }),
        );
        const levels = Object.fromEntries(
            ["ingress-nginx", "metrics-server", "metallb-system"].map((ns) => [
                ns,
                (rendered.find("Namespace", ns) as any).metadata.labels["pod-security.kubernetes.io/enforce"],
            ]),
        );
        assert.deepEqual(levels, { "ingress-nginx": "restricted", "metrics-server": "restricted", "metallb-system": "privileged" });
        const policy = rendered.manifests.find((m) => m.kind === "NetworkPolicy" && m.metadata.namespace === "ingress-nginx") as any;
        assert.deepEqual(policy.spec.policyTypes, ["Ingress"]);
        assert.deepEqual(
            policy.spec.ingress[0].ports.map((p: any) => p.port),
            [80, 443, 8443],
        );
        for (const c of charts(rendered)) {
            const namespace = rendered.resources.find((r) => r.type === "kubernetes:core/v1:Namespace" && (r.inputs as any).metadata.name === c.namespace);
            assert.ok(namespace, `${c.name} in a namespace of its own`);
        }
    });

    it("render objects valid against the official schemas", async () => {
        const rendered = await render(
            "eks",
            withValues("eks", {
                ingress: publicIngress,
                addons: { ingressNginx: { enabled: true }, certManager: { email }, metallb: { enabled: true, addresses: ["192.168.1.240/28"] } },
            }),
        );
        const builtIn = rendered.manifests.filter((m) => !m.apiVersion.includes(".io/") || m.apiVersion.startsWith("networking.k8s.io/"));
        assert.ok(builtIn.some((m) => m.kind === "Namespace" && m.metadata.name === "metallb-system"));
        const violations = (await Promise.all(builtIn.map(schemaViolation))).filter(Boolean);
        assert.deepEqual(violations, []);
    });

    it("merge the config's values over the hardened ones, key by key", async () => {
        const rendered = await render(
            "dev",
            withValues("dev", { addons: { ingressNginx: { enabled: true, values: { controller: { replicaCount: 3, config: { "use-gzip": "true" } } } } } }),
        );
        const { controller } = chart(rendered, "ingress-nginx").values;
        assert.equal(controller.replicaCount, 3);
        assert.deepEqual(controller.config, { "use-gzip": "true" });
        assert.equal(controller.allowSnippetAnnotations, false);
        assert.equal(controller.minAvailable, 1);
    });

    it("take the charts from an OCI mirror or a directory instead of their repositories", async () => {
        const oci = chart(
            await render(
                "dev",
                withValues("dev", { addons: { chartMirror: { oci: "oci://registry.example.com/charts/" }, metricsServer: { enabled: true } } }),
            ),
            "metrics-server",
        );
        assert.equal(oci.chart, "oci://registry.example.com/charts/metrics-server");
        assert.equal(oci.version, pinnedCharts.metricsServer.version);
        assert.equal(oci.repositoryOpts, undefined);
        const directory = chart(
            await render("dev", withValues("dev", { addons: { chartMirror: { directory: "/srv/charts" }, localPath: { enabled: true } } })),
            "local-path-provisioner",
        );
        assert.equal(directory.chart, "/srv/charts/local-path-provisioner");
        assert.equal(directory.version, undefined);
        assert.equal(directory.values.storageClass.defaultClass, true);
    });

    it("announce MetalLB's pool over layer 2, both after the chart that serves their kinds", async () => {
        const rendered = await render(
            "dev",
            withValues("dev", { addons: { metallb: { enabled: true, addresses: ["192.168.1.240/28", "192.168.2.10-192.168.2.20"] } } }),
        );
        const pool = rendered.find("IPAddressPool", "appstack") as any;
        assert.deepEqual(pool.spec.addresses, ["192.168.1.240/28", "192.168.2.10-192.168.2.20"]);
        assert.deepEqual((rendered.find("L2Advertisement", "appstack") as any).spec.ipAddressPools, ["appstack"]);
        const chartUrn = ofType(rendered, chartType)[0].urn;
        for (const kind of ["IPAddressPool", "L2Advertisement"]) {
            const registered = rendered.resources.find((r) => (r.inputs as any).kind === kind);
            assert.ok(registered?.dependencies.includes(chartUrn), `${kind} waits for the chart`);
        }
    });
});

describe("the app on the add-ons installed", () => {
    let rendered: Rendered;
    before(async () => {
        rendered = await render("eks", withValues("eks", { ingress: publicIngress, addons: { ingressNginx: { enabled: true }, certManager: { email } } }));
    });

    it("names the installed controller's class, with its annotations only, and the installed issuer", () => {
        const ingress = rendered.find("Ingress", "appstack") as any;
        assert.equal(ingress.spec.ingressClassName, "nginx");
        assert.deepEqual(ingress.metadata.annotations, {
            "nginx.ingress.kubernetes.io/force-ssl-redirect": "true",
            "cert-manager.io/cluster-issuer": "letsencrypt-prod",
        });
    });

    it("admits exactly the controller's pods to the api", () => {
        const peers = (rendered.find("NetworkPolicy", "appstack-api") as any).spec.ingress.flatMap((rule: any) => rule.from);
        assert.ok(
            peers.some(
                (peer: any) =>
                    peer.namespaceSelector?.matchLabels["kubernetes.io/metadata.name"] === "ingress-nginx" &&
                    peer.podSelector?.matchLabels["app.kubernetes.io/component"] === "controller",
            ),
            JSON.stringify(peers),
        );
        assert.ok(!peers.some((peer: any) => peer.ipBlock), "no VPC range once the ALB is not the controller");
    });

    it("creates a staging and a production ClusterIssuer answering HTTP-01 through the installed class, after cert-manager", () => {
        for (const [issuer, server] of [
            ["letsencrypt-staging", "acme-staging-v02"],
            ["letsencrypt-prod", "acme-v02"],
        ]) {
            const { spec } = rendered.find("ClusterIssuer", issuer) as any;
            assert.equal(spec.acme.email, email);
            assert.ok(spec.acme.server.includes(server));
            assert.deepEqual(spec.acme.solvers, [{ http01: { ingress: { ingressClassName: "nginx" } } }]);
        }
        const solver = rendered.find("NetworkPolicy", "appstack-acme-http01-solver") as any;
        assert.deepEqual(solver.spec.ingress[0].ports, [{ protocol: "TCP", port: 8089 }]);
    });

    it("applies the Ingress after the controller's chart, cert-manager's and its issuers", () => {
        const ingress = rendered.resources.find((r) => r.type === "kubernetes:networking.k8s.io/v1:Ingress");
        const awaited = rendered.resources
            .filter(
                (r) =>
                    (r.type === chartType && ["ingress-nginx", "cert-manager"].includes((r.inputs as any).name)) ||
                    r.type === "kubernetes:cert-manager.io/v1:ClusterIssuer",
            )
            .map((r) => r.urn);
        assert.equal(awaited.length, 4);
        for (const urn of awaited) {
            assert.ok(ingress?.dependencies.includes(urn), `the Ingress waits for ${urn}`);
        }
    });
});

describe("autoscalers without a metrics API", () => {
    const autoscaled = (stack: string, addons: Record<string, unknown>) =>
        parseValues(stack, withValues(stack, { api: { autoscaling: { enabled: true, minReplicas: 2, maxReplicas: 4 } }, addons }));

    it("are named, with the reason, where the cluster runs none and metrics-server is turned off", () => {
        const message = autoscalingWithoutMetrics(autoscaled("eks", { metricsServer: { enabled: false } }));
        assert.match(
            message ?? "",
            /HorizontalPodAutoscalers of api scale nothing: this eks cluster runs no metrics API and addons\.metricsServer\.enabled is false/,
        );
    });

    it("are not mentioned where metrics-server is installed, the cluster has its own, or the cluster is not known", () => {
        assert.equal(autoscalingWithoutMetrics(autoscaled("eks", {})), undefined);
        assert.equal(autoscalingWithoutMetrics(autoscaled("gke", {})), undefined);
        assert.equal(autoscalingWithoutMetrics(autoscaled("dev", {})), undefined);
    });
});

describe("the policy pack and the charts' objects", () => {
    // A DaemonSet as MetalLB's speaker is: root, host network, no default-deny in its namespace.
    const speaker = {
        apiVersion: "apps/v1",
        kind: "DaemonSet",
        metadata: { name: "speaker", namespace: "metallb-system", labels: {} },
        spec: {
            selector: { matchLabels: { app: "speaker" } },
            template: {
                metadata: { labels: { app: "speaker" } },
                spec: { hostNetwork: true, containers: [{ name: "speaker", image: "quay.io/metallb/speaker:v0.16.2", securityContext: { privileged: true } }] },
            },
        },
    };
    const registered = (qualifiedType: string) => ({
        urn: `urn:pulumi:dev::appstack::${qualifiedType}::speaker`,
        type: "kubernetes:apps/v1:DaemonSet",
        name: "speaker",
        parent: "",
        provider: "",
        custom: true,
        protect: false,
        dependencies: [],
        inputs: speaker,
    });

    it("leave out what a Helm chart renders, and hold every other object to the rules", async () => {
        const fromChart = await runPack(policyResources([registered("appstack:addons:MetalLb$kubernetes:helm.sh/v4:Chart$kubernetes:apps/v1:DaemonSet")]));
        assert.deepEqual(
            fromChart.filter((v) => v.level === "mandatory"),
            [],
        );
        const ownObject = await runPack(policyResources([registered("appstack:addons:MetalLb$kubernetes:apps/v1:DaemonSet")]));
        assert.ok(
            ownObject.some((v) => v.policy === "pod-security-restricted" && v.level === "mandatory"),
            JSON.stringify(ownObject),
        );
    });
});

describe("invalid add-on config", () => {
    const cases: [string, Record<string, unknown>, Record<string, unknown> | undefined, string[]][] = [
        ["MetalLB without addresses", { metallb: { enabled: true } }, undefined, ["addons.metallb.addresses"]],
        [
            "a malformed range and a reversed one",
            { metallb: { enabled: true, addresses: ["192.168.1.300/32", "10.0.0.9-10.0.0.1"] } },
            undefined,
            ["addons.metallb.addresses[0]", "addons.metallb.addresses[1]"],
        ],
        [
            "ranges overlapping each other",
            { metallb: { enabled: true, addresses: ["192.168.1.0/28", "192.168.1.10-192.168.1.20"] } },
            undefined,
            ["addons.metallb.addresses[1]"],
        ],
        [
            "a range inside the cluster's",
            { metallb: { enabled: true, addresses: ["10.43.0.10-10.43.0.20"], clusterCidrs: ["10.42.0.0/16", "10.43.0.0/16"] } },
            undefined,
            ["addons.metallb.addresses[0]"],
        ],
        ["cert-manager without an email", { certManager: { enabled: true } }, undefined, ["addons.certManager.email"]],
        [
            "an issuer appstack does not install",
            { certManager: { enabled: true, email } },
            { ...publicIngress, tls: { mode: "cert-manager", clusterIssuer: "corporate-ca" } },
            ["ingress.tls.clusterIssuer"],
        ],
        ["values for an add-on that is not installed", { metricsServer: { values: { replicas: 3 } } }, undefined, ["addons.metricsServer"]],
        ["local-path without a mirror", { localPath: { enabled: true } }, undefined, ["addons.chartMirror"]],
        ["a mirror with no add-on to take from it", { chartMirror: { oci: "oci://registry.example.com/charts" } }, undefined, ["addons.chartMirror"]],
    ];
    for (const [what, addons, ingress, paths] of cases) {
        it(`stops at ${what}, before any resource`, async () => {
            const { error, registered } = await renderInvalid(withValues("dev", { addons, ...(ingress ? { ingress } : {}) }));
            assert.deepEqual(registered, []);
            for (const path of paths) {
                assert.ok(error.message.includes(path), `${path} in:\n${error.message}`);
            }
        });
    }
});
