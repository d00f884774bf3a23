import { safekeeping } from "../safekeeping.args";
import type { TargetArgsOf, TargetConfigOf, TargetSettings } from "./target.args";

export function eksArgs(target: TargetConfigOf<"eks">, config: TargetSettings, stack: string): TargetArgsOf<"eks"> {
    return {
        kind: "eks",
        appName: config.name,
        stack,
        region: target.region,
        zones: target.zones,
        vpcCidr: target.vpcCidr,
        kubernetesVersion: target.kubernetesVersion,
        natGateways: target.natGateways ?? (safekeeping(config).production ? "perZone" : "one"),
        publicEndpoint: target.publicEndpoint,
        admins: target.admins,
        compute: target.autoMode ? { mode: "autoMode" } : { mode: "nodeGroups", nodeGroups: target.nodeGroups },
        keepImages: target.registry.keepImages,
        ...safekeeping(config),
    };
}
