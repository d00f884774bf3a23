import { podTemplates, selects } from "../policy/objects";
import type { Manifest } from "./offline";

// The connections a stack's NetworkPolicies allow, read from the rendered objects the way the
// API server applies them: traffic between two pods flows when the sender's egress and the
// receiver's ingress both allow it (a pod no policy of a direction selects is open in that
// direction); a peer outside the namespace is one end of an edge of its own.

type Labels = Record<string, string>;

interface LabelSelector {
    matchLabels?: Labels;
    matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

interface Peer {
    podSelector?: LabelSelector;
    namespaceSelector?: LabelSelector;
    ipBlock?: { cidr: string; except?: string[] };
}

interface Rule {
    ports?: { port?: number | string; endPort?: number; protocol?: string }[];
    from?: Peer[];
    to?: Peer[];
}

interface Policy {
    podSelector: LabelSelector;
    policyTypes?: string[];
    ingress?: Rule[];
    egress?: Rule[];
}

/** A workload's pods, or a peer outside the namespace's pods. */
export interface GraphNode {
    id: string;
    label: string;
    external: boolean;
}

export interface Edge {
    from: string;
    to: string;
    /** e.g. "TCP 5432"; "any port" when a rule names none. */
    ports: string[];
}

export interface NetworkGraph {
    nodes: GraphNode[];
    edges: Edge[];
}

/** A NetworkPolicy's selector: empty selects every pod of the namespace, as the API server reads it. */
function selectsPods(selector: LabelSelector | undefined, labels: Labels): boolean {
    const empty = !selector || (Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0);
    return empty || selects(selector, labels);
}

function selectorText(selector: LabelSelector | undefined): string {
    const parts = [
        ...Object.entries(selector?.matchLabels ?? {}).map(([key, value]) => `${key}=${value}`),
        ...(selector?.matchExpressions ?? []).map(({ key, operator, values = [] }) => `${key} ${operator} ${values.join(",")}`.trim()),
    ];
    return parts.length ? parts.join(", ") : "all";
}

function portsOf(rule: Rule): string[] {
    if (!rule.ports?.length) return ["any port"];
    return rule.ports.map((port) => `${port.protocol ?? "TCP"} ${port.port ?? "any"}${port.endPort ? `-${port.endPort}` : ""}`);
}

/** The ports both sides allow: "any port" on one side leaves the other's. */
function commonPorts(a: string[], b: string[]): string[] {
    if (a.includes("any port")) return b;
    if (b.includes("any port")) return a;
    return a.filter((port) => b.includes(port));
}

function externalPeer(peer: Peer): { id: string; label: string } {
    if (peer.ipBlock) {
        const except = peer.ipBlock.except?.length ? ` except ${peer.ipBlock.except.join(", ")}` : "";
        return { id: `ip:${peer.ipBlock.cidr}${except}`, label: `${peer.ipBlock.cidr}${except}` };
    }
    const namespaces = selectorText(peer.namespaceSelector).replace(/^kubernetes\.io\/metadata\.name=/, "");
    const pods = peer.podSelector ? `: ${selectorText(peer.podSelector)}` : "";
    return { id: `ns:${namespaces}${pods}`, label: `namespace ${namespaces}${pods}` };
}

/** The connections the NetworkPolicies among `manifests` allow between the workloads there and beyond. */
export function networkGraph(manifests: Manifest[]): NetworkGraph {
    const workloads = podTemplates(manifests).map(({ object, labels }) => ({
        id: `${object.kind}/${object.metadata.name}`,
        label: `${object.kind} ${object.metadata.name}`,
        labels,
    }));
    const policies = manifests.filter((manifest) => manifest.kind === "NetworkPolicy").map((manifest) => (manifest as unknown as { spec: Policy }).spec);
    const typesOf = (policy: Policy) => policy.policyTypes ?? (policy.egress ? ["Ingress", "Egress"] : ["Ingress"]);
    const rulesFor = (labels: Labels, direction: "Ingress" | "Egress"): Rule[] | undefined => {
        const applying = policies.filter((policy) => typesOf(policy).includes(direction) && selectsPods(policy.podSelector, labels));
        // No policy of this direction selects the pod: the direction is open.
        return applying.length === 0 ? undefined : applying.flatMap((policy) => (direction === "Ingress" ? policy.ingress : policy.egress) ?? []);
    };
    const peersOf = (rule: Rule, direction: "Ingress" | "Egress") => (direction === "Ingress" ? rule.from : rule.to);
    /** Ports that `rules` allow to or from a pod of `labels` in the namespace; undefined: none. */
    const allowedFor = (rules: Rule[] | undefined, direction: "Ingress" | "Egress", labels: Labels): string[] | undefined => {
        if (rules === undefined) return ["any port"];
        const ports = rules.filter((rule) => {
            const peers = peersOf(rule, direction);
            return !peers || peers.length === 0 || peers.some((peer) => !peer.ipBlock && !peer.namespaceSelector && selectsPods(peer.podSelector, labels));
        });
        return ports.length ? [...new Set(ports.flatMap(portsOf))] : undefined;
    };

    const nodes = new Map<string, GraphNode>(workloads.map((workload) => [workload.id, { id: workload.id, label: workload.label, external: false }]));
    const edges: Edge[] = [];
    for (const source of workloads) {
        const egress = rulesFor(source.labels, "Egress");
        for (const target of workloads) {
            if (source === target) continue;
            const out = allowedFor(egress, "Egress", target.labels);
            const into = out && allowedFor(rulesFor(target.labels, "Ingress"), "Ingress", source.labels);
            const ports = out && into ? commonPorts(out, into) : [];
            // Two open sides are no policy's doing; the graph shows what the policies allow.
            if (ports.length && !(egress === undefined && rulesFor(target.labels, "Ingress") === undefined)) {
                edges.push({ from: source.id, to: target.id, ports });
            }
        }
    }
    const external = (peer: Peer) => {
        const { id, label } = externalPeer(peer);
        if (!nodes.has(id)) nodes.set(id, { id, label, external: true });
        return id;
    };
    const addExternal = (from: string, to: string, ports: string[]) => {
        const existing = edges.find((edge) => edge.from === from && edge.to === to);
        if (existing) existing.ports = [...new Set([...existing.ports, ...ports])];
        else edges.push({ from, to, ports });
    };
    for (const workload of workloads) {
        for (const direction of ["Ingress", "Egress"] as const) {
            for (const rule of rulesFor(workload.labels, direction) ?? []) {
                for (const peer of (peersOf(rule, direction) ?? []).filter((peer) => peer.ipBlock || peer.namespaceSelector)) {
                    const id = external(peer);
                    if (direction === "Ingress") addExternal(id, workload.id, portsOf(rule));
                    else addExternal(workload.id, id, portsOf(rule));
                }
            }
        }
    }
    const collapsed = collapseShared(
        edges,
        workloads.map((workload) => workload.id),
        nodes,
    );
    return { nodes: [...nodes.values()], edges: collapsed };
}

/** An edge to the same peer from every workload (DNS, say) is drawn once, from "every pod". */
function collapseShared(edges: Edge[], workloads: string[], nodes: Map<string, GraphNode>): Edge[] {
    const everyPod = "every-pod";
    const shared = [...new Set(edges.map((edge) => edge.to))].filter(
        (to) => nodes.get(to)?.external && workloads.length > 1 && workloads.every((id) => edges.some((edge) => edge.from === id && edge.to === to)),
    );
    if (shared.length === 0) return edges;
    nodes.set(everyPod, { id: everyPod, label: "every pod", external: false });
    const kept = edges.filter((edge) => !shared.includes(edge.to));
    for (const to of shared) {
        const ports = [...new Set(edges.filter((edge) => edge.to === to).flatMap((edge) => edge.ports))];
        kept.push({ from: everyPod, to, ports });
    }
    return kept;
}

/** The graph as a Mermaid flowchart, which GitHub draws in a comment or a Markdown file. */
export function mermaid(graph: NetworkGraph): string {
    const used = new Set(graph.edges.flatMap((edge) => [edge.from, edge.to]));
    const ids = new Map(graph.nodes.filter((node) => used.has(node.id)).map((node, index) => [node.id, `n${index}`]));
    const quote = (text: string) => `"${text.replace(/"/g, "#quot;")}"`;
    const lines = ["flowchart LR"];
    for (const node of graph.nodes.filter((node) => ids.has(node.id))) {
        lines.push(node.external ? `    ${ids.get(node.id)}([${quote(node.label)}])` : `    ${ids.get(node.id)}[${quote(node.label)}]`);
    }
    for (const edge of graph.edges) {
        lines.push(`    ${ids.get(edge.from)} -->|${quote(edge.ports.join(", "))}| ${ids.get(edge.to)}`);
    }
    return lines.join("\n");
}
