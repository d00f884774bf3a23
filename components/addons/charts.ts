/**
 * Every chart appstack installs, pinned by repository and version in this one table: an upgrade
 * of an add-on is a change of one line here, reviewed like any other.
 */
export interface PinnedChart {
    /** The chart's name, in its repository and in a mirror. */
    readonly chart: string;
    readonly version: string;
    /**
     * The Helm repository the project publishes the chart in. Absent: the project publishes none
     * (the chart ships in its source only), so a mirror must hold it.
     */
    readonly repository?: string;
}

export const pinnedCharts = {
    ingressNginx: { chart: "ingress-nginx", version: "4.13.3", repository: "https://kubernetes.github.io/ingress-nginx" },
    certManager: { chart: "cert-manager", version: "v1.21.2", repository: "https://charts.jetstack.io" },
    metricsServer: { chart: "metrics-server", version: "3.13.1", repository: "https://kubernetes-sigs.github.io/metrics-server" },
    metallb: { chart: "metallb", version: "0.16.2", repository: "https://metallb.github.io/metallb" },
    localPath: { chart: "local-path-provisioner", version: "0.0.30" },
} as const satisfies Record<string, PinnedChart>;

export type AddonName = keyof typeof pinnedCharts;

/**
 * Where charts come from instead of their public repositories, for a cluster without internet:
 * an OCI registry that mirrors them (`oci://registry.example.com/charts`, each chart under its
 * name) or a directory holding each chart unpacked under its name.
 */
export type ChartMirror = { readonly oci: string } | { readonly directory: string };

/** The `chart`, `version` and `repositoryOpts` of a Helm Chart resource for a pinned chart. */
export function chartSource(pinned: PinnedChart, mirror?: ChartMirror): { chart: string; version?: string; repositoryOpts?: { repo: string } } {
    if (mirror && "oci" in mirror) {
        return { chart: `${mirror.oci.replace(/\/+$/, "")}/${pinned.chart}`, version: pinned.version };
    }
    if (mirror) {
        // A chart directory carries its own version; Helm refuses a version beside a path.
        return { chart: `${mirror.directory.replace(/\/+$/, "")}/${pinned.chart}` };
    }
    if (pinned.repository === undefined) {
        throw new Error(`the ${pinned.chart} chart is published in no Helm repository: a chart mirror must hold it`);
    }
    return { chart: pinned.chart, version: pinned.version, repositoryOpts: { repo: pinned.repository } };
}

/** The ACME servers of Let's Encrypt, one ClusterIssuer each, named as the config names them. */
export const acmeIssuers = {
    "letsencrypt-staging": "https://acme-staging-v02.api.letsencrypt.org/directory",
    "letsencrypt-prod": "https://acme-v02.api.letsencrypt.org/directory",
} as const;

export type AcmeIssuerName = keyof typeof acmeIssuers;
