import * as authorization from "@pulumi/azure-native/authorization";
import * as containerregistry from "@pulumi/azure-native/containerregistry";
import * as containerservice from "@pulumi/azure-native/containerservice";
import * as keyvault from "@pulumi/azure-native/keyvault";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import * as network from "@pulumi/azure-native/network";
import { Provider as AzureProvider } from "@pulumi/azure-native/provider";
import * as resources from "@pulumi/azure-native/resources";
import type { Provider } from "@pulumi/kubernetes/provider";
import * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";
import { kubeDnsPeers, nginxIngress, targetProvider, type ClusterProfile, type Target, type WorkloadIdentityHook } from "./target";
import { clusterFacilities } from "./facilities";

export interface AksPoolArgs {
    name: string;
    vmSize: string;
    minSize: number;
    maxSize: number;
}

export interface AksClusterArgs {
    appName: string;
    stack: string;
    location: string;
    /** The subscription to create in; absent: the one of the deployer's credentials. */
    subscriptionId?: string;
    ranges: { vnet: string; nodes: string; pods: string; services: string };
    kubernetesVersion: string;
    upgradeChannel: "patch" | "stable" | "rapid" | "node-image";
    publicEndpoint?: { cidrs: string[] };
    /** Entra ID groups given cluster-admin through Azure RBAC. */
    adminGroupObjectIds: string[];
    systemPool: AksPoolArgs;
    userPools: AksPoolArgs[];
    /** ACR: its global name, SKU, and the principals (object ids) that push to it. */
    registry: { name: string; sku: "Basic" | "Standard" | "Premium"; pushers: string[] };
    production: boolean;
    protect: boolean;
}

/** Built-in role definitions, by the id Azure gives them everywhere. */
const roles = {
    networkContributor: "4d97b98b-1d4f-4787-a291-c67834d212e7",
    keyVaultCryptoUser: "12338af0-0e69-4776-bea7-57ae8d297424",
    acrPull: "7f951dda-4ed3-4680-a7ca-43fe172d538d",
    acrPush: "8311e382-0749-4cb8-b61a-304f252e45ec",
};
/** The application id of the AKS Entra ID server that kubelogin asks tokens for. */
const aksServerId = "6dae42f8-4368-4678-94ff-3960e28e3630";

/**
 * An AKS cluster in a VNet and resource group of its own, with Azure Container Registry beside it.
 * Entra ID with Azure RBAC is the only way in (local accounts off), secrets are encrypted with a
 * Key Vault key, Azure CNI Overlay with Cilium enforces NetworkPolicy, the OIDC issuer serves
 * Workload Identity, and the application routing add-on (managed nginx) serves Ingresses.
 *
 * ACR issues no push credential without its admin user, which stays off: a build is pushed with
 * the credentials of a principal given in `image.registry` (listed in `registry.pushers`, which get
 * AcrPush), and the kubelet identity pulls with AcrPull.
 */
export class AksCluster extends pulumi.ComponentResource implements Target {
    readonly kind = "aks";
    readonly provider: Provider;
    readonly cluster: ClusterProfile;

