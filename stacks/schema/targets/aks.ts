import { z } from "zod";
import { rangesOverlap } from "../../../components/targets/cidr";
import { positiveInt } from "../values";
import { checkScaling, ipv4Range, publicEndpoint } from "./cloud";

const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, "an id such as 00000000-0000-0000-0000-000000000000");

const aksPool = z
    .strictObject({
        name: z
            .string()
            .regex(/^[a-z][a-z0-9]{0,11}$/, "a pool name: up to 12 lower-case letters and digits, starting with a letter")
            .describe("node pool name"),
        vmSize: z
            .string()
            .regex(/^Standard_[A-Za-z0-9_]+$/, "a VM size such as Standard_D4ds_v5")
            .describe("VM size of the nodes"),
        minSize: positiveInt.describe("fewest nodes"),
        maxSize: positiveInt.describe("most nodes"),
    })
    .superRefine(checkScaling);

export const aksTarget = z
    .strictObject({
        kind: z.literal("aks"),
        location: z
            .string()
            .regex(/^[a-z]+[a-z0-9]*$/, "an Azure region such as westeurope")
            .describe("Azure region of the cluster"),
        subscriptionId: uuid.optional().describe("subscription to create in (default: the deployer's credentials')"),
        ranges: z
            .strictObject({
                vnet: ipv4Range.default("10.40.0.0/16").describe("the VNet's range"),
                nodes: ipv4Range.default("10.40.0.0/20").describe("the nodes' subnet, inside the VNet"),
                pods: ipv4Range.default("192.168.0.0/16").describe("overlay range of pod addresses, outside the VNet"),
                services: ipv4Range.default("172.16.0.0/16").describe("range of Service addresses, outside the VNet"),
            })
            .default({ vnet: "10.40.0.0/16", nodes: "10.40.0.0/20", pods: "192.168.0.0/16", services: "172.16.0.0/16" })
            .describe("address ranges: the nodes' subnet inside the VNet, pods and Services apart from it and each other"),
        kubernetesVersion: z
            .string()
            .regex(/^1\.\d+$/, "a minor version such as 1.33")
            .default("1.33")
            .describe("Kubernetes version"),
        upgradeChannel: z.enum(["patch", "stable", "rapid", "node-image"]).default("stable").describe("automatic upgrade channel of the cluster"),
        publicEndpoint,
        adminGroupObjectIds: z.array(uuid).default([]).describe("Entra ID groups given cluster-admin (Azure RBAC)"),
        systemPool: aksPool.default({ name: "system", vmSize: "Standard_D4ds_v5", minSize: 2, maxSize: 3 }).describe("the system node pool, autoscaled"),
        userPools: z.array(aksPool).default([]).describe("node pools for the application, autoscaled (absent: it runs on the system pool)"),
        registry: z
            .strictObject({
                name: z
                    .string()
                    .regex(/^[a-z0-9]{5,50}$/, "5 to 50 lower-case letters and digits, unique across Azure")
                    .describe("name of the Azure Container Registry (NAME.azurecr.io)"),
                sku: z.enum(["Basic", "Standard", "Premium"]).default("Standard").describe("ACR tier; Premium expires untagged manifests"),
                pushers: z
                    .array(uuid)
                    .refine((ids) => new Set(ids).size === ids.length, { message: "each principal once" })
                    .default([])
                    .describe("object ids of the principals that push builds (given AcrPush); the build uses image.registry's credentials"),
            })
            .describe("the container registry created beside the cluster"),
    })
    .superRefine((value, ctx) => {
        const { vnet, nodes, pods, services } = value.ranges;
        if (!rangesOverlap(vnet, nodes) || Number(nodes.split("/")[1]) < Number(vnet.split("/")[1])) {
            ctx.addIssue({ code: "custom", path: ["ranges", "nodes"], input: nodes, message: `a range inside ranges.vnet (${vnet})` });
        }
        for (const [key, range] of [
            ["pods", pods],
            ["services", services],
        ] as const) {
            if (rangesOverlap(range, vnet)) {
                ctx.addIssue({ code: "custom", path: ["ranges", key], input: range, message: `a range outside ranges.vnet (${vnet})` });
            }
        }
        if (rangesOverlap(pods, services)) {
            ctx.addIssue({ code: "custom", path: ["ranges", "services"], input: services, message: `a range apart from ranges.pods (${pods})` });
        }
    });
