import * as ec2 from "@pulumi/aws/ec2";
import * as ecr from "@pulumi/aws/ecr";
import * as eks from "@pulumi/aws/eks";
import * as iam from "@pulumi/aws/iam";
import * as kms from "@pulumi/aws/kms";
import { Provider as AwsProvider } from "@pulumi/aws/provider";
import type { Provider } from "@pulumi/kubernetes/provider";
import { StorageClass } from "@pulumi/kubernetes/storage/v1";
import * as pulumi from "@pulumi/pulumi";
import { cidrSubnet } from "./cidr";
import { kubeDnsPeers, targetProvider, type ClusterProfile, type RegistryProfile, type Target, type WorkloadIdentityHook } from "./target";

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

const assumedBy = (service: string, actions = ["sts:AssumeRole"]) =>
    JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: actions }] });
const managedPolicy = (name: string) => `arn:aws:iam::aws:policy/${name}`;

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
        const aws = new AwsProvider(name, { region: args.region, defaultTags: { tags: { app: args.appName, stack: args.stack, "managed-by": "pulumi" } } }, { parent: this });
        const plain = { parent: this, provider: aws };
        const kept = { ...plain, protect: args.protect };

        const network = this.createNetwork(name, args, plain);
        const key = new kms.Key(`${name}-secrets`, { description: `${args.appName} ${args.stack}: Kubernetes secrets and images`, enableKeyRotation: true, deletionWindowInDays: 30 }, kept);

        const autoMode = args.compute.mode === "autoMode";
        const clusterRole = new iam.Role(`${name}-cluster`, { assumeRolePolicy: assumedBy("eks.amazonaws.com", ["sts:AssumeRole", "sts:TagSession"]) }, plain);
        const clusterPolicies = ["AmazonEKSClusterPolicy", ...(autoMode ? ["AmazonEKSComputePolicy", "AmazonEKSBlockStoragePolicy", "AmazonEKSLoadBalancingPolicy", "AmazonEKSNetworkingPolicy"] : [])];
        const clusterAttachments = clusterPolicies.map((policy) => new iam.RolePolicyAttachment(`${name}-cluster-${policy}`, { role: clusterRole.name, policyArn: managedPolicy(policy) }, plain));
        const nodeRole = new iam.Role(`${name}-nodes`, { assumeRolePolicy: assumedBy("ec2.amazonaws.com") }, plain);
        const nodePolicies = autoMode ? ["AmazonEKSWorkerNodeMinimalPolicy", "AmazonEC2ContainerRegistryPullOnly"] : ["AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryReadOnly"];
        const nodeAttachments = nodePolicies.map((policy) => new iam.RolePolicyAttachment(`${name}-nodes-${policy}`, { role: nodeRole.name, policyArn: managedPolicy(policy) }, plain));

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

        const admins = args.admins.map((principalArn, index) => {
            const entry = new eks.AccessEntry(`${name}-admin-${index}`, { clusterName: cluster.name, principalArn, type: "STANDARD" }, plain);
            return new eks.AccessPolicyAssociation(
                `${name}-admin-${index}`,
                { clusterName: cluster.name, principalArn, policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy", accessScope: { type: "cluster" } },
                { ...plain, dependsOn: [entry] },
            );
        });

        const nodes = args.compute.mode === "nodeGroups" ? this.createNodeGroups(name, args.compute.nodeGroups, cluster, nodeRole, key, network.privateSubnets, nodeAttachments, plain) : [];
        const addons = autoMode ? [] : this.createAddons(name, cluster, nodes, plain);

        this.provider = targetProvider(name, { kubeconfig: pulumi.secret(kubeconfig(cluster, args.region)), clusterIdentifier: cluster.name }, this, [...nodes, ...addons, ...admins]);
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
            registry: this.createRegistry(name, args, key, { ...kept, retainOnDelete: args.production }),
            network: {
                cloud: "aws",
                region: args.region,
                vpcId: network.vpc.id,
                privateSubnetIds: network.privateSubnets.map((subnet) => subnet.id),
                cidrs: [args.vpcCidr],
                nodeSecurityGroupId: cluster.vpcConfig.clusterSecurityGroupId,
            },
            cloudProvider: aws,
            workloadIdentity: podIdentity(cluster, aws),
        };
        this.registerOutputs({ clusterName: cluster.name });
    }

    private createNetwork(name: string, args: EksClusterArgs, opts: pulumi.CustomResourceOptions) {
        const vpc = new ec2.Vpc(`${name}-vpc`, { cidrBlock: args.vpcCidr, enableDnsHostnames: true, enableDnsSupport: true }, opts);
        const gateway = new ec2.InternetGateway(`${name}-igw`, { vpcId: vpc.id }, opts);
        const publicRoutes = new ec2.RouteTable(`${name}-public`, { vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: gateway.id }] }, opts);
        // Private subnets take the first eighths of the range (/19 in a /16: room for pod addresses
        // of the VPC CNI), public ones small ranges at its end, for load balancers and NAT only.
        const publicSubnets = args.zones.map((zone, index) => {
            const subnet = new ec2.Subnet(
                `${name}-public-${zone}`,
                { vpcId: vpc.id, availabilityZone: zone, cidrBlock: cidrSubnet(args.vpcCidr, 8, 224 + index), mapPublicIpOnLaunch: false, tags: { "kubernetes.io/role/elb": "1" } },
                opts,
            );
            new ec2.RouteTableAssociation(`${name}-public-${zone}`, { subnetId: subnet.id, routeTableId: publicRoutes.id }, opts);
            return subnet;
        });
        const natZones = args.natGateways === "perZone" ? args.zones : args.zones.slice(0, 1);
        const nats = natZones.map((zone, index) => {
            const address = new ec2.Eip(`${name}-nat-${zone}`, { domain: "vpc" }, opts);
            return new ec2.NatGateway(`${name}-nat-${zone}`, { allocationId: address.id, subnetId: publicSubnets[index].id }, { ...opts, dependsOn: [gateway] });
        });
        const privateSubnets = args.zones.map((zone, index) => {
            const subnet = new ec2.Subnet(
                `${name}-private-${zone}`,
                { vpcId: vpc.id, availabilityZone: zone, cidrBlock: cidrSubnet(args.vpcCidr, 3, index), mapPublicIpOnLaunch: false, tags: { "kubernetes.io/role/internal-elb": "1" } },
                opts,
            );
            const nat = nats[Math.min(index, nats.length - 1)];
            const routes = new ec2.RouteTable(`${name}-private-${zone}`, { vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: nat.id }] }, opts);
            new ec2.RouteTableAssociation(`${name}-private-${zone}`, { subnetId: subnet.id, routeTableId: routes.id }, opts);
            return subnet;
        });
        return { vpc, privateSubnets };
    }

    private createNodeGroups(
        name: string,
        groups: EksNodeGroupArgs[],
        cluster: eks.Cluster,
        nodeRole: iam.Role,
        key: kms.Key,
        subnets: ec2.Subnet[],
        roleAttachments: pulumi.Resource[],
        opts: pulumi.CustomResourceOptions,
    ): eks.NodeGroup[] {
        return groups.map((group) => {
            // IMDSv2 only, one hop: a pod cannot borrow the node's role from the metadata service.
            const template = new ec2.LaunchTemplate(
                `${name}-${group.name}`,
                {
                    metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
                    blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { volumeSize: group.diskSizeGb, volumeType: "gp3", encrypted: "true", kmsKeyId: key.arn, deleteOnTermination: "true" } }],
                    updateDefaultVersion: true,
                },
                opts,
            );
            return new eks.NodeGroup(
                `${name}-${group.name}`,
                {
                    clusterName: cluster.name,
                    nodeRoleArn: nodeRole.arn,
                    subnetIds: subnets.map((subnet) => subnet.id),
                    instanceTypes: group.instanceTypes,
                    capacityType: group.capacityType,
                    amiType: "AL2023_x86_64_STANDARD",
                    scalingConfig: { minSize: group.minSize, maxSize: group.maxSize, desiredSize: group.desiredSize },
                    updateConfig: { maxUnavailable: 1 },
                    launchTemplate: { id: template.id, version: pulumi.interpolate`${template.latestVersion}` },
                },
                // The autoscaler owns the size once the group runs.
                { ...opts, dependsOn: roleAttachments, ignoreChanges: ["scalingConfig.desiredSize"] },
            );
        });
    }

    private createAddons(name: string, cluster: eks.Cluster, nodes: eks.NodeGroup[], opts: pulumi.CustomResourceOptions): eks.Addon[] {
        const addon = (addonName: string, extra: Partial<eks.AddonArgs> = {}, needsNodes = false) =>
            new eks.Addon(`${name}-${addonName}`, { clusterName: cluster.name, addonName, resolveConflictsOnUpdate: "OVERWRITE", ...extra }, { ...opts, dependsOn: needsNodes ? nodes : [] });
        const podIdentityAgent = addon("eks-pod-identity-agent");
        const ebsRole = new iam.Role(`${name}-ebs-csi`, { assumeRolePolicy: assumedBy("pods.eks.amazonaws.com", ["sts:AssumeRole", "sts:TagSession"]) }, opts);
        new iam.RolePolicyAttachment(`${name}-ebs-csi`, { role: ebsRole.name, policyArn: managedPolicy("service-role/AmazonEBSCSIDriverPolicy") }, opts);
        return [
            addon("vpc-cni"),
            addon("kube-proxy"),
            podIdentityAgent,
            addon("coredns", {}, true),
            addon("aws-ebs-csi-driver", { podIdentityAssociations: [{ roleArn: ebsRole.arn, serviceAccount: "ebs-csi-controller-sa" }] }, true),
        ];
    }

    private createRegistry(name: string, args: EksClusterArgs, key: kms.Key, opts: pulumi.CustomResourceOptions): RegistryProfile {
        const repository = new ecr.Repository(
            name,
            {
                imageTagMutability: "IMMUTABLE",
                imageScanningConfiguration: { scanOnPush: true },
                encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: key.arn }],
                forceDelete: !args.production,
            },
            opts,
        );
        new ecr.LifecyclePolicy(
            name,
            {
                repository: repository.name,
                policy: JSON.stringify({
                    rules: [
                        { rulePriority: 1, description: "untagged images go after a week", selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 7 }, action: { type: "expire" } },
                        { rulePriority: 2, description: `keep the last ${args.keepImages} images`, selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: args.keepImages }, action: { type: "expire" } },
                    ],
                }),
            },
            { parent: opts.parent, provider: opts.provider },
        );
        const token = ecr.getAuthorizationTokenOutput({ registryId: repository.registryId }, { parent: this, provider: opts.provider as AwsProvider });
        return {
            repository: repository.repositoryUrl,
            pushCredentials: pulumi.secret(token.apply((t) => ({ server: t.proxyEndpoint.replace(/^https:\/\//, ""), username: t.userName, password: t.password }))),
            // The nodes' role may pull (AmazonEC2ContainerRegistryReadOnly / PullOnly).
            pull: { kind: "node" },
        };
    }
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
            users: [{ name: clusterName, user: { exec: { apiVersion: "client.authentication.k8s.io/v1beta1", command: "aws", args: ["eks", "get-token", "--cluster-name", clusterName, "--region", region, "--output", "json"] } } }],
        }),
    );
}

