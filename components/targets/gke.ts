import * as artifactregistry from "@pulumi/gcp/artifactregistry";
import * as compute from "@pulumi/gcp/compute";
import * as container from "@pulumi/gcp/container";
import * as kms from "@pulumi/gcp/kms";
import * as organizations from "@pulumi/gcp/organizations";
import * as projects from "@pulumi/gcp/projects";
import { Provider as GcpProvider } from "@pulumi/gcp/provider";
import * as serviceaccount from "@pulumi/gcp/serviceaccount";
import * as storage from "@pulumi/gcp/storage";
import type { Provider } from "@pulumi/kubernetes/provider";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";
import { kubeDnsPeers, targetProvider, type ClusterProfile, type RegistryProfile, type Target, type WorkloadIdentityHook } from "./target";
import { clusterFacilities } from "./facilities";

export interface GkeNodePoolArgs {
    name: string;
    machineType: string;
    /** Per zone of the region. */
    minSize: number;
    maxSize: number;
    spot: boolean;
    diskSizeGb: number;
}

export interface GkeClusterArgs {
    appName: string;
    stack: string;
    project: string;
    region: string;
    /** Address ranges: the subnet's (nodes), and its secondary ranges for pods and Services. */
    ranges: { nodes: string; pods: string; services: string };
    releaseChannel: "RAPID" | "REGULAR" | "STABLE";
    /** Autopilot (Google runs the nodes), or node pools of the stack's own. */
    compute: { mode: "autopilot" } | { mode: "nodePools"; nodePools: GkeNodePoolArgs[] };
    /** The control plane answers on its private address only, or also on its public one from these ranges. */
    publicEndpoint?: { cidrs: string[] };
    keepImages: number;
    production: boolean;
    protect: boolean;
}

/** Ranges Google's load balancers and health checks reach pods from (container-native load balancing). */
const googleFrontEnds = ["130.211.0.0/22", "35.191.0.0/16"];
const nodeRoles = ["roles/logging.logWriter", "roles/monitoring.metricWriter", "roles/monitoring.viewer", "roles/stackdriver.resourceMetadata.writer"];

/**
 * A regional GKE cluster in a VPC-native network of its own, with an Artifact Registry repository
 * beside it. Nodes are private (outbound through Cloud NAT), run as a service account of their own
 * with only the roles logging and monitoring need, boot shielded, and hide the node's metadata
 * from pods (Workload Identity). Dataplane V2 enforces NetworkPolicy. Autopilot clusters get all
 * of that from Google and take no node pools.
 */
export class GkeCluster extends pulumi.ComponentResource implements Target {
    readonly kind = "gke";
    readonly provider: Provider;
    readonly cluster: ClusterProfile;

