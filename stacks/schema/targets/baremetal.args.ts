import * as pulumi from "@pulumi/pulumi";
import type { BaremetalNode } from "../../../components/targets/baremetal";
import { safekeeping } from "../safekeeping.args";
import { ingressController, type TargetArgsOf, type TargetConfigOf, type TargetSettings } from "./target.args";

export function baremetalArgs(target: TargetConfigOf<"baremetal">, config: TargetSettings): TargetArgsOf<"baremetal"> {
    const node = (entry: (typeof target.servers)[number]): BaremetalNode => ({
        name: entry.name,
        address: entry.address,
        user: entry.user ?? target.ssh.user,
        port: entry.port ?? target.ssh.port,
        labels: entry.labels,
        taints: entry.taints,
    });
    // k3s's own Traefik serves the app only when the stack names its class; any other class is
    // another controller's, and two controllers would fight over ports 80 and 443.
    const keepTraefik = config.ingress.className === "traefik";
    return {
        kind: "baremetal",
        k3sVersion: target.k3sVersion,
        downloadUrl: target.downloadUrl,
        airgapImages: target.airgapImages,
        apiAddress: target.apiAddress ?? target.servers[0].address,
        tlsSans: target.tlsSans,
        clusterCidr: target.clusterCidr,
        serviceCidr: target.serviceCidr,
        disable: [...(keepTraefik ? [] : ["traefik" as const]), ...(target.serviceLoadBalancer === "servicelb" ? [] : ["servicelb" as const])],
        token: target.token === undefined ? undefined : pulumi.secret(target.token),
        login: target.ssh.privateKey === undefined ? { agent: true } : { privateKey: pulumi.secret(target.ssh.privateKey) },
        servers: target.servers.map(node),
        agents: target.agents.map(node),
        ingressController: ingressController(config),
        protect: safekeeping(config).protect,
    };
}
