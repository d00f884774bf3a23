import { z } from "zod";
import { addressSpan, spansOverlap, type AddressSpan } from "../../components/addons/address-range";
import { acmeIssuers, pinnedCharts, type AddonName } from "../../components/addons/charts";
import { isIpv4Range } from "../../components/targets/cidr";
import { clusterFacilities } from "../../components/targets/facilities";
import type { TargetKind } from "../../components/targets/kinds";
import type { StackConfig } from "./stack";
import { dnsLabel } from "./values";

// The add-ons appstack installs on the cluster from pinned charts; each defaults to on where the
// target's cluster lacks what it provides (components/targets/facilities.ts).

const helmValues = z.record(z.string(), z.unknown()).describe("Helm values merged over appstack's hardened defaults (yours win, key by key; a list replaces)");
const enabled = z.boolean().optional().describe("install it; default: where the target's cluster lacks it (never on an existing or local cluster)");
const namespace = (fallback: string) => dnsLabel.optional().describe(`its namespace (default ${fallback})`);

const ipv4Range = z.string().refine(isIpv4Range, "an IPv4 CIDR with its host bits zero, such as 10.42.0.0/16");

export const addons = z.strictObject({
    chartMirror: z
        .union([
            z.strictObject({
                oci: z
                    .string()
                    .regex(/^oci:\/\/[^/]+/, "an OCI registry path such as oci://registry.example.com/charts")
                    .describe("OCI registry holding each chart under its name"),
            }),
            z.strictObject({ directory: z.string().min(1, "a directory").describe("directory holding each chart unpacked under its name") }),
        ])
        .optional()
        .describe("where the charts come from instead of their public repositories (air-gapped clusters): an OCI registry (oci) or a directory (directory)"),
    ingressNginx: z
        .strictObject({ enabled, values: helmValues.optional() })
        .optional()
        .describe("ingress-nginx, serving ingress.className from ingress.controllerNamespace"),
    certManager: z
        .strictObject({
            enabled: z
                .boolean()
                .optional()
                .describe("install it; default: where the target's cluster lacks it and the Ingress takes its certificate from cert-manager"),
            namespace: namespace("cert-manager"),
            email: z.email("an email address").optional().describe("the ACME account's contact email (required when cert-manager is installed)"),
            values: helmValues.optional(),
        })
        .optional()
        .describe(`cert-manager with the ClusterIssuers ${Object.keys(acmeIssuers).join(" and ")} (ACME HTTP-01 through the ingress class)`),
    metricsServer: z
        .strictObject({ enabled, namespace: namespace("metrics-server"), values: helmValues.optional() })
        .optional()
        .describe("metrics-server, the metrics API of the autoscalers"),
    metallb: z
        .strictObject({
            enabled,
            namespace: namespace("metallb-system"),
            addresses: z
                .array(z.string())
                .optional()
                .describe("addresses for Services of type LoadBalancer, each a CIDR or first-last (required when MetalLB is installed)"),
            clusterCidrs: z.array(ipv4Range).optional().describe("the cluster's node, pod and service ranges, which no address may overlap"),
            values: helmValues.optional(),
        })
        .optional()
        .describe("MetalLB, giving Services of type LoadBalancer an address (layer 2)"),
    localPath: z
        .strictObject({
            enabled,
            namespace: namespace("local-path-storage"),
            storageClassName: dnsLabel.optional().describe("name of the default StorageClass it serves (default local-path)"),
            values: helmValues.optional(),
        })
        .optional()
        .describe("local-path-provisioner, a default StorageClass on node disks (its chart is published in no repository: needs chartMirror)"),
});

export type AddonsConfig = z.infer<typeof addons>;

/** What decides the add-ons' defaults beyond their own keys. */
export interface AddonContext {
    addons?: AddonsConfig;
    target: { kind: TargetKind };
    ingress: { enabled: boolean; className?: string; tls: { mode: string } };
}

/** Which add-ons the stack installs: the config's choice, else what the target's cluster lacks. */
export function selectedAddons(config: AddonContext): Record<AddonName, boolean> {
    const has = clusterFacilities[config.target.kind];
    const choose = (addon: AddonName, lacks: (facilities: NonNullable<typeof has>) => boolean) =>
        config.addons?.[addon]?.enabled ?? (has !== undefined && lacks(has));
    return {
        // Not for an Ingress of another class (k3s's Traefik on bare metal): nothing would use it.
        ingressNginx: choose("ingressNginx", (f) => !f.ingressController && (config.ingress.className ?? "nginx") === "nginx"),
        certManager: choose("certManager", (f) => !f.certManager && config.ingress.enabled && config.ingress.tls.mode === "cert-manager"),
        metricsServer: choose("metricsServer", (f) => !f.metricsServer),
        metallb: choose("metallb", (f) => !f.loadBalancer),
        localPath: choose("localPath", (f) => !f.defaultStorageClass),
    };
}

