import { z } from "zod";
import { isIpv4Range, rangesOverlap } from "../../../components/targets/cidr";
import { dnsLabel, port, secretValue } from "../values";
import { ipv4Range } from "./cloud";

/** k3s machines of the operator's own, reached over SSH: appstack installs and upgrades the cluster. */

const k3sVersion = z
    .string()
    .regex(
        /^v1\.\d+\.\d+\+k3s\d+$/,
        "a pinned k3s release such as v1.33.5+k3s1 (a channel such as stable or latest is refused: each `pulumi up` must install the same release)",
    );

const hostName = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)*[a-z]([-a-z0-9]*[a-z0-9])?$/;
const hostAddress = z.string().refine((text) => {
    const octets = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
    return octets ? octets.slice(1).every((octet) => Number(octet) <= 255) : hostName.test(text);
}, "an IPv4 address or a host name such as node-a.example.com");

const labelKey = z
    .string()
    .regex(
        /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/,
        "a label key such as topology.kubernetes.io/zone",
    );
const labelValue = z.string().regex(/^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/, "a label value: up to 63 letters, digits, '-', '_' or '.'");
const taint = z
    .string()
    .regex(
        /^[^=:\s]+(=[^=:\s]*)?:(NoSchedule|PreferNoSchedule|NoExecute)$/,
        "a taint as key=value:Effect, the effect NoSchedule, PreferNoSchedule or NoExecute",
    );

const node = z.strictObject({
    name: dnsLabel.describe("node name in the cluster"),
    address: hostAddress.describe("address appstack reaches the machine at over SSH, and the other nodes reach it at"),
    user: z.string().min(1).optional().describe("SSH user (default: target.ssh.user); it runs sudo without a password"),
    port: port.optional().describe("SSH port (default: target.ssh.port)"),
    labels: z.record(labelKey, labelValue).default({}).describe("node labels (topology.kubernetes.io/zone spreads prod's replicas)"),
    taints: z.array(taint).default([]).describe("node taints, as key=value:Effect"),
});

const ssh = z
    .strictObject({
        user: z.string().min(1).default("root").describe("SSH user of every node that names none"),
        port: port.default(22).describe("SSH port of every node that names none"),
        privateKey: secretValue(z.string().min(1), "< ~/.ssh/id_ed25519").optional().describe("private key (secret) appstack logs in with (or agent: true)"),
        agent: z.boolean().default(false).describe("log in with the keys of the SSH agent (SSH_AUTH_SOCK) instead of privateKey"),
    })
    .superRefine((value, ctx) => {
        if ((value.privateKey === undefined) === !value.agent) {
            ctx.addIssue({
                code: "custom",
                path: ["privateKey"],
                input: undefined,
                message: value.agent
                    ? "no privateKey with agent: true (one way to log in)"
                    : "a private key set as a secret (`pulumi config set --secret --path target.ssh.privateKey < key`), or agent: true",
            });
        }
    });

export const baremetalTarget = z
    .strictObject({
        kind: z.literal("baremetal"),
        k3sVersion: k3sVersion.describe("k3s release installed on every node; changing it upgrades the servers one at a time, then the agents"),
        downloadUrl: z
            .url({ protocol: /^https?$/ })
            .default("https://github.com/k3s-io/k3s/releases/download")
            .describe("where the k3s releases are downloaded from (binary, checksums, images), one folder per release: a local mirror for air-gapped sites"),
        airgapImages: z
            .boolean()
            .default(false)
            .describe("also download the release's image archive to each node, so that k3s starts without pulling its own images"),
        apiAddress: hostAddress
            .optional()
            .describe(
                "address of the API server in the kubeconfig and its certificate: a virtual IP or load balancer in front of the servers (default: the first server's address)",
            ),
        tlsSans: z.array(hostAddress).default([]).describe("further names and addresses the API server's certificate is valid for"),
        clusterCidr: ipv4Range.default("10.42.0.0/16").describe("address range of the pods"),
        serviceCidr: ipv4Range.default("10.43.0.0/16").describe("address range of the Services"),
        serviceLoadBalancer: z
            .enum(["servicelb", "none"])
            .default("servicelb")
            .describe(`"servicelb": k3s's own load balancer publishes LoadBalancer Services on the nodes' addresses; "none": another (MetalLB) does`),
        token: secretValue(z.string().min(16, "at least 16 characters"), "TOKEN")
            .optional()
            .describe("join token (secret) of the cluster; absent: a random one kept as a secret in the stack"),
        ssh: ssh.describe("how appstack logs in to the machines"),
        servers: z.array(node).min(1, "at least one server").describe("control-plane machines (embedded etcd when more than one): 1, 3 or 5"),
        agents: z.array(node).default([]).describe("worker machines"),
    })
    .superRefine(checkNodes, { when: () => true });

type Payload = Record<string, unknown>;

/**
 * The quorum, the names and addresses of the nodes, and the ranges. Checked even when another key
 * has problems, so that every problem is reported at once: entries are read as the user wrote them.
 */
function checkNodes(value: Payload, ctx: z.RefinementCtx): void {
    const list = (key: string) => (Array.isArray(value[key]) ? (value[key] as unknown[]) : []);
    const servers = list("servers");
    if (servers.length > 1 && servers.length % 2 === 0) {
        ctx.addIssue({
            code: "custom",
            path: ["servers"],
            input: servers.length,
            message: `an odd number of servers (1, 3, 5), not ${servers.length}: etcd loses its quorum when half of an even number is lost`,
        });
    }
    const nodes = ["servers", "agents"].flatMap((key) =>
        list(key).map((entry, index) => ({
            entry: (typeof entry === "object" && entry !== null ? entry : {}) as Payload,
            path: [key, index] as [string, number],
        })),
    );
    for (const field of ["name", "address"]) {
        const first = new Map<unknown, [string, number]>();
        for (const { entry, path } of nodes) {
            const written = entry[field];
            const seen = first.get(written);
            if (typeof written !== "string") {
                continue;
            } else if (seen) {
                ctx.addIssue({ code: "custom", path: [...path, field], input: written, message: `a ${field} not already used by ${seen[0]}[${seen[1]}]` });
            } else {
                first.set(written, path);
            }
        }
    }
    const { clusterCidr, serviceCidr } = value;
    if (
        typeof clusterCidr === "string" &&
        typeof serviceCidr === "string" &&
        isIpv4Range(clusterCidr) &&
        isIpv4Range(serviceCidr) &&
        rangesOverlap(clusterCidr, serviceCidr)
    ) {
        ctx.addIssue({ code: "custom", path: ["serviceCidr"], input: serviceCidr, message: `a range apart from clusterCidr (${clusterCidr})` });
    }
}
