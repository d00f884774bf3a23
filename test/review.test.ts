import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { mermaid, networkGraph, type NetworkGraph } from "../scripts/network-graph";
import { projectRoot, type Manifest } from "../scripts/offline";
import { reviewMarkdown } from "../scripts/review";
import { programPaths, touchedStacks } from "../scripts/touched-stacks";
import { renderCommitted } from "./support";

function edge(graph: NetworkGraph, from: string, to: string): string[] | undefined {
    const id = (label: string) => graph.nodes.find((node) => node.label === label)?.id;
    return graph.edges.find((e) => e.from === id(from) && e.to === id(to))?.ports;
}

const pod = (name: string, component: string): Manifest => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name },
    spec: { template: { metadata: { labels: { app: "x", component } } } },
});
const policy = (name: string, spec: Record<string, unknown>): Manifest => ({
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name },
    spec,
});

describe("the network graph of a render", () => {
    it("draws what the dev stack's policies allow, and nothing they refuse", async () => {
        const graph = networkGraph((await renderCommitted("dev")).manifests);
        assert.deepEqual(edge(graph, "Deployment appstack-api", "StatefulSet appstack-postgres"), ["TCP 5432"]);
        assert.deepEqual(edge(graph, "namespace ingress-nginx", "Deployment appstack-api"), ["TCP 8000"]);
        assert.deepEqual(edge(graph, "every pod", "namespace kube-system: k8s-app=kube-dns"), ["UDP 53", "TCP 53"]);
        // The extraction worker does not use the search store; nobody may connect to a worker.
        assert.equal(edge(graph, "Deployment appstack-worker-extraction", "StatefulSet appstack-search"), undefined);
        const workers = graph.nodes.filter((node) => node.label.includes("worker")).map((node) => node.id);
        assert.deepEqual(
            graph.edges.filter((e) => workers.includes(e.to)),
            [],
        );
    });

    it("needs both the sender's egress and the receiver's ingress, on a port both allow", () => {
        const manifests = [
            pod("a", "a"),
            pod("b", "b"),
            pod("c", "c"),
            policy("deny", { podSelector: {}, policyTypes: ["Ingress", "Egress"] }),
            policy("a-out", {
                podSelector: { matchLabels: { component: "a" } },
                policyTypes: ["Egress"],
                egress: [
                    {
                        to: [{ podSelector: { matchExpressions: [{ key: "component", operator: "In", values: ["b", "c"] }] } }],
                        ports: [{ port: 80 }, { port: 81 }],
                    },
                ],
            }),
            policy("b-in", {
                podSelector: { matchLabels: { component: "b" } },
                policyTypes: ["Ingress"],
                ingress: [{ from: [{ podSelector: { matchLabels: { component: "a" } } }], ports: [{ port: 81, protocol: "TCP" }] }],
            }),
            // c admits a, but not on a port a may send to.
            policy("c-in", {
                podSelector: { matchLabels: { component: "c" } },
                policyTypes: ["Ingress"],
                ingress: [{ from: [{ podSelector: { matchLabels: { component: "a" } } }], ports: [{ port: 90 }] }],
            }),
        ];
        const graph = networkGraph(manifests);
        assert.deepEqual(
            graph.edges.map((e) => [e.from, e.to, e.ports]),
            [["Deployment/a", "Deployment/b", ["TCP 81"]]],
        );
    });

    it("is a Mermaid flowchart of every connected node and edge, labels quoted", () => {
        const text = mermaid({
            nodes: [
                { id: "x", label: 'say "hi"', external: false },
                { id: "y", label: "10.0.0.0/8", external: true },
                { id: "z", label: "alone", external: false },
            ],
            edges: [{ from: "x", to: "y", ports: ["TCP 443"] }],
        });
        assert.equal(text, ["flowchart LR", '    n0["say #quot;hi#quot;"]', '    n1(["10.0.0.0/8"])', '    n0 -->|"TCP 443"| n1'].join("\n"));
    });

    it("the review counts the objects per kind and embeds the diagram", async () => {
        const { manifests } = await renderCommitted("dev");
        const markdown = reviewMarkdown("dev", manifests);
        const policies = manifests.filter((m) => m.kind === "NetworkPolicy").length;
        assert.match(markdown, new RegExp(`^\\| NetworkPolicy \\| ${policies} \\|$`, "m"));
        assert.match(markdown, new RegExp(`^### Stack \`dev\`: ${manifests.length} Kubernetes objects$`, "m"));
        assert.match(markdown, /```mermaid\nflowchart LR\n[\s\S]+\n```/);
    });
});

describe("the stacks a change touches", () => {
    it("none for docs, examples, tests or the workflows", () => {
        assert.deepEqual(
            touchedStacks([
                "docs/eks.md",
                "README.md",
                "examples/Pulumi.eks.yaml",
                "test/review.test.ts",
                ".github/workflows/preview.yml",
                "deployments/index.ts",
            ]),
            [],
        );
    });

    it("a stack whose own file changed, with its target kind and policy config", () => {
        assert.deepEqual(touchedStacks(["Pulumi.prod.yaml"]), [
            { stack: "prod", target: "existing", environment: "prod", "policy-config": "policy/config/prod.json" },
        ]);
    });

    it("every stack but local when the program changed", () => {
        assert.deepEqual(
            touchedStacks(["components/app.ts"]).map((job) => job.stack),
            ["dev", "prod"],
        );
        assert.deepEqual(
            touchedStacks(["package-lock.json"]).map((job) => job.stack),
            ["dev", "prod"],
        );
    });

    it("the program's paths are files or DIR/** and exist, so a rename cannot silently stop previews", () => {
        for (const entry of programPaths()) {
            assert.ok(!/[*?[]/.test(entry.replace(/\/\*\*$/, "")), `${entry}: a file or DIR/**`);
            assert.ok(fs.existsSync(path.join(projectRoot, entry.replace(/\/\*\*$/, ""))), `${entry} exists`);
        }
    });
});

describe("the review of a stack that imports ESC environments", () => {
    it("says that the render did not open them", async () => {
        const { manifests } = await renderCommitted("dev");
        assert.match(
            reviewMarkdown("eks-prod", manifests, ["appstack/eks-prod"]),
            /Rendered without the ESC environments the stack imports \(appstack\/eks-prod\)/,
        );
        assert.doesNotMatch(reviewMarkdown("dev", manifests), /ESC/);
    });
});
