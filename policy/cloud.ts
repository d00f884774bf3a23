// Rules for the managed services and clusters of the clouds, read from the resource type tokens
// and input shapes of @pulumi/aws, @pulumi/gcp and @pulumi/azure-native. The pack never imports
// those SDKs: a stack loads only the cloud it uses, and so does its policy check.

/** A registered cloud resource as a policy sees it. */
export interface CloudResource {
    type: string;
    name: string;
    props: any;
    /** Pulumi's own `protect` option: the engine refuses to delete the resource. */
    protect: boolean;
    /** The resources it depends on directly, its inputs' sources included. */
    dependencies: CloudResource[];
}

type Check = (resource: CloudResource) => string[];

function byType(checks: Record<string, Check>): Check {
    return (resource) => checks[resource.type]?.(resource) ?? [];
}

const publicAcls = ["public-read", "public-read-write", "authenticated-read"];
const publicMembers = ["allUsers", "allAuthenticatedUsers"];

/** Databases, caches and buckets reachable from the internet. */
export const noPublicData: Check = byType({
    "aws:rds/instance:Instance": ({ props }) => (props.publiclyAccessible === true ? ["the database is publicly accessible (publiclyAccessible)"] : []),
    "aws:rds/clusterInstance:ClusterInstance": ({ props }) =>
        props.publiclyAccessible === true ? ["the database is publicly accessible (publiclyAccessible)"] : [],
    // A cache without a subnet group lands in the default VPC, whose subnets are public.
    "aws:elasticache/replicationGroup:ReplicationGroup": ({ props }) =>
        props.subnetGroupName ? [] : ["the cache names no subnet group, so it lands in the default VPC"],
    "aws:elasticache/serverlessCache:ServerlessCache": ({ props }) =>
        (props.subnetIds ?? []).length ? [] : ["the cache names no subnets, so it lands in the default VPC"],
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": ({ props }) => {
        const off = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"].filter((flag) => props[flag] !== true);
        return off.length ? [`the public access block leaves ${off.join(", ")} off`] : [];
    },
    "aws:s3/bucket:Bucket": ({ props }) => (publicAcls.includes(props.acl) ? [`the bucket ACL is ${props.acl}`] : []),
    "aws:s3/bucketV2:BucketV2": ({ props }) => (publicAcls.includes(props.acl) ? [`the bucket ACL is ${props.acl}`] : []),
    "aws:s3/bucketAcl:BucketAcl": ({ props }) => (publicAcls.includes(props.acl) ? [`the bucket ACL is ${props.acl}`] : []),
    "aws:s3/bucketAclV2:BucketAclV2": ({ props }) => (publicAcls.includes(props.acl) ? [`the bucket ACL is ${props.acl}`] : []),
    // Cloud SQL gets a public IPv4 address unless it is turned off.
    "gcp:sql/databaseInstance:DatabaseInstance": ({ props }) => {
        const ip = props.settings?.ipConfiguration ?? {};
        return [
            ...(ip.ipv4Enabled === false ? [] : ["the instance has a public IPv4 address (settings.ipConfiguration.ipv4Enabled is not false)"]),
            ...((ip.authorizedNetworks ?? []).length ? ["the instance admits authorized networks from outside the VPC"] : []),
        ];
    },
    "gcp:storage/bucket:Bucket": ({ props }) => [
        ...(props.publicAccessPrevention === "enforced" ? [] : ["the bucket does not enforce public access prevention (publicAccessPrevention)"]),
        ...(props.uniformBucketLevelAccess === true ? [] : ["the bucket allows per-object ACLs (uniformBucketLevelAccess is not true)"]),
    ],
    "gcp:storage/bucketIAMMember:BucketIAMMember": ({ props }) =>
        publicMembers.includes(props.member) ? [`the bucket grants ${props.role} to ${props.member}`] : [],
    "gcp:storage/bucketIAMBinding:BucketIAMBinding": ({ props }) =>
        (props.members ?? [])
            .filter((member: string) => publicMembers.includes(member))
            .map((member: string) => `the bucket grants ${props.role} to ${member}`),
    // A server in a delegated subnet has no public endpoint whatever the flag says.
    "azure-native:dbforpostgresql:Server": ({ props }) =>
        props.network?.publicNetworkAccess === "Disabled" || props.network?.delegatedSubnetResourceId
            ? []
            : ["the server allows public network access (network.publicNetworkAccess is not Disabled)"],
    "azure-native:redis:Redis": ({ props }) =>
        props.publicNetworkAccess === "Disabled" ? [] : ["the cache allows public network access (publicNetworkAccess is not Disabled)"],
    "azure-native:storage:StorageAccount": ({ props }) => [
        ...(props.allowBlobPublicAccess === false ? [] : ["the account allows public blob access (allowBlobPublicAccess is not false)"]),
        ...(props.publicNetworkAccess === "Disabled" || props.networkRuleSet?.defaultAction === "Deny"
            ? []
            : ["the account is reachable from every network (neither publicNetworkAccess Disabled nor a default-deny network rule set)"]),
    ],
    "azure-native:storage:BlobContainer": ({ props }) =>
        props.publicAccess && props.publicAccess !== "None" ? [`the container allows public access (${props.publicAccess})`] : [],
});