    constructor(name: string, args: AksClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("appstack:targets:AksCluster", name, {}, opts);
        const azure = new AzureProvider(name, { location: args.location, subscriptionId: args.subscriptionId }, { parent: this });
        const plain = { parent: this, provider: azure };
        const kept = { ...plain, protect: args.protect };
        const tags = { app: args.appName, stack: args.stack, "managed-by": "pulumi" };
        const client = authorization.getClientConfigOutput({ parent: this, provider: azure });
        const role = (id: string) => pulumi.interpolate`/subscriptions/${client.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${id}`;
        const grant = (
            grantName: string,
            principalId: pulumi.Input<string>,
            roleId: string,
            scope: pulumi.Input<string>,
            opts: pulumi.CustomResourceOptions = {},
        ) =>
            new authorization.RoleAssignment(
                grantName,
                { principalId, principalType: "ServicePrincipal", roleDefinitionId: role(roleId), scope },
                { ...plain, ...opts },
            );

        const group = new resources.ResourceGroup(name, { location: args.location, tags }, kept);
        const vnet = new network.VirtualNetwork(
            `${name}-vnet`,
            { resourceGroupName: group.name, addressSpace: { addressPrefixes: [args.ranges.vnet] }, tags },
            plain,
        );
        const nodeSubnet = new network.Subnet(
            `${name}-nodes`,
            { resourceGroupName: group.name, virtualNetworkName: vnet.name, addressPrefix: args.ranges.nodes },
            plain,
        );

        const controlPlane = new managedidentity.UserAssignedIdentity(`${name}-control-plane`, { resourceGroupName: group.name, tags }, plain);
        const networkGrant = grant(`${name}-control-plane-network`, controlPlane.principalId, roles.networkContributor, nodeSubnet.id);

        // Kubernetes secrets are encrypted with a key of the stack's (KMS v2), which only the control plane may use.
        const vault = new keyvault.Vault(
            `${name}-kv`,
            {
                resourceGroupName: group.name,
                properties: {
                    tenantId: client.tenantId,
                    sku: { family: "A", name: "standard" },
                    enableRbacAuthorization: true,
                    enableSoftDelete: true,
                    softDeleteRetentionInDays: 90,
                    enablePurgeProtection: true,
                },
                tags,
            },
            kept,
        );
        const key = new keyvault.Key(
            `${name}-secrets`,
            {
                resourceGroupName: group.name,
                vaultName: vault.name,
                properties: { kty: "RSA", keySize: 2048, keyOps: ["encrypt", "decrypt", "wrapKey", "unwrapKey"] },
            },
            kept,
        );
        const keyGrant = grant(`${name}-control-plane-key`, controlPlane.principalId, roles.keyVaultCryptoUser, vault.id);

        const pool = (spec: AksPoolArgs, mode: "System" | "User") => ({
            name: spec.name,
            mode,
            vmSize: spec.vmSize,
            enableAutoScaling: true,
            minCount: spec.minSize,
            maxCount: spec.maxSize,
            count: spec.minSize,
            osType: "Linux",
            osSKU: "AzureLinux",
            vnetSubnetID: nodeSubnet.id,
            enableNodePublicIP: false,
            // With pools for the application, the system pool runs the cluster's own pods only.
            nodeTaints: mode === "System" && args.userPools.length > 0 ? ["CriticalAddonsOnly=true:NoSchedule"] : undefined,
        });
        const servicesBase = args.ranges.services.split("/")[0].split(".").map(Number);
        const cluster = new containerservice.ManagedCluster(
            name,
            {
                resourceGroupName: group.name,
                dnsPrefix: `${args.appName}-${args.stack}`.slice(0, 54),
                kubernetesVersion: args.kubernetesVersion,
                identity: { type: "UserAssigned", userAssignedIdentities: [controlPlane.id] },
                sku: { name: "Base", tier: args.production ? "Standard" : "Free" },
                enableRBAC: true,
                aadProfile: { managed: true, enableAzureRBAC: true, adminGroupObjectIDs: args.adminGroupObjectIds },
                disableLocalAccounts: true,
                oidcIssuerProfile: { enabled: true },
                securityProfile: {
                    workloadIdentity: { enabled: true },
                    azureKeyVaultKms: { enabled: true, keyId: key.keyUriWithVersion, keyVaultNetworkAccess: "Public" },
                    imageCleaner: { enabled: true, intervalHours: 168 },
                },
                networkProfile: {
                    networkPlugin: "azure",
                    // Overlay: pods take addresses from `ranges.pods`, not from the VNet, which stays small.
                    networkPluginMode: "overlay",
                    networkDataplane: "cilium",
                    networkPolicy: "cilium",
                    podCidr: args.ranges.pods,
                    serviceCidr: args.ranges.services,
                    dnsServiceIP: [...servicesBase.slice(0, 3), servicesBase[3] + 10].join("."),
                    loadBalancerSku: "standard",
                },
                apiServerAccessProfile: args.publicEndpoint ? { authorizedIPRanges: args.publicEndpoint.cidrs } : { enablePrivateCluster: true },
                autoUpgradeProfile: { upgradeChannel: args.upgradeChannel, nodeOSUpgradeChannel: "NodeImage" },
                ingressProfile: { webAppRouting: { enabled: true } },
                agentPoolProfiles: [pool(args.systemPool, "System"), ...args.userPools.map((spec) => pool(spec, "User"))],
                tags,
            },
            // The autoscaler owns the node counts once the pools run.
            { ...kept, dependsOn: [networkGrant, keyGrant], ignoreChanges: ["agentPoolProfiles[*].count"] },
        );

        const registry = new containerregistry.Registry(
            `${name}-registry`,
            {
                registryName: args.registry.name,
                resourceGroupName: group.name,
                sku: { name: args.registry.sku },
                adminUserEnabled: false,
                // Untagged manifests go after a week (a Premium feature).
                policies: args.registry.sku === "Premium" ? { retentionPolicy: { days: 7, status: "enabled" } } : undefined,
                tags,
            },
            { ...kept, retainOnDelete: args.production },
        );
        const kubelet = cluster.identityProfile.apply((profile) => profile?.kubeletidentity?.objectId ?? "");
        grant(`${name}-kubelet-pull`, kubelet, roles.acrPull, registry.id);
        // Keyed by the principal, so that removing one pusher leaves the others' grants alone; the
        // alias is the name a grant had when pushers were keyed by their place in the list.
        args.registry.pushers.forEach((pusher, index) =>
            grant(`${name}-push-${pusher}`, pusher, roles.acrPush, registry.id, { aliases: [{ name: `${name}-push-${index}` }] }),
        );

        this.provider = targetProvider(
            name,
            { kubeconfig: pulumi.secret(kubeconfig(group.name, cluster, azure, this)), clusterIdentifier: cluster.name },
            this,
        );
        this.cluster = {
            dnsPeers: kubeDnsPeers,
            // The application routing add-on: ingress-nginx run by AKS in app-routing-system.
            ingress: {
                ...nginxIngress("webapprouting.kubernetes.azure.com", "app-routing-system", true),
                tlsAnnotations: { "nginx.ingress.kubernetes.io/force-ssl-redirect": "true" },
            },
            // Azure's CSI classes: premium SSDs in prod, standard SSDs elsewhere.
            storageClass: args.production ? "managed-csi-premium" : "managed-csi",
            network: {
                cloud: "azure",
                location: args.location,
                resourceGroupName: group.name,
                vnetId: vnet.id,
                vnetName: vnet.name,
                nodeSubnetId: nodeSubnet.id,
                cidrs: [args.ranges.vnet, args.ranges.pods],
            },
            cloudProvider: azure,
            facilities: clusterFacilities.aks,
            workloadIdentity: workloadIdentity(group.name, cluster, role, azure),
        };
        this.registerOutputs({ clusterName: cluster.name, registry: registry.loginServer });
    }
}

