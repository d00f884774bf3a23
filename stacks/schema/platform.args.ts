import type { PlatformArgs } from "../../components/platform";
import type { PodPeer } from "../../components/targets";
import { safekeeping } from "./safekeeping.args";
import type { StackConfig } from "./stack";

export function platformArgs(config: StackConfig, dnsPeers: PodPeer[]): PlatformArgs {
    const { quota, limitRange } = config;
    return {
        dnsPeers,
        appName: config.name,
        namespace: config.namespace,
        quota: quota && {
            hard: {
                "requests.cpu": quota.requestsCpu,
                "requests.memory": quota.requestsMemory,
                "limits.memory": quota.limitsMemory,
                pods: String(quota.pods),
            },
        },
        limits: [
            {
                type: "Container",
                defaultRequest: { cpu: limitRange.defaultRequestCpu, memory: limitRange.defaultRequestMemory },
                default: { memory: limitRange.defaultLimitMemory },
                max: { memory: limitRange.maxMemory },
            },
        ],
        protect: safekeeping(config).protect,
    };
}