/**
 * Managed data and cluster secrets not encrypted at rest. Cloud SQL, GCS, Azure Database, Azure
 * Cache and Azure Storage encrypt at rest always; S3 encrypts every new object since 2023.
 */
export const encryptedAtRest: Check = byType({
    "aws:rds/instance:Instance": ({ props }) => (props.storageEncrypted === true ? [] : ["storage is not encrypted (storageEncrypted)"]),
    "aws:rds/cluster:Cluster": ({ props }) => (props.storageEncrypted === true ? [] : ["storage is not encrypted (storageEncrypted)"]),
    "aws:elasticache/replicationGroup:ReplicationGroup": ({ props }) =>
        props.atRestEncryptionEnabled === true ? [] : ["the cache is not encrypted at rest (atRestEncryptionEnabled)"],
    "aws:eks/cluster:Cluster": ({ props }) =>
        (props.encryptionConfig?.resources ?? []).includes("secrets") ? [] : ["Kubernetes secrets are not encrypted with a KMS key (encryptionConfig)"],
    "gcp:container/cluster:Cluster": ({ props }) =>
        props.databaseEncryption?.state === "ENCRYPTED" ? [] : ["Kubernetes secrets are not encrypted with a Cloud KMS key (databaseEncryption)"],
    "azure-native:containerservice:ManagedCluster": ({ props }) =>
        props.securityProfile?.azureKeyVaultKms?.enabled === true
            ? []
            : ["Kubernetes secrets are not encrypted with a Key Vault key (securityProfile.azureKeyVaultKms)"],
});

/** Where an API has its own deletion protection, the flag it reads, and its default. */
const deletionFlags: Record<string, { path: string; get: (props: any) => unknown; byDefault: boolean }> = {
    "aws:rds/instance:Instance": { path: "deletionProtection", get: (p) => p.deletionProtection, byDefault: false },
    "aws:rds/cluster:Cluster": { path: "deletionProtection", get: (p) => p.deletionProtection, byDefault: false },
    "gcp:sql/databaseInstance:DatabaseInstance": {
        path: "settings.deletionProtectionEnabled",
        get: (p) => p.settings?.deletionProtectionEnabled,
        byDefault: false,
    },
    "gcp:container/cluster:Cluster": { path: "deletionProtection", get: (p) => p.deletionProtection, byDefault: true },
};

/** The stateful data and clusters whose loss loses data or every workload. */
const protectedTypes = [
    ...Object.keys(deletionFlags),
    "aws:elasticache/replicationGroup:ReplicationGroup",
    "aws:elasticache/serverlessCache:ServerlessCache",
    "aws:s3/bucket:Bucket",
    "aws:s3/bucketV2:BucketV2",
    "aws:eks/cluster:Cluster",
    "gcp:redis/instance:Instance",
    "gcp:storage/bucket:Bucket",
    "azure-native:dbforpostgresql:Server",
    "azure-native:redis:Redis",
    "azure-native:storage:StorageAccount",
    "azure-native:containerservice:ManagedCluster",
];

/**
 * Databases, caches, buckets and clusters that one `pulumi destroy` or a replacement could
 * delete: each needs its API's deletion protection where it has one, and Pulumi's `protect`.
 */
export const deletionProtected: Check = (resource) => {
    if (!protectedTypes.includes(resource.type)) {
        return [];
    }
    const flag = deletionFlags[resource.type];
    return [
        ...(flag && (flag.get(resource.props) ?? flag.byDefault) !== true ? [`deletion protection is off (${flag.path})`] : []),
        ...(resource.protect ? [] : ["the resource is not protected (the `protect` resource option)"]),
    ];
};

/** Cluster nodes with public addresses. */
export const privateNodes: Check = byType({
    "gcp:container/cluster:Cluster": ({ props }) =>
        props.privateClusterConfig?.enablePrivateNodes === true ? [] : ["nodes get public addresses (privateClusterConfig.enablePrivateNodes is not true)"],
    "gcp:container/nodePool:NodePool": ({ props }) =>
        props.networkConfig?.enablePrivateNodes === false ? ["the pool's nodes get public addresses (networkConfig.enablePrivateNodes)"] : [],
    "azure-native:containerservice:ManagedCluster": ({ props }) =>
        (props.agentPoolProfiles ?? [])
            .filter((pool: any) => pool.enableNodePublicIP === true)
            .map((pool: any) => `pool ${pool.name} gives its nodes public addresses (enableNodePublicIP)`),
    "azure-native:containerservice:AgentPool": ({ props }) =>
        props.enableNodePublicIP === true ? ["the pool gives its nodes public addresses (enableNodePublicIP)"] : [],
    // EKS nodes take their addresses from their subnets: none may assign public ones.
    "aws:eks/nodeGroup:NodeGroup": ({ dependencies }) => publicSubnets(dependencies),
    "aws:eks/cluster:Cluster": ({ props, dependencies }) => (props.computeConfig?.enabled === true ? publicSubnets(dependencies) : []),
});

function publicSubnets(dependencies: CloudResource[]): string[] {
    return dependencies
        .filter((dependency) => dependency.type === "aws:ec2/subnet:Subnet" && dependency.props.mapPublicIpOnLaunch === true)
        .map((subnet) => `nodes are placed in subnet ${subnet.name}, which gives public addresses (mapPublicIpOnLaunch)`);
}
