import type { ClusterAddonsArgs } from "../../components/addons";
import type { IngressProfile } from "../../components/targets";
import { selectedAddons } from "./addons";
import type { StackConfig } from "./stack";

/**
 * The add-ons to install, from the config over the target's defaults. The schema has refused
 * what would not work (no email for cert-manager, no addresses for MetalLB, no mirror for
 * local-path), so each add-on selected here has what it needs. Undefined: none is installed.
 */
export function addonsArgs(
    config: Pick<StackConfig, "addons" | "target" | "ingress">,
    appNamespace: ClusterAddonsArgs["appNamespace"],
    clusterIngress: IngressProfile,
): ClusterAddonsArgs | undefined {
    const selected = selectedAddons(config);
    if (!Object.values(selected).some(Boolean)) {
        return undefined;
    }
    const given = config.addons ?? {};
    const mirror = given.chartMirror;
    const { className, controllerNamespace } = config.ingress;
    return {
        appNamespace,
        ingressSources: clusterIngress.sources,
        ingressNginx: selected.ingressNginx ? { namespace: controllerNamespace, className, values: given.ingressNginx?.values, mirror } : undefined,
        certManager: selected.certManager
            ? {
                  namespace: given.certManager?.namespace ?? "cert-manager",
                  email: given.certManager?.email ?? "",
                  // The challenges go through the controller that serves the app's Ingress: the one installed here, else the cluster's own.
                  solver: selected.ingressNginx
                      ? { className, annotations: {} }
                      : { className: clusterIngress.className, annotations: clusterIngress.annotations },
                  values: given.certManager?.values,
                  mirror,
              }
            : undefined,
        metricsServer: selected.metricsServer
            ? { namespace: given.metricsServer?.namespace ?? "metrics-server", values: given.metricsServer?.values, mirror }
            : undefined,
        metallb: selected.metallb
            ? { namespace: given.metallb?.namespace ?? "metallb-system", addresses: given.metallb?.addresses ?? [], values: given.metallb?.values, mirror }
            : undefined,
        localPath: selected.localPath
            ? {
                  namespace: given.localPath?.namespace ?? "local-path-storage",
                  storageClassName: given.localPath?.storageClassName ?? "local-path",
                  values: given.localPath?.values,
                  mirror,
              }
            : undefined,
    };
}
