import { Provider, type ProviderArgs } from "@pulumi/kubernetes/provider";
import type * as pulumi from "@pulumi/pulumi";
import type { TargetKind } from "./kinds";

/**
 * A Kubernetes cluster the application is deployed to. Each kind of target (an existing cluster,
 * the embedded local one, and the managed clusters of each cloud) creates or adopts its cluster
 * and hands over one explicit provider, on which every Kubernetes object is registered, and the
 * profile of its cluster: the facts that differ from one cluster to the next and that the
 * platform, the image and the data stores must not guess.
 */
export interface Target {
    /** The `target.kind` of the stack. */
    readonly kind: TargetKind;
    /**
     * The provider of every Kubernetes object. Its `clusterIdentifier` is stable: a rotated
     * credential or a re-issued certificate does not read as a different cluster (which would
     * replace every object).
     */
    readonly provider: Provider;
    readonly cluster: ClusterProfile;
}

/** What the application needs to know about the cluster it runs on. */
export interface ClusterProfile {
    /**
     * The pods that answer DNS: every pod's egress is allowed to them (UDP and TCP 53). On most
     * clusters CoreDNS runs in kube-system labelled `k8s-app: kube-dns`; some distributions differ.
     */
    readonly dnsPeers: PodPeer[];
    readonly ingress: IngressProfile;
    /**
     * StorageClass for volumes that do not name one. Absent: the cluster's default class (which
     * may be none, in which case claims stay Pending until one is set).
     */
    readonly storageClass?: pulumi.Input<string>;
    /** Where images built for this stack are pushed and how pods pull them. Absent: no registry. */
    readonly registry?: RegistryProfile;
    /** The cloud network the cluster runs in, for managed services that must be reachable from it only. */
    readonly network?: CloudNetwork;
    /**
     * The explicit provider the target created its cloud resources with (region or project or
     * location, credentials, default tags). What is created beside the cluster in its cloud (the
     * managed stores) uses it too, so that nothing falls back to a default provider configured
     * elsewhere. Absent for targets that create nothing in a cloud.
     */
    readonly cloudProvider?: pulumi.ProviderResource;
    /** Binds a ServiceAccount to a cloud identity. Absent: the target has no cloud identities. */
    readonly workloadIdentity?: WorkloadIdentityHook;
    /**
     * What the cluster already runs of what the app needs from it; each add-on it lacks is
     * installed by default. Absent: not known (a cluster appstack adopts), so no add-on is
     * installed unless the config asks for it.
     */
    readonly facilities?: ClusterFacilities;
}

/** The services a cluster provides itself, by the add-on that would otherwise provide them. */
export interface ClusterFacilities {
    /** An ingress controller serving the profile's ingress class. */
    readonly ingressController: boolean;
    /** cert-manager and its ClusterIssuers. */
    readonly certManager: boolean;
    /** The resource metrics API (metrics.k8s.io) the HorizontalPodAutoscalers read. */
    readonly metricsServer: boolean;
    /** Something that gives Services of type LoadBalancer an address. */
    readonly loadBalancer: boolean;
    /** A default StorageClass with a provisioner behind it. */
    readonly defaultStorageClass: boolean;
}

/** Pods selected by namespace and labels, as a NetworkPolicy peer selects them. */
export interface PodPeer {
    readonly namespace: string;
    readonly podLabels: Record<string, string>;
}

export interface IngressProfile {
    /** IngressClass of the controller that serves the application's Ingress. */
    readonly className: string;
    /**
     * Annotations this controller class needs on every Ingress, such as the forced HTTPS redirect
     * (nginx's annotation only for the nginx class; other controllers name it differently or
     * redirect by default).
     */
    readonly annotations: Record<string, string>;
    /** Annotations this controller class needs on TLS-terminating Ingresses only. */
    readonly tlsAnnotations: Record<string, string>;
    /**
     * Where ingress traffic reaches the pods from: the controller's namespace for an in-cluster
     * controller, or address ranges (the VPC/VNet CIDRs) for a cloud load balancer that sends
     * straight to pod IPs.
     */
    readonly sources: IngressSource[];
    /**
     * Whether an Ingress gets a load-balancer address on this cluster. Where no ingress controller
     * publishes one, the engine must not wait for it.
     */
    readonly publishesStatus: boolean;
    /** What an Ingress of this class waits for: the controller and the issuer of its certificate, where appstack installs them. */
    readonly dependsOn?: pulumi.Resource[];
}

/** A namespace (its pods with these labels, where known), or an address range (known from config: the VPC/VNet ranges are chosen, not assigned). */
export type IngressSource = { readonly namespace: string; readonly podLabels?: Record<string, string> } | { readonly cidr: string };

/** A container registry beside the cluster. */
export interface RegistryProfile {
    /** Repository images are pushed to, without tag or digest (e.g. `123.dkr.ecr.eu-west-1.amazonaws.com/app`). */
    readonly repository: pulumi.Input<string>;
    /**
     * Credentials to push with; secret. Pods pull with the nodes' own identity (ECR through the
     * node role, Artifact Registry through the node service account), so none are handed out.
     */
    readonly pushCredentials: pulumi.Output<RegistryCredentials>;
}

export interface RegistryCredentials {
    /** Registry host (`registry.example.com`), as `docker login` names it. */
    readonly server: string;
    readonly username: string;
    readonly password: string;
}

