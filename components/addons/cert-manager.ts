import { CustomResource } from "@pulumi/kubernetes/apiextensions";
import * as pulumi from "@pulumi/pulumi";
import { addonChart, addonNamespace, type AddonArgs, type Values } from "./addon";
import { pinnedCharts } from "./charts";
import { acmeIssuers, type AcmeIssuerName } from "./charts";

export interface CertManagerArgs extends AddonArgs {
    /** The ACME account's contact: Let's Encrypt writes to it before a certificate expires unrenewed. */
    email: string;
    /** The IngressClass that serves the HTTP-01 challenges, and the annotations its Ingresses need (an ALB's scheme). */
    solver: { className: string; annotations: Record<string, string> };
}

/** The HTTP-01 solver's Ingress: the class, and a template with the annotations only where the class needs some. */
function solverIngress(solver: CertManagerArgs["solver"]) {
    const annotated = Object.keys(solver.annotations).length > 0;
    return { ingressClassName: solver.className, ...(annotated ? { ingressTemplate: { metadata: { annotations: solver.annotations } } } : {}) };
}

/**
 * cert-manager with its CRDs (kept when the chart is removed: deleting them would delete every
 * Certificate in the cluster), each of its three deployments twice with a PDB, and a staging and
 * a production ClusterIssuer answering HTTP-01 through the installed ingress class. The issuers
 * wait for the chart, whose CRDs and webhook must exist before the API server accepts them.
 */
export class CertManager extends pulumi.ComponentResource {
    /** The ClusterIssuers' names, by issuer. */
    readonly issuers: Record<AcmeIssuerName, pulumi.Output<string>>;

    constructor(name: string, args: CertManagerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("appstack:addons:CertManager", name, {}, opts);
        // 10250: the webhook, called by the API server.
        const namespace = addonNamespace(`${name}-namespace`, args.namespace, "restricted", [{ port: 10250 }], this);
        const twice = { replicaCount: 2, podDisruptionBudget: { enabled: true, minAvailable: 1 } };
        const hardened: Values = {
            crds: { enabled: true, keep: true },
            ...twice,
            resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "512Mi" } },
            webhook: { ...twice, resources: { requests: { cpu: "20m", memory: "64Mi" }, limits: { memory: "256Mi" } } },
            cainjector: { ...twice, resources: { requests: { cpu: "20m", memory: "128Mi" }, limits: { memory: "512Mi" } } },
        };
        const chart = addonChart(name, pinnedCharts.certManager, args, hardened, namespace, this);
        const issuer = (issuerName: AcmeIssuerName) =>
            new CustomResource(
                `${name}-${issuerName}`,
                {
                    apiVersion: "cert-manager.io/v1",
                    kind: "ClusterIssuer",
                    metadata: { name: issuerName },
                    spec: {
                        acme: {
                            email: args.email,
                            server: acmeIssuers[issuerName],
                            privateKeySecretRef: { name: `${issuerName}-account` },
                            solvers: [{ http01: { ingress: solverIngress(args.solver) } }],
                        },
                    },
                },
                { parent: this, dependsOn: [chart] },
            ).metadata.name;
        this.issuers = { "letsencrypt-staging": issuer("letsencrypt-staging"), "letsencrypt-prod": issuer("letsencrypt-prod") };
        this.registerOutputs({ issuers: this.issuers });
    }
}
