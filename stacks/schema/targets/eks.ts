import { z } from "zod";
import { dnsLabel, nonNegativeInt, positiveInt, uniqueNames } from "../values";
import { checkScaling, ipv4Range, publicEndpoint, registry } from "./cloud";

const eksNodeGroup = z
    .strictObject({
        name: dnsLabel.describe("node group name"),
        instanceTypes: z
            .array(z.string().regex(/^[a-z0-9]+\.[a-z0-9]+$/, "an EC2 instance type such as m7i.large"))
            .min(1)
            .describe("EC2 instance types, the first preferred"),
        minSize: nonNegativeInt.describe("fewest nodes"),
        maxSize: positiveInt.describe("most nodes"),
        desiredSize: nonNegativeInt.describe("nodes at creation; the cluster autoscaler owns it afterwards"),
        capacityType: z.enum(["ON_DEMAND", "SPOT"]).default("ON_DEMAND").describe(`"ON_DEMAND" or "SPOT"`),
        diskSizeGb: positiveInt.default(50).describe("encrypted gp3 root volume of each node, in GiB"),
    })
    .superRefine(checkScaling);

const awsRegion = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "an AWS region such as eu-west-1");

export const eksTarget = z
    .strictObject({
        kind: z.literal("eks"),
        region: awsRegion.describe("AWS region of the cluster"),
        zones: z
            .array(z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d[a-z]$/, "an availability zone such as eu-west-1a"))
            .min(2, "at least two zones")
            .max(3, "at most three zones")
            .describe("availability zones of the region, a private and a public subnet in each"),
        vpcCidr: ipv4Range
            .refine((range) => Number(range.split("/")[1]) >= 16 && Number(range.split("/")[1]) <= 20, "a /16 to /20 range")
            .default("10.0.0.0/16")
            .describe("address range of the VPC: an eighth per zone for nodes and pods, small public ranges at its end"),
        kubernetesVersion: z
            .string()
            .regex(/^1\.\d+$/, "a minor version such as 1.33")
            .default("1.33")
            .describe("Kubernetes version of the control plane and nodes"),
        natGateways: z.enum(["one", "perZone"]).optional().describe(`NAT gateways: "one" for the VPC or "perZone" (default: perZone in prod, one in dev)`),
        publicEndpoint,
        admins: z
            .array(z.string().regex(/^arn:aws[a-z-]*:(iam|sts)::\d{12}:(role|user|assumed-role)\/.+$/, "an IAM role or user ARN"))
            .refine((arns) => new Set(arns).size === arns.length, { message: "each principal once" })
            .default([])
            .describe("IAM principals given cluster-admin through access entries (the deployer has it from creating the cluster)"),
        autoMode: z.boolean().default(false).describe("EKS Auto Mode: AWS runs nodes, storage and load balancing; no node groups"),
        nodeGroups: uniqueNames(z.array(eksNodeGroup), "nodeGroups").default([]).describe("managed node groups (not with autoMode)"),
        registry,
    })
    .superRefine((value, ctx) => {
        if (value.autoMode === value.nodeGroups.length > 0) {
            ctx.addIssue({
                code: "custom",
                path: ["nodeGroups"],
                input: value.nodeGroups,
                message: value.autoMode ? "none with autoMode: Auto Mode runs its own nodes" : "at least one node group, or autoMode: true",
            });
        }
        value.zones.forEach((zone, index) => {
            if (!zone.startsWith(value.region)) {
                ctx.addIssue({ code: "custom", path: ["zones", index], input: zone, message: `a zone of ${value.region}` });
            }
        });
        if (new Set(value.zones).size !== value.zones.length) {
            ctx.addIssue({ code: "custom", path: ["zones"], input: value.zones, message: "each zone once" });
        }
    });
