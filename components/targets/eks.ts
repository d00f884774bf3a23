import * as eks from "@pulumi/aws/eks";
import * as iam from "@pulumi/aws/iam";
import * as kms from "@pulumi/aws/kms";
import { Provider as AwsProvider } from "@pulumi/aws/provider";
import type { Provider } from "@pulumi/kubernetes/provider";
import { StorageClass } from "@pulumi/kubernetes/storage/v1";
import * as pulumi from "@pulumi/pulumi";
import { assumedBy, managedPolicy, podIdentity } from "./eks-identity";
import { eksNetwork } from "./eks-network";
import { eksAddons, eksNodeGroups } from "./eks-nodes";
import { ecrRegistry } from "./eks-registry";
import { kubeDnsPeers, targetProvider, type ClusterProfile, type Target } from "./target";
import { clusterFacilities } from "./facilities";

export interface EksNodeGroupArgs {
    name: string;
    instanceTypes: string[];
    minSize: number;
    maxSize: number;
    desiredSize: number;
    capacityType: "ON_DEMAND" | "SPOT";
    diskSizeGb: number;
}

export interface EksClusterArgs {
    /** The app and stack, for tags. */
    appName: string;
    stack: string;
    region: string;
    /** Availability zones, one private and one public subnet in each. */
    zones: string[];
    vpcCidr: string;
    kubernetesVersion: string;
    /** One NAT gateway for the VPC, or one per zone (no zone's outage cuts the others off). */
    natGateways: "one" | "perZone";
    /** The API server is always reachable from the VPC; from the internet only when asked, from these ranges. */
    publicEndpoint?: { cidrs: string[] };
    /** IAM principals (role or user ARNs) given cluster-admin through access entries. */
    admins: string[];
    /** EKS Auto Mode (AWS runs the nodes, storage and load balancers), or managed node groups. */
    compute: { mode: "autoMode" } | { mode: "nodeGroups"; nodeGroups: EksNodeGroupArgs[] };
    /** Images kept in the repository besides the untagged ones, which expire after a week. */
    keepImages: number;
    /** Deletion protection and final retention for what holds data or every workload. */
    production: boolean;
    protect: boolean;
}

/**
 * An EKS cluster in a VPC of its own, with an ECR repository beside it. Built with @pulumi/aws
 * directly: @pulumi/eks and @pulumi/awsx are component providers run by a plugin, so under the
 * offline render they register one opaque resource whose security settings no test could read.
 *
 * Nodes run in private subnets only and reach out through NAT; the API server has a private
 * endpoint and a public one only when the config asks for it. Ingresses are served by the AWS Load
 * Balancer Controller (class `alb`, IP targets), which, like cert-manager, is a cluster add-on
 * installed apart from this program; with Auto Mode, EKS runs it.
 */
export class EksCluster extends pulumi.ComponentResource implements Target {
    readonly kind = "eks";
    readonly provider: Provider;
    readonly cluster: ClusterProfile;
    readonly clusterName: pulumi.Output<string>;

    constructor(name: string, args: EksClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("appstack:targets:EksCluster", name, {}, opts);
        const aws = new AwsProvider(
            name,
            { region: args.region, defaultTags: { tags: { app: args.appName, stack: args.stack, "managed-by": "pulumi" } } },
            { parent: this },
        );
        const plain = { parent: this, provider: aws };
        const kept = { ...plain, protect: args.protect };

        const network = eksNetwork(name, args, plain);
        const key = new kms.Key(
            `${name}-secrets`,
            { description: `${args.appName} ${args.stack}: Kubernetes secrets and images`, enableKeyRotation: true, deletionWindowInDays: 30 },
            kept,
        );

        const autoMode = args.compute.mode === "autoMode";
        const clusterRole = new iam.Role(`${name}-cluster`, { assumeRolePolicy: assumedBy("eks.amazonaws.com", ["sts:AssumeRole", "sts:TagSession"]) }, plain);
        const clusterPolicies = [
            "AmazonEKSClusterPolicy",
            ...(autoMode ? ["AmazonEKSComputePolicy", "AmazonEKSBlockStoragePolicy", "AmazonEKSLoadBalancingPolicy", "AmazonEKSNetworkingPolicy"] : []),
        ];
        const clusterAttachments = clusterPolicies.map(
            (policy) => new iam.RolePolicyAttachment(`${name}-cluster-${policy}`, { role: clusterRole.name, policyArn: managedPolicy(policy) }, plain),
        );
        const nodeRole = new iam.Role(`${name}-nodes`, { assumeRolePolicy: assumedBy("ec2.amazonaws.com") }, plain);
        const nodePolicies = autoMode
            ? ["AmazonEKSWorkerNodeMinimalPolicy", "AmazonEC2ContainerRegistryPullOnly"]
            : ["AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryReadOnly"];
        const nodeAttachments = nodePolicies.map(
            (policy) => new iam.RolePolicyAttachment(`${name}-nodes-${policy}`, { role: nodeRole.name, policyArn: managedPolicy(policy) }, plain),
        );

        const cluster = new eks.Cluster(
            name,
            {
                roleArn: clusterRole.arn,
                version: args.kubernetesVersion,
                accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: true },
                vpcConfig: {
                    subnetIds: network.privateSubnets.map((subnet) => subnet.id),
                    endpointPrivateAccess: true,
                    endpointPublicAccess: args.publicEndpoint !== undefined,
                    publicAccessCidrs: args.publicEndpoint?.cidrs,
                },
                encryptionConfig: { resources: ["secrets"], provider: { keyArn: key.arn } },
                enabledClusterLogTypes: ["api", "audit", "authenticator", "controllerManager", "scheduler"],
                deletionProtection: args.production,
                upgradePolicy: { supportType: "STANDARD" },
                // Auto Mode runs the networking, DNS and storage drivers itself; otherwise they are the add-ons below.
                bootstrapSelfManagedAddons: !autoMode,
                ...(autoMode
                    ? {
                          computeConfig: { enabled: true, nodePools: ["general-purpose", "system"], nodeRoleArn: nodeRole.arn },
                          storageConfig: { blockStorage: { enabled: true } },
                          kubernetesNetworkConfig: { elasticLoadBalancing: { enabled: true } },
                      }
                    : {}),
            },
            { ...kept, dependsOn: [...clusterAttachments, ...(autoMode ? nodeAttachments : [])] },
        );
        this.clusterName = cluster.name;

