import { z } from "zod";
import { isIpv4Range } from "../../../components/targets/cidr";
import { positiveInt } from "../values";

// What the clusters a stack creates on a cloud share.

export const ipv4Range = z.string().refine(isIpv4Range, "an IPv4 range with its host bits zero, such as 10.0.0.0/16");

/** Who may reach a cloud cluster's API server from the internet; absent: nobody (the private endpoint only). */
export const publicEndpoint = z
    .strictObject({
        cidrs: z
            .array(ipv4Range)
            .min(1, "at least one range")
            .describe("address ranges allowed to reach the API server from the internet (0.0.0.0/0 refused in prod)"),
    })
    .optional()
    .describe("open the API server to the internet, from these ranges only; absent: reachable from the cluster's network only");

export const registry = z
    .strictObject({ keepImages: positiveInt.describe("how many images the repository keeps; older ones, and untagged ones after a week, expire") })
    .default({ keepImages: 30 })
    .describe("the container registry created beside the cluster");

/** Min, desired and max of an autoscaled group, in order. */
export function checkScaling(group: { minSize: number; maxSize: number; desiredSize?: number }, ctx: z.RefinementCtx): void {
    if (group.minSize > group.maxSize) {
        ctx.addIssue({ code: "custom", path: ["minSize"], input: group.minSize, message: `at most maxSize (${group.maxSize})` });
    }
    if (group.desiredSize !== undefined && (group.desiredSize < group.minSize || group.desiredSize > group.maxSize)) {
        ctx.addIssue({
            code: "custom",
            path: ["desiredSize"],
            input: group.desiredSize,
            message: `from minSize (${group.minSize}) to maxSize (${group.maxSize})`,
        });
    }
}
