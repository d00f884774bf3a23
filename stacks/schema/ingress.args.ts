import type { IngressArgs } from "../../components/app";
import { tlsSecretName } from "../../components/names";
import type { IngressProfile } from "../../components/targets";
import type { StackConfig } from "./stack";

/** The Ingress, for the controller the target runs: its class, its annotations and where its traffic comes from. */
export function ingressArgs(ingress: StackConfig["ingress"], appName: string, controller: IngressProfile): IngressArgs | undefined {
    if (!ingress.enabled || ingress.host === undefined) {
        return undefined;
    }
    const { tls } = ingress;
    const annotations: Record<string, string> = { ...controller.annotations, ...(tls.mode === "none" ? {} : controller.tlsAnnotations) };
    if (tls.mode === "cert-manager") {
        annotations["cert-manager.io/cluster-issuer"] = tls.clusterIssuer;
    }
    return {
        host: ingress.host,
        className: controller.className,
        annotations,
        sources: [...controller.sources],
        tls: tls.mode === "none" ? undefined : { secretName: tls.mode === "secret" ? tls.secretName : tlsSecretName(appName) },
        publishesStatus: controller.publishesStatus,
        dependsOn: controller.dependsOn,
    };
}