    constructor(name: string, args: GkeClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("appstack:targets:GkeCluster", name, {}, opts);
        const gcp = new GcpProvider(
            name,
            { project: args.project, region: args.region, defaultLabels: { app: args.appName, stack: args.stack, "managed-by": "pulumi" } },
            { parent: this },
        );
        const plain = { parent: this, provider: gcp };
        const kept = { ...plain, protect: args.protect };

        const network = new compute.Network(`${name}-vpc`, { autoCreateSubnetworks: false, routingMode: "REGIONAL" }, plain);
        const subnet = new compute.Subnetwork(
            `${name}-nodes`,
            {
                network: network.id,
                region: args.region,
                ipCidrRange: args.ranges.nodes,
                privateIpGoogleAccess: true,
                secondaryIpRanges: [
                    { rangeName: "pods", ipCidrRange: args.ranges.pods },
                    { rangeName: "services", ipCidrRange: args.ranges.services },
                ],
                logConfig: { aggregationInterval: "INTERVAL_5_SEC", flowSampling: 0.5, metadata: "INCLUDE_ALL_METADATA" },
            },
            plain,
        );
        const router = new compute.Router(`${name}-router`, { network: network.id, region: args.region }, plain);
        new compute.RouterNat(
            `${name}-nat`,
            {
                router: router.name,
                region: args.region,
                natIpAllocateOption: "AUTO_ONLY",
                sourceSubnetworkIpRangesToNat: "ALL_SUBNETWORKS_ALL_IP_RANGES",
                logConfig: { enable: true, filter: "ERRORS_ONLY" },
            },
            plain,
        );

        // Kubernetes secrets are encrypted with a key of the stack's, which GKE's service agent may use.
        const projectNumber = organizations.getProjectOutput({ projectId: args.project }, { parent: this, provider: gcp }).number;
        const keyRing = new kms.KeyRing(`${name}-keys`, { location: args.region }, kept);
        const key = new kms.CryptoKey(`${name}-secrets`, { keyRing: keyRing.id, rotationPeriod: "7776000s", purpose: "ENCRYPT_DECRYPT" }, kept);
        const keyUse = new kms.CryptoKeyIAMMember(
            `${name}-secrets`,
            {
                cryptoKeyId: key.id,
                role: "roles/cloudkms.cryptoKeyEncrypterDecrypter",
                member: pulumi.interpolate`serviceAccount:service-${projectNumber}@container-engine-robot.iam.gserviceaccount.com`,
            },
            plain,
        );

        const nodeAccount = new serviceaccount.Account(
            `${name}-nodes`,
            { accountId: accountId(`${name}-nodes`), displayName: `${args.appName} ${args.stack} nodes` },
            plain,
        );
        const nodeMember = pulumi.interpolate`serviceAccount:${nodeAccount.email}`;
        const nodeGrants = nodeRoles.map(
            (role) => new projects.IAMMember(`${name}-nodes-${role.split("/")[1]}`, { project: args.project, role, member: nodeMember }, plain),
        );

        const autopilot = args.compute.mode === "autopilot";
        const cluster = new container.Cluster(
            name,
            {
                location: args.region,
                network: network.id,
                subnetwork: subnet.id,
                networkingMode: "VPC_NATIVE",
                ipAllocationPolicy: { clusterSecondaryRangeName: "pods", servicesSecondaryRangeName: "services" },
                privateClusterConfig: { enablePrivateNodes: true, enablePrivateEndpoint: args.publicEndpoint === undefined },
                masterAuthorizedNetworksConfig: { cidrBlocks: (args.publicEndpoint?.cidrs ?? []).map((cidrBlock) => ({ cidrBlock, displayName: cidrBlock })) },
                releaseChannel: { channel: args.releaseChannel },
                databaseEncryption: { state: "ENCRYPTED", keyName: key.id },
                loggingConfig: { enableComponents: ["SYSTEM_COMPONENTS", "WORKLOADS", "APISERVER"] },
                monitoringConfig: { enableComponents: ["SYSTEM_COMPONENTS"], managedPrometheus: { enabled: true } },
                deletionProtection: args.production,
                ...(autopilot
                    ? { enableAutopilot: true, clusterAutoscaling: { autoProvisioningDefaults: { serviceAccount: nodeAccount.email } } }
                    : {
                          // Node pools are managed below; the default one goes at once.
                          removeDefaultNodePool: true,
                          initialNodeCount: 1,
                          nodeConfig: {
                              serviceAccount: nodeAccount.email,
                              shieldedInstanceConfig: { enableSecureBoot: true, enableIntegrityMonitoring: true },
                              workloadMetadataConfig: { mode: "GKE_METADATA" },
                          },
                          workloadIdentityConfig: { workloadPool: `${args.project}.svc.id.goog` },
                          datapathProvider: "ADVANCED_DATAPATH",
                          enableShieldedNodes: true,
                      }),
            },
            { ...kept, dependsOn: [keyUse, ...nodeGrants] },
        );

        const pools = args.compute.mode === "nodePools" ? args.compute.nodePools.map((pool) => this.nodePool(name, pool, cluster, nodeAccount, plain)) : [];
        this.provider = targetProvider(name, { kubeconfig: pulumi.secret(kubeconfig(cluster)), clusterIdentifier: cluster.name }, this, pools);

        this.cluster = {
            dnsPeers: kubeDnsPeers,
            ingress: {
                className: "gce",
                annotations: {},
                // A TLS Ingress answers on HTTPS only.
                tlsAnnotations: { "kubernetes.io/ingress.allow-http": "false" },
                sources: googleFrontEnds.map((cidr) => ({ cidr })),
                publishesStatus: true,
            },
            // GKE's own class: balanced persistent disks, bound where the pod lands.
            storageClass: "standard-rwo",
            registry: this.createRegistry(name, args, nodeMember, { ...kept, retainOnDelete: args.production }),
            network: {
                cloud: "gcp",
                project: args.project,
                region: args.region,
                networkId: network.id,
                subnetId: subnet.id,
                cidrs: [args.ranges.nodes, args.ranges.pods, args.ranges.services],
            },
            cloudProvider: gcp,
            facilities: clusterFacilities.gke,
            workloadIdentity: workloadIdentity(args.project, gcp),
        };
        this.registerOutputs({ clusterName: cluster.name });
    }

    private nodePool(
        name: string,
        pool: GkeNodePoolArgs,
        cluster: container.Cluster,
        account: serviceaccount.Account,
        opts: pulumi.CustomResourceOptions,
    ): container.NodePool {
        return new container.NodePool(
            `${name}-${pool.name}`,
            {
                cluster: cluster.id,
                location: cluster.location,
                autoscaling: { minNodeCount: pool.minSize, maxNodeCount: pool.maxSize },
                management: { autoRepair: true, autoUpgrade: true },
                nodeConfig: {
                    machineType: pool.machineType,
                    spot: pool.spot,
                    diskType: "pd-balanced",
                    diskSizeGb: pool.diskSizeGb,
                    serviceAccount: account.email,
                    oauthScopes: ["https://www.googleapis.com/auth/cloud-platform"],
                    shieldedInstanceConfig: { enableSecureBoot: true, enableIntegrityMonitoring: true },
                    workloadMetadataConfig: { mode: "GKE_METADATA" },
                },
            },
            // The autoscaler owns the count once the pool runs.
            { ...opts, ignoreChanges: ["nodeCount"] },
        );
    }

