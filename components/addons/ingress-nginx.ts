import * as pulumi from "@pulumi/pulumi";
import { nginxIngress, type IngressProfile } from "../targets/target";
import { addonChart, addonNamespace, type AddonArgs, type Values } from "./addon";
import { pinnedCharts } from "./charts";

export interface IngressNginxArgs extends AddonArgs {
    /** The IngressClass the controller serves. */
    className: string;
}

/** The labels the chart gives the controller's pods (and only them: not the webhook's jobs). */
export const ingressNginxControllerLabels = { "app.kubernetes.io/name": "ingress-nginx", "app.kubernetes.io/component": "controller" };

/**
 * ingress-nginx, behind a LoadBalancer Service: two replicas spread apart with a PDB, requests
 * set, snippet annotations (arbitrary nginx config from any Ingress author) refused, client
 * addresses kept (`externalTrafficPolicy: Local`), and its class not made the cluster's default.
 */
export class IngressNginx extends pulumi.ComponentResource {
    /** How the app's Ingress reaches this controller. */
    readonly profile: IngressProfile;

    constructor(name: string, args: IngressNginxArgs, opts?: pulumi.ComponentResourceOptions) {
        super("appstack:addons:IngressNginx", name, {}, opts);
        const namespace = addonNamespace(`${name}-namespace`, args.namespace, "restricted", [{ port: 80 }, { port: 443 }, { port: 8443 }], this);
        const hardened: Values = {
            controller: {
                replicaCount: 2,
                minAvailable: 1,
                allowSnippetAnnotations: false,
                resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "512Mi" } },
                ingressClassResource: { name: args.className, default: false, controllerValue: `k8s.io/${args.className}` },
                ingressClass: args.className,
                service: { externalTrafficPolicy: "Local" },
                topologySpreadConstraints: [
                    {
                        maxSkew: 1,
                        topologyKey: "kubernetes.io/hostname",
                        whenUnsatisfiable: "ScheduleAnyway",
                        labelSelector: { matchLabels: ingressNginxControllerLabels },
                    },
                ],
            },
        };
        addonChart(name, pinnedCharts.ingressNginx, args, hardened, namespace, this);
        this.profile = {
            ...nginxIngress(args.className, args.namespace, true),
            sources: [{ namespace: args.namespace, podLabels: ingressNginxControllerLabels }],
        };
        this.registerOutputs({});
    }
}