        // Keyed by the principal, so that removing one admin leaves the others' entries alone; the
        // alias is the name an entry had when admins were keyed by their place in the list.
        const admins = args.admins.map((principalArn, index) => {
            const keyed = { ...plain, aliases: [{ name: `${name}-admin-${index}` }] };
            const entry = new eks.AccessEntry(
                `${name}-admin-${principalKey(principalArn)}`,
                { clusterName: cluster.name, principalArn, type: "STANDARD" },
                keyed,
            );
            return new eks.AccessPolicyAssociation(
                `${name}-admin-${principalKey(principalArn)}`,
                {
                    clusterName: cluster.name,
                    principalArn,
                    policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
                    accessScope: { type: "cluster" },
                },
                { ...keyed, dependsOn: [entry] },
            );
        });

        const nodes =
            args.compute.mode === "nodeGroups"
                ? eksNodeGroups(name, args.compute.nodeGroups, cluster, nodeRole, key, network.privateSubnets, nodeAttachments, plain)
                : [];
        const addons = autoMode ? [] : eksAddons(name, cluster, nodes, plain);

        this.provider = targetProvider(name, { kubeconfig: pulumi.secret(kubeconfig(cluster, args.region)), clusterIdentifier: cluster.name }, this, [
            ...nodes,
            ...addons,
            ...admins,
        ]);
        const storageClass = new StorageClass(
            `${name}-gp3`,
            {
                metadata: { name: "gp3", annotations: { "storageclass.kubernetes.io/is-default-class": "true" } },
                provisioner: autoMode ? "ebs.csi.eks.amazonaws.com" : "ebs.csi.aws.com",
                parameters: { type: "gp3", encrypted: "true" },
                volumeBindingMode: "WaitForFirstConsumer",
                allowVolumeExpansion: true,
                // In prod a deleted claim leaves its volume behind, to be recovered or removed by hand.
                reclaimPolicy: args.production ? "Retain" : "Delete",
            },
            { parent: this, provider: this.provider },
        );

        this.cluster = {
            dnsPeers: kubeDnsPeers,
            ingress: {
                className: "alb",
                annotations: { "alb.ingress.kubernetes.io/scheme": "internet-facing", "alb.ingress.kubernetes.io/target-type": "ip" },
                tlsAnnotations: { "alb.ingress.kubernetes.io/listen-ports": '[{"HTTP": 80}, {"HTTPS": 443}]', "alb.ingress.kubernetes.io/ssl-redirect": "443" },
                // The load balancer sends to pod addresses from inside the VPC.
                sources: [{ cidr: args.vpcCidr }],
                publishesStatus: true,
            },
            storageClass: storageClass.metadata.name,
            registry: ecrRegistry(name, args, key, { ...kept, retainOnDelete: args.production }),
            network: {
                cloud: "aws",
                region: args.region,
                vpcId: network.vpc.id,
                privateSubnetIds: network.privateSubnets.map((subnet) => subnet.id),
                cidrs: [args.vpcCidr],
                nodeSecurityGroupId: cluster.vpcConfig.clusterSecurityGroupId,
            },
            cloudProvider: aws,
            facilities: clusterFacilities.eks,
            workloadIdentity: podIdentity(cluster, aws),
        };
        this.registerOutputs({ clusterName: cluster.name });
    }
}

/** An IAM principal by its account, kind and name (`123456789012-role-Admin`): unique, and stable while it exists. */
function principalKey(principalArn: string): string {
    const [, , , , account, resource] = principalArn.split(":");
    return `${account}-${resource.replace(/\//g, "-")}`;
}

/** A kubeconfig that authenticates with `aws eks get-token`: the deployer needs the AWS CLI and credentials. */
function kubeconfig(cluster: eks.Cluster, region: string): pulumi.Output<string> {
    return pulumi.all([cluster.name, cluster.endpoint, cluster.certificateAuthority.data]).apply(([clusterName, server, ca]) =>
        JSON.stringify({
            apiVersion: "v1",
            kind: "Config",
            clusters: [{ name: clusterName, cluster: { server, "certificate-authority-data": ca } }],
            contexts: [{ name: clusterName, context: { cluster: clusterName, user: clusterName } }],
            "current-context": clusterName,
            users: [
                {
                    name: clusterName,
                    user: {
                        exec: {
                            apiVersion: "client.authentication.k8s.io/v1beta1",
                            command: "aws",
                            args: ["eks", "get-token", "--cluster-name", clusterName, "--region", region, "--output", "json"],
                        },
                    },
                },
            ],
        }),
    );
}
