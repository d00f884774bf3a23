import type { Provider } from "@pulumi/kubernetes/provider";
import * as pulumi from "@pulumi/pulumi";
import { RandomPassword } from "@pulumi/random/randomPassword";
import * as YAML from "yaml";
import { hostScript, runAsRoot } from "./baremetal/scripts";
import { RemoteCommand, type SshConnection } from "./remote-command";
import { kubeDnsPeers, nginxIngress, targetProvider, type ClusterProfile, type IngressControllerArgs, type IngressProfile, type Target } from "./target";

export interface BaremetalNode {
    /** Node name in the cluster; unique. */
    name: string;
    /** Address reached over SSH, and by the other nodes. */
    address: string;
    user: string;
    port: number;
    labels: Record<string, string>;
    /** As `key=value:Effect`. */
    taints: string[];
}

export interface BaremetalClusterArgs {
    /** A pinned k3s release, e.g. v1.33.5+k3s1. */
    k3sVersion: string;
    /** Folder of the k3s releases: the official one, or a site's mirror. */
    downloadUrl: string;
    /** Also fetch the release's image archive to every node. */
    airgapImages: boolean;
    /** Address of the API server in the kubeconfig and its certificate (a virtual IP, or the first server). */
    apiAddress: string;
    tlsSans: string[];
    clusterCidr: string;
    serviceCidr: string;
    /** What k3s bundles that the stack replaces with its own (or another's) controller. */
    disable: ("traefik" | "servicelb")[];
    /** Join token; secret. Absent: a random one, kept in the stack as a secret. */
    token?: pulumi.Input<string>;
    /** How to log in: a private key (secret), or the keys of the SSH agent of whoever runs the program. */
    login: { privateKey: pulumi.Input<string> } | { agent: true };
    /** Control-plane nodes, the first of which initialises the cluster; 1, 3 or 5. */
    servers: BaremetalNode[];
    agents: BaremetalNode[];
    /** The ingress controller that serves the app when k3s's Traefik does not. */
    ingressController: IngressControllerArgs;
    /**
     * Refuse to uninstall k3s from any node: the servers hold etcd, every node may hold local-path
     * volumes (the bundled stores' data). A node is then removed after `pulumi state unprotect`.
     */
    protect: boolean;
}

const apiPort = 6443;
const kubeconfigPath = "/etc/rancher/k3s/k3s.yaml";

/**
 * A k3s cluster on machines of the operator's own, built and kept over SSH. The first server
 * initialises it, the other servers join it one at a time, then the agents; each node is Ready
 * before the next is touched. A change of release runs the same install as an update in that
 * order, so an upgrade takes one node down at a time. A node removed from the list is drained on
 * the first server and k3s is uninstalled from it; destroy uninstalls everywhere.
 */
export class BaremetalCluster extends pulumi.ComponentResource implements Target {
    readonly kind = "baremetal";
    readonly provider: Provider;
    readonly cluster: ClusterProfile;
    /** The cluster-admin kubeconfig, its server the API address; secret. */
    readonly kubeconfig: pulumi.Output<string>;

