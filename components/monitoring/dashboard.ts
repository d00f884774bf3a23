import { appMetrics, clusterMetrics, componentLabel } from "./metrics";

// The app's Grafana dashboard, built from the same metric names as its alerts: traffic, errors,
// latency and saturation per workload, worker throughput, failures and backlog, store health.

interface Panel {
    title: string;
    unit: string;
    queries: { expr: string; legend: string }[];
}

export function dashboardPanels(namespace: string): Panel[] {
    const ns = `namespace="${namespace}"`;
    const quantile = (q: number) => ({
        expr: `histogram_quantile(${q}, sum by (${componentLabel}, le) (rate(${appMetrics.duration}_bucket{${ns}}[5m])))`,
        legend: `{{${componentLabel}}} p${Math.round(q * 100)}`,
    });
    return [
        {
            title: "Requests per second",
            unit: "reqps",
            queries: [{ expr: `sum by (${componentLabel}) (rate(${appMetrics.requests}{${ns}}[5m]))`, legend: `{{${componentLabel}}}` }],
        },
        {
            title: "Errors (5xx share)",
            unit: "percentunit",
            queries: [
                {
                    expr: `sum by (${componentLabel}) (rate(${appMetrics.requests}{${ns},status=~"5.."}[5m])) / sum by (${componentLabel}) (rate(${appMetrics.requests}{${ns}}[5m]))`,
                    legend: `{{${componentLabel}}}`,
                },
            ],
        },
        { title: "Latency", unit: "s", queries: [quantile(0.5), quantile(0.95), quantile(0.99)] },
        { title: "CPU per pod", unit: "cores", queries: [{ expr: `sum by (pod) (rate(${clusterMetrics.cpu}{${ns},container!=""}[5m]))`, legend: "{{pod}}" }] },
        { title: "Memory per pod", unit: "bytes", queries: [{ expr: `sum by (pod) (${clusterMetrics.memory}{${ns},container!=""})`, legend: "{{pod}}" }] },
        {
            title: "Container restarts (1h)",
            unit: "short",
            queries: [{ expr: `sum by (pod) (increase(${clusterMetrics.containerRestarts}{${ns}}[1h]))`, legend: "{{pod}}" }],
        },
        {
            title: "Worker jobs per second",
            unit: "ops",
            queries: [{ expr: `sum by (${componentLabel}, outcome) (rate(${appMetrics.workerJobs}{${ns}}[5m]))`, legend: `{{${componentLabel}}} {{outcome}}` }],
        },
        { title: "Queue depth", unit: "short", queries: [{ expr: `max by (queue) (${appMetrics.queueDepth}{${ns}})`, legend: "{{queue}}" }] },
        { title: "Data stores up", unit: "short", queries: [{ expr: `min by (dependency) (${appMetrics.dependencyUp}{${ns}})`, legend: "{{dependency}}" }] },
    ];
}

/** The dashboard's JSON model (Grafana's schema), two time-series panels a row. */
export function dashboardJson(title: string, uid: string, namespace: string): string {
    const panels = dashboardPanels(namespace).map((panel, index) => ({
        id: index + 1,
        type: "timeseries",
        title: panel.title,
        datasource: { type: "prometheus", uid: "${datasource}" },
        gridPos: { h: 8, w: 12, x: (index % 2) * 12, y: Math.floor(index / 2) * 8 },
        fieldConfig: { defaults: { unit: panel.unit }, overrides: [] },
        targets: panel.queries.map((query, q) => ({ refId: String.fromCharCode(65 + q), expr: query.expr, legendFormat: query.legend })),
    }));
    return JSON.stringify(
        {
            uid,
            title,
            tags: ["appstack"],
            schemaVersion: 39,
            time: { from: "now-6h", to: "now" },
            refresh: "30s",
            templating: { list: [{ name: "datasource", type: "datasource", query: "prometheus", label: "Prometheus" }] },
            panels,
        },
        undefined,
        2,
    );
}
