import type { ClusterFacilities } from "./target";
import type { TargetKind } from "./kinds";

/**
 * What each kind of target's cluster runs itself, which its profile hands on and the config's
 * add-on defaults read (before any resource exists). Undefined: not known, so nothing is
 * installed unless asked for: a cluster appstack adopts, and the embedded control plane, whose
 * simulated nodes run no containers, so that a controller installed there would serve nothing.
 */
export const clusterFacilities: Record<TargetKind, ClusterFacilities | undefined> = {
    existing: undefined,
    local: undefined,
    // The ALB of the profile's class fronts the app; EKS runs no metrics-server of its own.
    eks: { ingressController: true, certManager: false, metricsServer: false, loadBalancer: true, defaultStorageClass: true },
    // GKE runs its own load-balancer ingress, metrics-server and default class.
    gke: { ingressController: true, certManager: false, metricsServer: true, loadBalancer: true, defaultStorageClass: true },
    // AKS runs the application routing add-on, its own metrics-server and default class.
    aks: { ingressController: true, certManager: false, metricsServer: true, loadBalancer: true, defaultStorageClass: true },
    // k3s runs metrics-server, its service load balancer (unless the stack turns it off) and the
    // local-path default class; its Traefik is turned off unless the stack's ingress class names
    // it, so the ingress-nginx add-on is the default controller.
    baremetal: { ingressController: false, certManager: false, metricsServer: true, loadBalancer: true, defaultStorageClass: true },
};
