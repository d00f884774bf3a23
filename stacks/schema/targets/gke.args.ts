import { safekeeping } from "../safekeeping.args";
import type { TargetArgsOf, TargetConfigOf, TargetSettings } from "./target.args";

export function gkeArgs(target: TargetConfigOf<"gke">, config: TargetSettings, stack: string): TargetArgsOf<"gke"> {
    return {
        kind: "gke",
        appName: config.name,
        stack,
        project: target.project,
        region: target.region,
        ranges: target.ranges,
        releaseChannel: target.releaseChannel,
        publicEndpoint: target.publicEndpoint,
        compute: target.autopilot ? { mode: "autopilot" } : { mode: "nodePools", nodePools: target.nodePools },
        keepImages: target.registry.keepImages,
        ...safekeeping(config),
    };
}
