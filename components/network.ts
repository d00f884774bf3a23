import * as networking from "@pulumi/kubernetes/networking/v1";
import type * as inputs from "@pulumi/kubernetes/types/input";
import type * as pulumi from "@pulumi/pulumi";
import { selectorLabels } from "./pod";

type PolicyPeer = inputs.networking.v1.NetworkPolicyPeer;

/** Something on the network a workload talks to or hears from. */
export type NetworkPeer =
    /** Pods of another component of the same application, in the same namespace. */
    | { component: string }
    /** The pods of a namespace (an ingress controller, a monitoring stack's Prometheus): those with `podLabels`, or every one. */
    | { namespace: string; podLabels?: Record<string, string> }
    /** Addresses outside the cluster (a managed database, an external API). */
    | { cidr: pulumi.Input<string> };

/** A peer and the TCP ports the traffic goes to. */
export interface NetworkRule {
    peer: NetworkPeer;
    ports: number[];
}

function policyPeer(peer: NetworkPeer, appName: string): PolicyPeer {
    if ("component" in peer) {
        return { podSelector: { matchLabels: selectorLabels(appName, peer.component) } };
    }
    if ("namespace" in peer) {
        const namespaceSelector = { matchLabels: { "kubernetes.io/metadata.name": peer.namespace } };
        return peer.podLabels ? { namespaceSelector, podSelector: { matchLabels: peer.podLabels } } : { namespaceSelector };
    }
    return { ipBlock: { cidr: peer.cidr } };
}

function tcpPorts(ports: number[]) {
    return ports.map((port) => ({ protocol: "TCP", port }));
}

/** NetworkPolicy ingress rules: each peer admitted on its TCP ports. */
export function ingressFrom(rules: NetworkRule[], appName: string) {
    return rules.map((rule) => ({ from: [policyPeer(rule.peer, appName)], ports: tcpPorts(rule.ports) }));
}

/** NetworkPolicy egress rules: each peer reachable on its TCP ports. */
export function egressTo(rules: NetworkRule[], appName: string) {
    return rules.map((rule) => ({ to: [policyPeer(rule.peer, appName)], ports: tcpPorts(rule.ports) }));
}

/**
 * The NetworkPolicy of one component's pods: they are reached from `ingress` and reach `egress`,
 * and nothing else (DNS comes from the namespace's policy).
 */
export function podNetworkPolicy(
    name: string,
    appName: string,
    metadata: { name: string; namespace: pulumi.Input<string>; labels: Record<string, string> },
    component: string,
    rules: { ingress: NetworkRule[]; egress: NetworkRule[] },
    opts: pulumi.CustomResourceOptions,
): networking.NetworkPolicy {
    return new networking.NetworkPolicy(
        name,
        {
            metadata,
            spec: {
                podSelector: { matchLabels: selectorLabels(appName, component) },
                policyTypes: ["Ingress", "Egress"],
                ingress: ingressFrom(rules.ingress, appName),
                egress: egressTo(rules.egress, appName),
            },
        },
        opts,
    );
}
