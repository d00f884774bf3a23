import { safekeeping } from "../safekeeping.args";
import type { TargetArgsOf, TargetConfigOf, TargetSettings } from "./target.args";

export function aksArgs(target: TargetConfigOf<"aks">, config: TargetSettings, stack: string): TargetArgsOf<"aks"> {
    return {
        kind: "aks",
        appName: config.name,
        stack,
        location: target.location,
        subscriptionId: target.subscriptionId,
        ranges: target.ranges,
        kubernetesVersion: target.kubernetesVersion,
        upgradeChannel: target.upgradeChannel,
        publicEndpoint: target.publicEndpoint,
        adminGroupObjectIds: target.adminGroupObjectIds,
        systemPool: target.systemPool,
        userPools: target.userPools,
        registry: target.registry,
        ...safekeeping(config),
    };
}
