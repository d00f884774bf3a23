import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { alertNames, dashboardPanels, type RuleGroup } from "../components/monitoring";
import { appMetrics } from "../components/monitoring/metrics";
import { projectRoot, type Manifest } from "../scripts/offline";
import { schemaViolation } from "./schemas";
import { clone, render, renderCommitted, renderInvalid, stackValues, type Rendered } from "./support";

// Monitoring of the prod stack (monitoring on, with the Prometheus Operator): every workload that
// serves metrics scraped, Prometheus alone admitted to exactly their metrics ports, the alerts
// and the dashboard built from the metric names the app exports.

type Values = Record<string, any>;
const labelsOf = (manifest: Manifest, key: string) => (manifest as any).spec[key].matchLabels as Record<string, string>;
const podLabels = (deployment: Manifest) => (deployment as any).spec.template.metadata.labels as Record<string, string>;
const selects = (selector: Record<string, string>, labels: Record<string, string>) => Object.entries(selector).every(([key, value]) => labels[key] === value);

describe("monitoring", () => {
    let prod: Rendered;
    before(async () => (prod = await renderCommitted("prod")));

    it("scrapes the api through its Service and each worker through its pods, with the user's selector labels", () => {
        const monitor = prod.find("ServiceMonitor", "appstack-api") as any;
        assert.equal(monitor.metadata.labels.release, "kube-prometheus-stack");
        assert.ok(selects(labelsOf(monitor, "selector"), prod.find("Service", "appstack-api").metadata.labels ?? {}));
        const servicePorts = (prod.find("Service", "appstack-api") as any).spec.ports.map((p: { name: string }) => p.name);
        assert.deepEqual(
            monitor.spec.endpoints.map((e: any) => [e.port, e.path]),
            [[servicePorts[0], "/metrics"]],
        );
        for (const worker of ["extraction", "indexing"]) {
            const name = `appstack-worker-${worker}`;
            const podMonitor = prod.find("PodMonitor", name) as any;
            const deployment = prod.find("Deployment", name) as any;
            assert.ok(selects(labelsOf(podMonitor, "selector"), podLabels(deployment)));
            const container = deployment.spec.template.spec.containers[0];
            assert.deepEqual(container.ports, [{ name: "metrics", containerPort: 9464, protocol: "TCP" }]);
            assert.ok(container.env.some((e: any) => e.name === "METRICS_PORT" && e.value === "9464"));
            assert.equal(podMonitor.spec.podMetricsEndpoints[0].port, "metrics");
        }
        assert.equal(prod.manifests.filter((m) => m.kind === "ServiceMonitor" || m.kind === "PodMonitor").length, 3, "the frontend serves no metrics");
    });

    it("admits the monitoring namespace's Prometheus pods to exactly each workload's metrics port, workers included", () => {
        const prometheus = {
            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } },
            podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } },
        };
        for (const [name, port] of [
            ["appstack-api", 8000],
            ["appstack-worker-extraction", 9464],
            ["appstack-worker-indexing", 9464],
        ] as const) {
            const rules = (prod.find("NetworkPolicy", name) as any).spec.ingress as any[];
            const fromPrometheus = rules.filter((rule) => JSON.stringify(rule.from).includes("monitoring"));
            assert.deepEqual(fromPrometheus, [{ from: [prometheus], ports: [{ protocol: "TCP", port }] }], name);
        }
        const frontend = (prod.find("NetworkPolicy", "appstack-frontend") as any).spec.ingress as any[];
        assert.ok(!JSON.stringify(frontend).includes("monitoring"), "nothing to scrape on the frontend");
    });

    it("renders monitors, rules and dashboard valid against the operator's and Kubernetes' schemas", async () => {
        const monitoring = prod.manifests.filter(
            (m) => ["ServiceMonitor", "PodMonitor", "PrometheusRule"].includes(m.kind) || m.metadata.name === "appstack-dashboard",
        );
        assert.equal(monitoring.length, 5);
        assert.deepEqual((await Promise.all(monitoring.map(schemaViolation))).filter(Boolean), []);
    });

    it("gives every alert a severity, a summary and a runbook section that exists", () => {
        const groups = (prod.find("PrometheusRule", "appstack-alerts") as any).spec.groups as RuleGroup[];
        const rules = groups.flatMap((group) => group.rules);
        assert.deepEqual([...new Set(rules.map((rule) => rule.alert))].sort(), [...alertNames].sort());
        const runbook = fs.readFileSync(path.join(projectRoot, "docs", "runbooks", "alerts.md"), "utf8");
        const sections = new Set([...runbook.matchAll(/^## (\S+)$/gm)].map((match) => match[1]));
        for (const rule of rules) {
            assert.match(rule.labels.severity, /^(critical|warning)$/, rule.alert);
            assert.ok(rule.annotations.summary.length > 0, rule.alert);
            const anchor = rule.annotations.runbook_url.split("#")[1];
            assert.ok(sections.has(anchor), `${rule.alert}: no section "## ${anchor}" in docs/runbooks/alerts.md`);
            assert.ok(rule.expr.includes('namespace="appstack-prod"'), `${rule.alert} is narrowed to the app's namespace`);
        }
    });

    it("builds alerts and dashboard from metric names the sample app exports", () => {
        const exported = new Set(
            [...fs.readFileSync(path.join(projectRoot, "app", "src", "metrics.ts"), "utf8").matchAll(/name: "([a-z_]+)"/g)].map((match) => match[1]),
        );
        for (const name of Object.values(appMetrics)) {
            assert.ok(exported.has(name), `app/src/metrics.ts exports no ${name}`);
        }
        const queries = dashboardPanels("ns").flatMap((panel) => panel.queries.map((query) => query.expr));
        for (const name of [appMetrics.requests, appMetrics.duration, appMetrics.workerJobs, appMetrics.queueDepth, appMetrics.dependencyUp]) {
            assert.ok(
                queries.some((expr) => expr.includes(name)),
                `the dashboard shows ${name}`,
            );
        }
        const dashboard = JSON.parse(Object.values((prod.find("ConfigMap", "appstack-dashboard") as any).data)[0] as string);
        assert.equal(dashboard.panels.length, dashboardPanels("ns").length);
        assert.equal((prod.find("ConfigMap", "appstack-dashboard") as any).metadata.labels.grafana_dashboard, "1");
    });

    it("scrapes the frontend where its image serves metrics: through its pods on a port of its own, through its Service on its own port", async () => {
        const values: Values = clone(stackValues("prod"));
        values.frontend = { ...values.frontend, metrics: { port: 9113, path: "/stats" } };
        const ownPort = await render("prod", values);
        const podMonitor = ownPort.find("PodMonitor", "appstack-frontend") as any;
        assert.deepEqual([podMonitor.spec.podMetricsEndpoints[0].port, podMonitor.spec.podMetricsEndpoints[0].path], ["metrics", "/stats"]);
        const rules = (ownPort.find("NetworkPolicy", "appstack-frontend") as any).spec.ingress as any[];
        assert.deepEqual(
            rules.filter((rule) => rule.from[0].podSelector?.matchLabels["app.kubernetes.io/name"] === "prometheus").map((rule) => rule.ports),
            [[{ protocol: "TCP", port: 9113 }]],
        );
        values.frontend.metrics = { port: 8080, path: "/metrics" };
        const servingPort = await render("prod", values);
        assert.equal((servingPort.find("ServiceMonitor", "appstack-frontend") as any).spec.endpoints[0].port, "http");
    });

    it("without the Prometheus Operator, leaves its objects out and says so in the outputs", async () => {
        const values: Values = clone(stackValues("prod"));
        values.monitoring = { enabled: true, prometheusOperator: false };
        const rendered = await render("prod", values);
        assert.deepEqual(
            rendered.manifests.filter((m) => m.apiVersion.startsWith("monitoring.coreos.com/")),
            [],
        );
        assert.match(JSON.stringify(rendered.outputs.monitoringLeftOut), /ServiceMonitors and PodMonitors.*PrometheusRule/);
        rendered.find("ConfigMap", "appstack-dashboard");
        const worker = (rendered.find("NetworkPolicy", "appstack-worker-extraction") as any).spec.ingress;
        assert.equal(worker[0].ports[0].port, 9464, "Prometheus scrapes the workers without the operator too");
    });

    it("with monitoring off, adds nothing and keeps the workers closed", async () => {
        const dev = await renderCommitted("dev");
        assert.deepEqual(
            dev.manifests.filter((m) => m.apiVersion.startsWith("monitoring.coreos.com/") || (m.metadata.name ?? "").endsWith("-dashboard")),
            [],
        );
        assert.equal(dev.outputs.monitoringLeftOut, undefined);
    });

    it("refuses monitoring without the namespace Prometheus runs in, and a latency off the api's buckets", async () => {
        const values: Values = clone(stackValues("dev"));
        values.monitoring = { enabled: true, alerts: { latencySeconds: 0.3 } };
        const { error, registered } = await renderInvalid(values);
        assert.deepEqual(error.problems.map((p) => p.path).sort(), ["monitoring.alerts.latencySeconds", "monitoringNamespace"]);
        assert.ok(registered.every((r) => r.type === "pulumi:pulumi:Stack"));
        const frontendOnly: Values = clone(stackValues("dev"));
        frontendOnly.frontend = { metrics: { port: 9113, path: "/metrics" } };
        const refused = await renderInvalid(frontendOnly);
        assert.match(refused.error.problems.find((p) => p.path === "monitoringNamespace")?.allowed ?? "", /frontend\.metrics/);
    });
});