    constructor(name: string, args: BaremetalClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("appstack:targets:BaremetalCluster", name, {}, opts);
        const token =
            args.token === undefined
                ? new RandomPassword(`${name}-k3s-token`, { length: 48, special: false }, { parent: this }).result
                : pulumi.output(args.token);
        const connection = (node: BaremetalNode): pulumi.Output<SshConnection> =>
            pulumi.output({
                host: node.address,
                port: node.port,
                user: node.user,
                dialErrorLimit: 20,
                ...("privateKey" in args.login ? { privateKey: args.login.privateKey } : {}),
            }) as pulumi.Output<SshConnection>;
        const [first, ...joining] = args.servers;
        const firstServer = connection(first);
        const joinUrl = `https://${first.address}:${apiPort}`;

        const uninstall = runAsRoot(hostScript("uninstall.sh"), {});
        let previous: pulumi.Resource[] = [];
        const drains: pulumi.Resource[] = [];
        // Each node after the one before it is Ready: a first install and an upgrade alike.
        const converge = (node: BaremetalNode, role: "server" | "agent", config: pulumi.Output<string>) => {
            const install = runAsRoot(hostScript("install.sh"), {
                K3S_ROLE: role,
                K3S_VERSION: args.k3sVersion,
                K3S_DOWNLOAD_URL: args.downloadUrl,
                K3S_AIRGAP_IMAGES: String(args.airgapImages),
                K3S_CONFIG: config,
            });
            const k3s = new RemoteCommand(
                `${name}-${node.name}-k3s`,
                { connection: connection(node), create: install, update: install, delete: uninstall },
                { parent: this, dependsOn: previous, protect: args.protect },
            );
            const ready = new RemoteCommand(
                `${name}-${node.name}-ready`,
                {
                    connection: firstServer,
                    create: runAsRoot(hostScript("wait-ready.sh"), { NODE: node.name, K3S_VERSION: args.k3sVersion }),
                    triggers: [args.k3sVersion],
                },
                { parent: this, dependsOn: [k3s] },
            );
            if (node !== first) {
                drains.push(
                    new RemoteCommand(
                        `${name}-${node.name}-drain`,
                        { connection: firstServer, delete: runAsRoot(hostScript("drain.sh"), { NODE: node.name }) },
                        { parent: this, dependsOn: [ready] },
                    ),
                );
            }
            previous = [ready];
            return k3s;
        };

        const bootstrap = converge(first, "server", serverConfig(args, first, token, undefined));
        for (const server of joining) {
            converge(server, "server", serverConfig(args, server, token, joinUrl));
        }
        for (const agent of args.agents) {
            converge(agent, "agent", agentConfig(args, agent, token, joinUrl));
        }

        const read = new RemoteCommand(
            `${name}-kubeconfig`,
            { connection: firstServer, create: runAsRoot(`cat ${kubeconfigPath}\n`, {}), logging: "none", triggers: [args.apiAddress, args.k3sVersion] },
            { parent: this, dependsOn: [bootstrap], additionalSecretOutputs: ["stdout"] },
        );
        // Read again after each upgrade too: k3s renews the client certificate in it when it restarts
        // within 90 days of its expiry, and the one kept in the state would otherwise lapse.
        this.kubeconfig = pulumi.secret(read.stdout.apply((text) => text.split(`https://127.0.0.1:${apiPort}`).join(`https://${args.apiAddress}:${apiPort}`)));
        // The objects are applied once every node serves, and deleted before any node is drained.
        this.provider = targetProvider(name, { kubeconfig: this.kubeconfig, clusterIdentifier: `baremetal-${name}` }, this, [...previous, ...drains]);
        this.cluster = {
            dnsPeers: kubeDnsPeers,
            ingress: args.disable.includes("traefik")
                ? nginxIngress(args.ingressController.className, args.ingressController.namespace, true)
                : traefikIngress(args.ingressController.namespace),
            storageClass: "local-path",
        };
        this.registerOutputs({ kubeconfig: this.kubeconfig });
    }
}

/** k3s's bundled Traefik (in kube-system), which needs no annotation of its own on an Ingress. */
function traefikIngress(namespace: string): IngressProfile {
    return { className: "traefik", annotations: {}, tlsAnnotations: {}, sources: [{ namespace }], publishesStatus: true };
}

/** What every node's k3s is started with. */
function nodeConfig(node: BaremetalNode, token: pulumi.Output<string>, server: string | undefined) {
    return {
        token,
        ...(server === undefined ? {} : { server }),
        "node-name": node.name,
        ...(Object.keys(node.labels).length ? { "node-label": Object.entries(node.labels).map(([key, value]) => `${key}=${value}`) } : {}),
        ...(node.taints.length ? { "node-taint": node.taints } : {}),
        "kubelet-arg": ["read-only-port=0"],
    };
}

/** /etc/rancher/k3s/config.yaml of a server: the first initialises the cluster, the others name it. */
function serverConfig(args: BaremetalClusterArgs, node: BaremetalNode, token: pulumi.Output<string>, server: string | undefined): pulumi.Output<string> {
    const config = {
        ...nodeConfig(node, token, server),
        ...(server === undefined && args.servers.length > 1 ? { "cluster-init": true } : {}),
        "tls-san": [args.apiAddress, ...args.tlsSans],
        "cluster-cidr": args.clusterCidr,
        "service-cidr": args.serviceCidr,
        ...(args.disable.length ? { disable: args.disable } : {}),
        "secrets-encryption": true,
        "write-kubeconfig-mode": "0600",
        "kube-apiserver-arg": [
            "audit-log-path=/var/lib/rancher/k3s/server/logs/audit.log",
            "audit-policy-file=/var/lib/rancher/k3s/server/audit-policy.yaml",
            "audit-log-maxage=30",
            "audit-log-maxbackup=10",
            "audit-log-maxsize=100",
            "admission-control-config-file=/etc/rancher/k3s/pod-security.yaml",
        ],
    };
    return pulumi.secret(pulumi.output(config).apply((resolved) => YAML.stringify(resolved).trimEnd()));
}

function agentConfig(_args: BaremetalClusterArgs, node: BaremetalNode, token: pulumi.Output<string>, server: string): pulumi.Output<string> {
    return pulumi.secret(pulumi.output(nodeConfig(node, token, server)).apply((resolved) => YAML.stringify(resolved).trimEnd()));
}