/** Every problem of the add-on config against the rest of the stack, each at its key. */
export function checkAddons(config: Record<string, unknown>, ctx: z.RefinementCtx): void {
    const parsed = addons.optional().safeParse(config.addons);
    const target = config.target as { kind?: TargetKind } | undefined;
    const ingress = config.ingress as (AddonContext["ingress"] & { tls: { clusterIssuer?: string } }) | undefined;
    if (!parsed.success || !target?.kind || !(target.kind in clusterFacilities) || !ingress?.tls) {
        return;
    }
    const given = parsed.data ?? {};
    const selected = selectedAddons({ addons: given, target: { kind: target.kind }, ingress });
    const issue = (path: PropertyKey[], message: string, input?: unknown) => ctx.addIssue({ code: "custom", path: ["addons", ...path], input, message });

    for (const addon of Object.keys(selected) as AddonName[]) {
        const own = given[addon] as { values?: unknown } | undefined;
        if (!selected[addon] && own !== undefined && Object.keys(own).some((key) => key !== "enabled")) {
            issue([addon], `set, but ${pinnedCharts[addon].chart} is not installed on this ${target.kind} target (set enabled: true to install it)`, own);
        }
    }
    if (given.chartMirror && !Object.values(selected).some(Boolean)) {
        issue(["chartMirror"], `set, but no add-on is installed on this ${target.kind} target`, given.chartMirror);
    }
    if (selected.localPath && !given.chartMirror) {
        issue(
            ["chartMirror"],
            `a chart mirror holding ${pinnedCharts.localPath.chart} ${pinnedCharts.localPath.version}: its project publishes it in no Helm repository`,
        );
    }
    if (selected.certManager) {
        if (!given.certManager?.email) {
            issue(["certManager", "email"], "the ACME account's email, required when cert-manager is installed");
        }
        const clusterIssuer = ingress.tls.clusterIssuer;
        if (ingress.tls.mode === "cert-manager" && clusterIssuer !== undefined && !(clusterIssuer in acmeIssuers)) {
            ctx.addIssue({
                code: "custom",
                path: ["ingress", "tls", "clusterIssuer"],
                input: clusterIssuer,
                message: `one of the ClusterIssuers appstack installs: ${Object.keys(acmeIssuers).join(", ")}`,
            });
        }
    }
    if (selected.metallb) {
        checkAddressPool(given.metallb?.addresses, given.metallb?.clusterCidrs ?? [], issue);
    }
}

function checkAddressPool(
    addresses: string[] | undefined,
    clusterCidrs: string[],
    issue: (path: PropertyKey[], message: string, input?: unknown) => void,
): void {
    if (!addresses?.length) {
        issue(["metallb", "addresses"], "at least one address range for Services of type LoadBalancer, required when MetalLB is installed");
        return;
    }
    const spans: { text: string; span: AddressSpan }[] = [];
    addresses.forEach((text, index) => {
        const span = addressSpan(text);
        if (typeof span === "string") {
            issue(["metallb", "addresses", index], span, text);
            return;
        }
        const pooled = spans.find((other) => spansOverlap(other.span, span));
        const cluster = clusterCidrs.find((cidr) => spansOverlap(addressSpan(cidr) as AddressSpan, span));
        if (pooled) {
            issue(["metallb", "addresses", index], `overlaps ${pooled.text}, already in the pool`, text);
        } else if (cluster) {
            issue(["metallb", "addresses", index], `overlaps the cluster's range ${cluster} (addons.metallb.clusterCidrs)`, text);
        }
        spans.push({ text, span });
    });
}

/**
 * Why the stack's autoscalers would scale nothing, where it is known: autoscaling is on, the
 * target's cluster runs no metrics API and metrics-server is not installed. Undefined otherwise
 * (also where the cluster is not known: an adopted cluster usually runs one).
 */
export function autoscalingWithoutMetrics(config: Pick<StackConfig, "addons" | "target" | "ingress" | "api" | "frontend" | "workers">): string | undefined {
    const has = clusterFacilities[config.target.kind];
    if (has === undefined || has.metricsServer || selectedAddons(config).metricsServer) {
        return undefined;
    }
    const scaled = [
        ...(config.api.autoscaling.enabled ? ["api"] : []),
        ...(config.frontend.enabled && config.frontend.autoscaling.enabled ? ["frontend"] : []),
        ...config.workers.filter((worker) => worker.autoscaling.enabled).map((worker) => `worker ${worker.name}`),
    ];
    if (scaled.length === 0) {
        return undefined;
    }
    return `the HorizontalPodAutoscalers of ${scaled.join(", ")} scale nothing: this ${config.target.kind} cluster runs no metrics API and addons.metricsServer.enabled is false, so they hold their minimum replicas (install metrics-server, or turn autoscaling off)`;
}
