import * as core from "@pulumi/kubernetes/core/v1";
import { Chart } from "@pulumi/kubernetes/helm/v4";
import * as networking from "@pulumi/kubernetes/networking/v1";
import type * as pulumi from "@pulumi/pulumi";
import { chartSource, type ChartMirror, type PinnedChart } from "./charts";

/** Helm values: a tree of plain data. */
export type Values = { [key: string]: unknown };

/** What every add-on is given: where its charts come from and the user's values over its own. */
export interface AddonArgs {
    /** The add-on's own namespace. */
    namespace: string;
    /** Values from config, merged over the add-on's hardened defaults (the user's win). */
    values?: Values;
    /** A mirror the chart is taken from instead of its public repository. */
    mirror?: ChartMirror;
}

/**
 * The Pod Security level an add-on's namespace enforces: "restricted" wherever the chart's pods
 * allow it; "privileged" for the few that must reach the node (MetalLB's speaker announces
 * addresses from the host network, local-path's helper pods mount host directories).
 */
export type PodSecurityLevel = "restricted" | "privileged";

/** A port the add-on's pods are reached on, from anywhere: the API server (webhooks, metrics) comes from node addresses no selector names. */
export interface OpenPort {
    port: number;
    protocol?: "TCP" | "UDP";
}

/**
 * The add-on's namespace, labelled with its Pod Security level, and a NetworkPolicy that admits
 * traffic to its pods on their serving ports only. Egress stays open: controllers talk to the API
 * server and, for cert-manager, to the ACME server, whose addresses no policy can name.
 */
export function addonNamespace(name: string, namespace: string, level: PodSecurityLevel, openPorts: OpenPort[], parent: pulumi.Resource): core.Namespace {
    const created = new core.Namespace(
        name,
        {
            metadata: {
                name: namespace,
                labels: {
                    "app.kubernetes.io/managed-by": "appstack",
                    "pod-security.kubernetes.io/enforce": level,
                    "pod-security.kubernetes.io/enforce-version": "latest",
                    "pod-security.kubernetes.io/audit": level,
                    "pod-security.kubernetes.io/warn": level,
                },
            },
        },
        { parent },
    );
    new networking.NetworkPolicy(
        `${name}-ingress`,
        {
            metadata: { name: "appstack-addon-ingress", namespace: created.metadata.name },
            spec: {
                podSelector: {},
                policyTypes: ["Ingress"],
                ingress: openPorts.length ? [{ ports: openPorts.map(({ port, protocol }) => ({ port, protocol: protocol ?? "TCP" })) }] : [],
            },
        },
        { parent },
    );
    return created;
}

/** The pinned chart installed in the add-on's namespace, with the user's values over the hardened ones. */
export function addonChart(name: string, pinned: PinnedChart, args: AddonArgs, hardened: Values, namespace: core.Namespace, parent: pulumi.Resource): Chart {
    return new Chart(
        name,
        {
            ...chartSource(pinned, args.mirror),
            name: pinned.chart,
            namespace: namespace.metadata.name,
            values: mergeValues(hardened, args.values ?? {}),
        },
        { parent, dependsOn: [namespace] },
    );
}

/** `over` merged into `under` key by key; a list or a scalar in `over` replaces what is under it. */
export function mergeValues(under: Values, over: Values): Values {
    const merged: Values = { ...under };
    for (const [key, value] of Object.entries(over)) {
        const below = merged[key];
        merged[key] = isTree(below) && isTree(value) ? mergeValues(below, value) : value;
    }
    return merged;
}

function isTree(value: unknown): value is Values {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}
