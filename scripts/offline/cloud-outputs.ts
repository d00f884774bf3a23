import { createHash } from "node:crypto";
import * as YAML from "yaml";

// What the clouds compute, offline: the results of the invokes the targets make, and the values
// a cloud assigns when it creates a resource.

const azureIds = {
    subscription: "00000000-0000-0000-0000-000000000001",
    tenant: "00000000-0000-0000-0000-000000000002",
    client: "00000000-0000-0000-0000-000000000003",
    object: "00000000-0000-0000-0000-000000000004",
};

/**
 * What the invokes the targets make answer offline, by token: plausible values of the shape the
 * cloud returns. An invoke not listed here answers with its own inputs.
 */
export const invokeResults: Record<string, (inputs: Record<string, any>) => Record<string, unknown>> = {
    "aws:ecr/getAuthorizationToken:getAuthorizationToken": (inputs) => ({
        id: inputs.registryId ?? "123456789012",
        registryId: inputs.registryId,
        proxyEndpoint: `https://${inputs.registryId ?? "123456789012"}.dkr.ecr.eu-west-1.amazonaws.com`,
        userName: "AWS",
        password: "offline-ecr-token",
        authorizationToken: Buffer.from("AWS:offline-ecr-token").toString("base64"),
        expiresAt: "2030-01-01T00:00:00Z",
    }),
    "gcp:organizations/getProject:getProject": (inputs) => ({
        id: `projects/${inputs.projectId}`,
        projectId: inputs.projectId,
        number: "123456789012",
        name: inputs.projectId,
    }),
    "gcp:organizations/getClientConfig:getClientConfig": () => ({
        id: "offline",
        accessToken: "offline-access-token",
        project: "offline-project",
        region: "",
        zone: "",
    }),
    "azure-native:authorization:getClientConfig": () => ({
        clientId: azureIds.client,
        objectId: azureIds.object,
        subscriptionId: azureIds.subscription,
        tenantId: azureIds.tenant,
    }),
    "azure-native:containerservice:listManagedClusterUserCredentials": (inputs) => ({
        kubeconfigs: [
            {
                name: "clusterUser",
                value: Buffer.from(
                    YAML.stringify({
                        apiVersion: "v1",
                        kind: "Config",
                        clusters: [
                            {
                                name: inputs.resourceName,
                                cluster: {
                                    server: `https://${inputs.resourceName}.hcp.westeurope.azmk8s.io:443`,
                                    "certificate-authority-data": Buffer.from("offline certificate authority").toString("base64"),
                                },
                            },
                        ],
                        users: [{ name: "clusterUser", user: { exec: { command: "kubelogin", args: ["get-token", "--login", "devicecode"] } } }],
                    }),
                ).toString("base64"),
            },
        ],
    }),
    "azure-native:redis:listRedisKeys": () => ({ primaryKey: "offline-redis-key", secondaryKey: "offline-redis-key-2" }),
};

const awsAccount = "123456789012";

const offlineCertificate = "-----BEGIN CERTIFICATE-----\nb2ZmbGluZSBjZXJ0aWZpY2F0ZSBhdXRob3JpdHk=\n-----END CERTIFICATE-----";

/**
 * What a cloud computes when it creates a resource, where the program reads it (an ARN, a URL,
 * an endpoint): plausible values of the real shape, derived from the resource's name. Any AWS
 * resource gets an ARN and, when its inputs name none, the name the provider would make up.
 */
export function cloudOutputs(type: string, name: string, inputs: Record<string, any>): Record<string, unknown> {
    if (type.startsWith("gcp:")) {
        return gcpOutputs(type, name, inputs);
    }
    if (type.startsWith("azure-native:")) {
        return azureOutputs(type, name, inputs);
    }
    if (type === "command:remote:Command") {
        return commandOutputs(inputs);
    }
    if (!type.startsWith("aws:")) {
        return {};
    }
    const service = type.split(":")[1].split("/")[0];
    const resourceName = inputs.name ?? `${name}-0a1b2c3`;
    const common = { arn: `arn:aws:${service}:eu-west-1:${awsAccount}:${resourceName}`, name: resourceName };
    switch (type) {
        case "aws:ecr/repository:Repository":
            return { ...common, registryId: awsAccount, repositoryUrl: `${awsAccount}.dkr.ecr.eu-west-1.amazonaws.com/${resourceName}` };
        case "aws:eks/cluster:Cluster":
            return {
                ...common,
                endpoint: `https://${createHash("sha256").update(name).digest("hex").slice(0, 32).toUpperCase()}.gr7.eu-west-1.eks.amazonaws.com`,
                certificateAuthority: { data: Buffer.from("offline certificate authority").toString("base64") },
                vpcConfig: { ...inputs.vpcConfig, clusterSecurityGroupId: `sg-${createHash("sha256").update(name).digest("hex").slice(0, 17)}` },
            };
        case "aws:ec2/launchTemplate:LaunchTemplate":
            return { ...common, latestVersion: 1 };
        default:
            return common;
    }
}