/**
 * EKS Pod Identity: per workload an IAM role that only the Pod Identity agent may assume, bound
 * to the workload's ServiceAccount by an association. The ServiceAccount and pods carry nothing.
 */
function podIdentity(cluster: eks.Cluster, aws: AwsProvider): WorkloadIdentityHook {
    return (name, request, parent, aliases) => {
        const opts = { parent, provider: aws, aliases };
        const role = new iam.Role(`${name}-identity`, { assumeRolePolicy: assumedBy("pods.eks.amazonaws.com", ["sts:AssumeRole", "sts:TagSession"]) }, opts);
        request.permissions.forEach((permission, index) => {
            if (permission.cloud !== "aws") {
                throw new Error(`${name}: a ${permission.cloud} permission cannot be granted on EKS`);
            }
            (permission.policyArns ?? []).forEach((policyArn, n) => new iam.RolePolicyAttachment(`${name}-identity-${index}-${n}`, { role: role.name, policyArn }, opts));
            (permission.inlinePolicies ?? []).forEach((policy, n) => new iam.RolePolicy(`${name}-identity-${index}-${n}`, { role: role.id, policy }, opts));
        });
        new eks.PodIdentityAssociation(`${name}-identity`, { clusterName: cluster.name, namespace: request.namespace, serviceAccount: request.serviceAccountName, roleArn: role.arn }, opts);
        return { serviceAccountAnnotations: {}, podLabels: {} };
    };
}