    private createRegistry(name: string, args: GkeClusterArgs, nodeMember: pulumi.Input<string>, opts: pulumi.CustomResourceOptions): RegistryProfile {
        const repository = new artifactregistry.Repository(
            name,
            {
                repositoryId: `${args.appName}-${args.stack}`.slice(0, 63),
                location: args.region,
                format: "DOCKER",
                dockerConfig: { immutableTags: true },
                cleanupPolicies: [
                    { id: "untagged-after-a-week", action: "DELETE", condition: { tagState: "UNTAGGED", olderThan: "604800s" } },
                    { id: "keep-recent", action: "KEEP", mostRecentVersions: { keepCount: args.keepImages } },
                ],
                cleanupPolicyDryRun: false,
            },
            opts,
        );
        new artifactregistry.RepositoryIamMember(
            `${name}-nodes`,
            { repository: repository.name, location: args.region, role: "roles/artifactregistry.reader", member: nodeMember },
            { parent: this, provider: opts.provider },
        );
        const server = `${args.region}-docker.pkg.dev`;
        const token = organizations.getClientConfigOutput({ parent: this, provider: opts.provider as GcpProvider });
        return {
            repository: pulumi.interpolate`${server}/${args.project}/${repository.repositoryId}/${args.appName}`,
            pushCredentials: pulumi.secret(token.accessToken.apply((password) => ({ server, username: "oauth2accesstoken", password }))),
        };
    }
}

/** A kubeconfig that authenticates with gke-gcloud-auth-plugin: the deployer needs it and Google credentials. */
function kubeconfig(cluster: container.Cluster): pulumi.Output<string> {
    return pulumi.all([cluster.name, cluster.endpoint, cluster.masterAuth.clusterCaCertificate]).apply(([clusterName, endpoint, ca]) =>
        JSON.stringify({
            apiVersion: "v1",
            kind: "Config",
            clusters: [{ name: clusterName, cluster: { server: `https://${endpoint}`, "certificate-authority-data": ca } }],
            contexts: [{ name: clusterName, context: { cluster: clusterName, user: clusterName } }],
            "current-context": clusterName,
            users: [
                {
                    name: clusterName,
                    user: { exec: { apiVersion: "client.authentication.k8s.io/v1beta1", command: "gke-gcloud-auth-plugin", provideClusterInfo: true } },
                },
            ],
        }),
    );
}

/** A service account id: 6 to 30 lower-case characters; a longer name is cut and told apart by a hash. */
function accountId(name: string): string {
    const id = name.toLowerCase().replace(/[^a-z0-9-]/g, "-");
    return id.length <= 30 ? id : `${id.slice(0, 21).replace(/-+$/, "")}-${createHash("sha256").update(id).digest("hex").slice(0, 8)}`;
}

/**
 * GKE Workload Identity: per workload a Google service account with the workload's roles, which
 * only its Kubernetes ServiceAccount may act as; the ServiceAccount names it in an annotation.
 */
function workloadIdentity(project: string, gcp: GcpProvider): WorkloadIdentityHook {
    return (name, request, parent, aliases) => {
        const opts = { parent, provider: gcp, aliases };
        const account = new serviceaccount.Account(`${name}-identity`, { accountId: accountId(name), displayName: `${name} (Workload Identity)` }, opts);
        new serviceaccount.IAMMember(
            `${name}-identity`,
            {
                serviceAccountId: account.name,
                role: "roles/iam.workloadIdentityUser",
                member: pulumi.interpolate`serviceAccount:${project}.svc.id.goog[${request.namespace}/${request.serviceAccountName}]`,
            },
            opts,
        );
        const member = pulumi.interpolate`serviceAccount:${account.email}`;
        request.permissions.forEach((permission, index) => {
            if (permission.cloud !== "gcp") {
                throw new pulumi.ResourceError(`${name}: a ${permission.cloud} permission cannot be granted on GKE`, parent);
            }
            (permission.projectRoles ?? []).forEach((role, n) => new projects.IAMMember(`${name}-identity-${index}-${n}`, { project, role, member }, opts));
            (permission.bucketRoles ?? []).forEach(
                ({ bucket, role }, n) => new storage.BucketIAMMember(`${name}-identity-${index}-bucket-${n}`, { bucket, role, member }, opts),
            );
        });
        return { serviceAccountAnnotations: { "iam.gke.io/gcp-service-account": account.email }, podLabels: {} };
    };
}