function azureOutputs(type: string, name: string, inputs: Record<string, any>): Record<string, unknown> {
    const resourceName = `${name}0a1b2c3`.replace(/[^A-Za-z0-9-]/g, "");
    const group = typeof inputs.resourceGroupName === "string" ? inputs.resourceGroupName : `${name}-rg`;
    const id = `/subscriptions/${azureIds.subscription}/resourceGroups/${group}/providers/${type.split(":")[1]}/${resourceName}`;
    const identity = createHash("sha256").update(name).digest("hex");
    const guid = `${identity.slice(0, 8)}-${identity.slice(8, 12)}-${identity.slice(12, 16)}-${identity.slice(16, 20)}-${identity.slice(20, 32)}`;
    const common = { id, name: resourceName };
    switch (type) {
        case "azure-native:containerservice:ManagedCluster":
            return {
                ...common,
                fqdn: `${resourceName}.hcp.westeurope.azmk8s.io`,
                oidcIssuerProfile: { enabled: true, issuerURL: `https://westeurope.oic.prod-aks.azure.com/${azureIds.tenant}/${guid}/` },
                identityProfile: { kubeletidentity: { objectId: guid, clientId: guid, resourceId: `${id}-agentpool` } },
            };
        case "azure-native:managedidentity:UserAssignedIdentity":
            return { ...common, principalId: guid, clientId: guid, tenantId: azureIds.tenant };
        case "azure-native:keyvault:Key":
            return {
                ...common,
                keyUri: `https://${resourceName}.vault.azure.net/keys/${resourceName}`,
                keyUriWithVersion: `https://${resourceName}.vault.azure.net/keys/${resourceName}/0a1b2c3d`,
            };
        case "azure-native:containerregistry:Registry":
            return { ...common, loginServer: `${inputs.registryName}.azurecr.io` };
        case "azure-native:dbforpostgresql:Server":
            return { ...common, fullyQualifiedDomainName: `${resourceName}.postgres.database.azure.com` };
        case "azure-native:redis:Redis":
            return { ...common, hostName: `${resourceName}.redis.cache.windows.net`, sslPort: 6380 };
        case "azure-native:storage:StorageAccount":
            return { ...common, primaryEndpoints: { blob: `https://${resourceName.toLowerCase()}.blob.core.windows.net/` } };
        default:
            return common;
    }
}

function gcpOutputs(type: string, name: string, inputs: Record<string, any>): Record<string, unknown> {
    const resourceName = inputs.name ?? `${name}-0a1b2c3`;
    const project = inputs.project ?? "offline-project";
    const common = { name: resourceName, selfLink: `https://www.googleapis.com/compute/v1/projects/${project}/global/${resourceName}` };
    switch (type) {
        case "gcp:serviceaccount/account:Account": {
            const email = `${inputs.accountId}@${project}.iam.gserviceaccount.com`;
            return { email, name: `projects/${project}/serviceAccounts/${email}`, member: `serviceAccount:${email}` };
        }
        case "gcp:container/cluster:Cluster":
            return {
                ...common,
                endpoint: "203.0.113.10",
                masterAuth: { clusterCaCertificate: Buffer.from("offline certificate authority").toString("base64") },
            };
        case "gcp:sql/databaseInstance:DatabaseInstance":
            return {
                ...common,
                privateIpAddress: "10.100.0.3",
                connectionName: `${project}:europe-west1:${resourceName}`,
                serverCaCerts: [{ cert: offlineCertificate }],
            };
        case "gcp:redis/instance:Instance":
            return { ...common, host: "10.100.1.4", port: 6378, serverCaCerts: [{ cert: offlineCertificate }] };
        case "gcp:artifactregistry/repository:Repository":
            return { name: inputs.repositoryId, repositoryId: inputs.repositoryId };
        default:
            return common;
    }
}

/**
 * What a command prints on its host. The one the program reads is the kubeconfig k3s writes on a
 * server (its API at 127.0.0.1, which the program points at the cluster's address).
 */
function commandOutputs(inputs: Record<string, any>): Record<string, unknown> {
    const printsKubeconfig = typeof inputs.create === "string" && inputs.create.includes("cat /etc/rancher/k3s/k3s.yaml");
    const kubeconfig = YAML.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [
            {
                name: "default",
                cluster: { server: "https://127.0.0.1:6443", "certificate-authority-data": Buffer.from(offlineCertificate).toString("base64") },
            },
        ],
        users: [
            {
                name: "default",
                user: {
                    "client-certificate-data": Buffer.from("offline client certificate").toString("base64"),
                    "client-key-data": Buffer.from("offline client key").toString("base64"),
                },
            },
        ],
        contexts: [{ name: "default", context: { cluster: "default", user: "default" } }],
        "current-context": "default",
    });
    return { stdout: printsKubeconfig ? kubeconfig : "", stderr: "" };
}
