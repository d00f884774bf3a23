import * as networking from "@pulumi/kubernetes/networking/v1";
import * as pulumi from "@pulumi/pulumi";
import { ingressFrom } from "../network";
import type { ClusterProfile, IngressProfile } from "../targets/target";
import type { AddonArgs } from "./addon";
import { CertManager, type CertManagerArgs } from "./cert-manager";
import type { AcmeIssuerName } from "./charts";
import { IngressNginx, type IngressNginxArgs } from "./ingress-nginx";
import { LocalPath, type LocalPathArgs } from "./local-path";
import { MetalLb, type MetalLbArgs } from "./metallb";
import { MetricsServer } from "./metrics-server";

export { acmeIssuers, type AcmeIssuerName } from "./charts";
export { pinnedCharts, type AddonName, type ChartMirror } from "./charts";

/** The add-ons to install, each absent when off. */
export interface ClusterAddonsArgs {
    /**
     * The app's namespace, where cert-manager answers HTTP-01 challenges from solver pods: the
     * ingress controller (`ingressSources`) is admitted to them through the namespace's default deny.
     */
    appNamespace: pulumi.Input<string>;
    ingressNginx?: IngressNginxArgs;
    certManager?: CertManagerArgs;
    metricsServer?: AddonArgs;
    metallb?: MetalLbArgs;
    localPath?: LocalPathArgs;
    /** Where the cluster's own ingress controller sends from, when none is installed here. */
    ingressSources?: IngressProfile["sources"];
}

/**
 * The add-ons the app needs from its cluster that the cluster lacks, each from its pinned chart in
 * a namespace of its own. What they provide is handed on, so that the app uses what is installed:
 * the controller's ingress profile, the ClusterIssuers, the default StorageClass.
 */
export class ClusterAddons extends pulumi.ComponentResource {
    /** The installed controller's ingress profile; absent when none is installed. */
    readonly ingress?: IngressProfile;
    /** The installed ClusterIssuers by name; absent without cert-manager. */
    readonly issuers?: Record<AcmeIssuerName, pulumi.Output<string>>;
    readonly storageClass?: string;
    /** Whether a metrics API for the autoscalers is installed. */
    readonly metrics: boolean;
    /** What the app's Ingress must wait for: the controller, and the issuer its certificate names. */
    readonly ingressReady: pulumi.Resource[];

    constructor(name: string, args: ClusterAddonsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("appstack:addons:ClusterAddons", name, {}, opts);
        const child = { parent: this };
        // MetalLB first: the controller's LoadBalancer Service gets its address from it.
        const metallb = args.metallb && new MetalLb(`${name}-metallb`, args.metallb, child);
        const ingress = args.ingressNginx && new IngressNginx(`${name}-ingress-nginx`, args.ingressNginx, { ...child, dependsOn: metallb ? [metallb] : [] });
        const certManager = args.certManager && new CertManager(`${name}-cert-manager`, args.certManager, child);
        if (args.metricsServer) {
            new MetricsServer(`${name}-metrics-server`, args.metricsServer, child);
        }
        const localPath = args.localPath && new LocalPath(`${name}-local-path`, args.localPath, child);
        if (certManager) {
            const sources = ingress?.profile.sources ?? args.ingressSources ?? [];
            new networking.NetworkPolicy(
                `${name}-acme-solver`,
                {
                    metadata: { name: "appstack-acme-http01-solver", namespace: args.appNamespace },
                    spec: {
                        podSelector: { matchLabels: { "acme.cert-manager.io/http01-solver": "true" } },
                        policyTypes: ["Ingress"],
                        // 8089: where cert-manager's solver pods serve the challenge token. The sources are
                        // namespaces and ranges, never the app's components, so no app name is needed.
                        ingress: ingressFrom(
                            sources.map((peer) => ({ peer, ports: [8089] })),
                            "",
                        ),
                    },
                },
                child,
            );
        }

        this.ingress = ingress?.profile;
        this.issuers = certManager?.issuers;
        this.storageClass = localPath?.storageClassName;
        this.metrics = args.metricsServer !== undefined;
        this.ingressReady = [ingress, certManager].filter((addon): addon is IngressNginx | CertManager => addon !== undefined);
        this.registerOutputs({});
    }

    /** The cluster's profile as the app sees it with these add-ons installed: their ingress, their storage, waiting for them. */
    appliedTo(cluster: ClusterProfile): ClusterProfile {
        const ingress = this.ingress ?? cluster.ingress;
        return {
            ...cluster,
            ingress: { ...ingress, dependsOn: [...(ingress.dependsOn ?? []), ...this.ingressReady] },
            storageClass: this.storageClass ?? cluster.storageClass,
        };
    }
}
