import { z } from "zod";
import { rangesOverlap } from "../../../components/targets/cidr";
import { dnsLabel, nonNegativeInt, positiveInt, uniqueNames } from "../values";
import { checkScaling, ipv4Range, publicEndpoint, registry } from "./cloud";

const gkeNodePool = z
    .strictObject({
        name: dnsLabel.describe("node pool name"),
        machineType: z
            .string()
            .regex(/^[a-z0-9]+-[a-z0-9-]+$/, "a machine type such as e2-standard-4")
            .describe("Compute Engine machine type"),
        minSize: nonNegativeInt.describe("fewest nodes per zone"),
        maxSize: positiveInt.describe("most nodes per zone"),
        spot: z.boolean().default(false).describe("Spot VMs: cheaper, reclaimed at short notice"),
        diskSizeGb: positiveInt.default(100).describe("boot disk of each node (pd-balanced), in GB"),
    })
    .superRefine(checkScaling);

export const gkeTarget = z
    .strictObject({
        kind: z.literal("gke"),
        project: z
            .string()
            .regex(/^[a-z][-a-z0-9]{4,28}[a-z0-9]$/, "a Google Cloud project id such as acme-prod")
            .describe("Google Cloud project of the cluster"),
        region: z
            .string()
            .regex(/^[a-z]+-[a-z]+\d$/, "a region such as europe-west1")
            .describe("region of the (regional) cluster"),
        ranges: z
            .strictObject({
                nodes: ipv4Range.default("10.10.0.0/20").describe("the subnet's range, for nodes"),
                pods: ipv4Range.default("10.20.0.0/14").describe("secondary range for pods"),
                services: ipv4Range.default("10.24.0.0/20").describe("secondary range for Services"),
            })
            .default({ nodes: "10.10.0.0/20", pods: "10.20.0.0/14", services: "10.24.0.0/20" })
            .describe("address ranges of the VPC-native network; none may overlap"),
        releaseChannel: z.enum(["RAPID", "REGULAR", "STABLE"]).default("REGULAR").describe("GKE release channel: upgrades come from it"),
        publicEndpoint,
        autopilot: z.boolean().default(false).describe("GKE Autopilot: Google runs the nodes; no node pools"),
        nodePools: uniqueNames(z.array(gkeNodePool), "nodePools").default([]).describe("node pools, autoscaled (not with autopilot)"),
        registry,
    })
    .superRefine((value, ctx) => {
        if (value.autopilot === value.nodePools.length > 0) {
            ctx.addIssue({
                code: "custom",
                path: ["nodePools"],
                input: value.nodePools,
                message: value.autopilot ? "none with autopilot: Autopilot runs its own nodes" : "at least one node pool, or autopilot: true",
            });
        }
        const ranges = Object.entries(value.ranges);
        ranges.forEach(([key, range], index) => {
            const other = ranges.slice(0, index).find(([, earlier]) => rangesOverlap(earlier, range));
            if (other) {
                ctx.addIssue({ code: "custom", path: ["ranges", key], input: range, message: `a range apart from ranges.${other[0]} (${other[1]})` });
            }
        });
    });