/**
 * The cluster's address and CA from its user credentials, with kubelogin as the credential plugin
 * (local accounts are off): the deployer needs kubelogin; it logs in as the Azure CLI does, or as
 * `AAD_LOGIN_METHOD` says (`workloadidentity` under Pulumi Deployments' OIDC, `spn` for a service
 * principal).
 */
function kubeconfig(
    groupName: pulumi.Input<string>,
    cluster: containerservice.ManagedCluster,
    azure: AzureProvider,
    parent: pulumi.Resource,
): pulumi.Output<string> {
    const credentials = containerservice.listManagedClusterUserCredentialsOutput(
        { resourceGroupName: groupName, resourceName: cluster.name },
        { parent, provider: azure },
    );
    return pulumi.all([cluster.name, credentials.kubeconfigs]).apply(([clusterName, kubeconfigs]) => {
        const given = YAML.parse(Buffer.from(kubeconfigs[0].value, "base64").toString("utf8"));
        return JSON.stringify({
            apiVersion: "v1",
            kind: "Config",
            clusters: [{ name: clusterName, cluster: given.clusters[0].cluster }],
            contexts: [{ name: clusterName, context: { cluster: clusterName, user: clusterName } }],
            "current-context": clusterName,
            users: [
                {
                    name: clusterName,
                    user: {
                        exec: {
                            apiVersion: "client.authentication.k8s.io/v1beta1",
                            command: "kubelogin",
                            args: ["get-token", "--login", "azurecli", "--server-id", aksServerId],
                        },
                    },
                },
            ],
        });
    });
}

/**
 * AKS Workload Identity: per workload a user-assigned identity with the workload's role
 * assignments, federated with its ServiceAccount through the cluster's OIDC issuer; the
 * ServiceAccount names the identity and the pods ask the webhook for its token by a label.
 */
function workloadIdentity(
    groupName: pulumi.Input<string>,
    cluster: containerservice.ManagedCluster,
    role: (id: string) => pulumi.Output<string>,
    azure: AzureProvider,
): WorkloadIdentityHook {
    return (name, request, parent, aliases) => {
        const opts = { parent, provider: azure, aliases };
        const identity = new managedidentity.UserAssignedIdentity(`${name}-identity`, { resourceGroupName: groupName }, opts);
        new managedidentity.FederatedIdentityCredential(
            `${name}-identity`,
            {
                resourceGroupName: groupName,
                resourceName: identity.name,
                issuer: cluster.oidcIssuerProfile.apply((profile) => profile?.issuerURL ?? ""),
                subject: pulumi.interpolate`system:serviceaccount:${request.namespace}:${request.serviceAccountName}`,
                audiences: ["api://AzureADTokenExchange"],
            },
            opts,
        );
        request.permissions.forEach((permission, index) => {
            if (permission.cloud !== "azure") {
                throw new pulumi.ResourceError(`${name}: a ${permission.cloud} permission cannot be granted on AKS`, parent);
            }
            (permission.roleAssignments ?? []).forEach(
                ({ roleDefinitionId, scope }, n) =>
                    new authorization.RoleAssignment(
                        `${name}-identity-${index}-${n}`,
                        {
                            principalId: identity.principalId,
                            principalType: "ServicePrincipal",
                            roleDefinitionId: pulumi
                                .output(roleDefinitionId)
                                .apply((id) => (id.startsWith("/subscriptions/") ? pulumi.output(id) : role(id.split("/").pop()!))),
                            scope,
                        },
                        opts,
                    ),
            );
        });
        return { serviceAccountAnnotations: { "azure.workload.identity/client-id": identity.clientId }, podLabels: { "azure.workload.identity/use": "true" } };
    };
}