/** The network of a managed cluster, for managed data stores that must live in it. */
export type CloudNetwork =
    | {
          readonly cloud: "aws";
          readonly region: pulumi.Input<string>;
          readonly vpcId: pulumi.Input<string>;
          /** Subnets without a route from the internet, one per zone. */
          readonly privateSubnetIds: pulumi.Input<string>[];
          /** The VPC's address ranges, which the cluster's nodes and pods come from. */
          readonly cidrs: pulumi.Input<string>[];
          /** The security group of the cluster's nodes and pods, to admit on a data store's own group. */
          readonly nodeSecurityGroupId: pulumi.Input<string>;
      }
    | {
          readonly cloud: "gcp";
          readonly project: pulumi.Input<string>;
          readonly region: pulumi.Input<string>;
          /** Self link / id of the VPC network (private service access and PSC attach to it). */
          readonly networkId: pulumi.Input<string>;
          readonly subnetId: pulumi.Input<string>;
          /** Node, pod and service ranges of the subnet. */
          readonly cidrs: pulumi.Input<string>[];
      }
    | {
          readonly cloud: "azure";
          readonly location: pulumi.Input<string>;
          readonly resourceGroupName: pulumi.Input<string>;
          readonly vnetId: pulumi.Input<string>;
          readonly vnetName: pulumi.Input<string>;
          /** The nodes' (and, with Azure CNI, the pods') subnet. */
          readonly nodeSubnetId: pulumi.Input<string>;
          /** The VNet's address ranges. */
          readonly cidrs: pulumi.Input<string>[];
      };

/** A cloud permission a workload is given, by cloud. */
export type CloudPermission =
    /** AWS: IAM policy ARNs to attach, and/or inline policy documents (JSON). */
    | { readonly cloud: "aws"; readonly policyArns?: pulumi.Input<string>[]; readonly inlinePolicies?: pulumi.Input<string>[] }
    /** GCP: IAM roles on the project, and roles on single buckets (each bucket's own IAM member binding). */
    | { readonly cloud: "gcp"; readonly projectRoles?: string[]; readonly bucketRoles?: { readonly bucket: pulumi.Input<string>; readonly role: string }[] }
    /** Azure: role definitions (ids) on scopes (resource ids). */
    | { readonly cloud: "azure"; readonly roleAssignments?: { readonly roleDefinitionId: pulumi.Input<string>; readonly scope: pulumi.Input<string> }[] };

export interface WorkloadIdentityRequest {
    /** Namespace and name of the ServiceAccount the workload's pods run as. */
    readonly namespace: pulumi.Input<string>;
    readonly serviceAccountName: pulumi.Input<string>;
    /** The cloud permissions the workload's pods get. */
    readonly permissions: CloudPermission[];
}

/** What the ServiceAccount and its pods must carry for the binding to take effect. */
export interface WorkloadIdentityBinding {
    readonly serviceAccountAnnotations: Record<string, pulumi.Input<string>>;
    readonly podLabels: Record<string, string>;
}

/**
 * Creates the cloud identity of one workload and binds it to its ServiceAccount (IRSA or EKS Pod
 * Identity, GKE Workload Identity, an AKS Workload Identity federated credential). `name` is
 * unique per workload and derives the names of what it creates; `parent` is the component the
 * cloud resources are created under, so that they move with the workload; `aliases` say where
 * they were before the workload moved, so that a move replaces none of them.
 */
export type WorkloadIdentityHook = (
    name: string,
    request: WorkloadIdentityRequest,
    parent: pulumi.Resource,
    aliases?: pulumi.Input<pulumi.Alias>[],
) => WorkloadIdentityBinding;

/** A workload's cloud permissions, with the hook of its target that grants them to its ServiceAccount. */
export interface CloudIdentity {
    readonly bind: WorkloadIdentityHook;
    readonly permissions: CloudPermission[];
}

/** The ingress controller a cluster runs: the class Ingresses name and the namespace its pods run in. */
export interface IngressControllerArgs {
    className: string;
    namespace: string;
}

/** CoreDNS (or kube-dns) as most distributions run it. */
export const kubeDnsPeers: PodPeer[] = [{ namespace: "kube-system", podLabels: { "k8s-app": "kube-dns" } }];

/** The ingress-nginx controller: its class, its redirect annotation, and its namespace as the one source. */
export function nginxIngress(className: string, controllerNamespace: string, publishesStatus: boolean): IngressProfile {
    return {
        className,
        annotations: {},
        tlsAnnotations: className === "nginx" ? { "nginx.ingress.kubernetes.io/force-ssl-redirect": "true" } : {},
        sources: [{ namespace: controllerNamespace }],
        publishesStatus,
    };
}

/**
 * The one provider of a target, a child of the target's component. It applies server-side, and
 * keeps the provider's default for ConfigMaps and Secrets: a change of content replaces them.
 * `dependsOn`: what must exist before any object is applied (a cloud cluster's nodes and add-ons).
 */
export function targetProvider(name: string, args: ProviderArgs, parent: pulumi.Resource, dependsOn: pulumi.Resource[] = []): Provider {
    return new Provider(
        name,
        {
            enableServerSideApply: true,
            ...args,
        },
        { parent, dependsOn },
    );
}
