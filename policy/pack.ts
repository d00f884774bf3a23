import type { EnforcementLevel, PolicyResource, ReportViolation, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { deletionProtected, encryptedAtRest, noPublicData, privateNodes, type CloudResource } from "./cloud";
import type { KubernetesObject } from "./objects";
import { restrictedPodSecurity } from "./podSecurity";
import {
    autoscalersAreBounded,
    autoscalersHaveTargets,
    containersAreBounded,
    imagesArePinned,
    namespacesDenyByDefault,
    recommendedLabels,
    replicasSpread,
    replicatedWorkloadsHaveBudgets,
    selectorsMatchPods,
    servicesReachPods,
    servicesStayInternal,
} from "./wiring";

// The policies of the pack. Each is a plain rule (kept beside it and tested on its own) adapted to
// what the engine hands a policy: one resource's inputs, or every resource of the stack.
// Levels: mandatory stops `pulumi preview` and `pulumi up`; advisory warns; a stack's policy
// config (policy/config/) may change either, and sets the advisory rules' options.

export const packName = "appstack";

/**
 * Kubernetes objects are custom resources of the kubernetes package; their inputs are the object.
 * The objects a Helm chart renders (the cluster add-ons: ingress-nginx, cert-manager, MetalLB...)
 * are left out: they are their projects' pods, with their own UIDs and privileges, held to the
 * Pod Security level their namespace's labels make the API server enforce; the pack's rules are
 * the application's.
 */
function kubernetesObject(type: string, props: Record<string, any>, urn: string): KubernetesObject | undefined {
    const fromChart = (urn.split("::")[2] ?? "").includes("kubernetes:helm.sh/v4:Chart$");
    return type.startsWith("kubernetes:") && typeof props?.kind === "string" && !fromChart ? (props as KubernetesObject) : undefined;
}

function report(problems: string[], reportViolation: ReportViolation, urn?: string): void {
    for (const problem of problems) {
        reportViolation(problem, urn);
    }
}

/** A policy over one Kubernetes object at a time. */
function objectPolicy<C extends object>(
    name: string,
    description: string,
    enforcementLevel: EnforcementLevel,
    rule: (objects: KubernetesObject[], config: C) => string[],
    configSchema?: ResourceValidationPolicy["configSchema"],
): ResourceValidationPolicy {
    return {
        name,
        description,
        enforcementLevel,
        configSchema,
        validateResource: (args, reportViolation) => {
            const object = kubernetesObject(args.type, args.props, args.urn);
            if (object) {
                report(rule([object], args.getConfig<C>()), reportViolation);
            }
        },
    };
}

/** A policy over every Kubernetes object of the stack: for rules that relate objects to each other. */
function objectsPolicy<C extends object>(
    name: string,
    description: string,
    enforcementLevel: EnforcementLevel,
    rule: (objects: KubernetesObject[], config: C) => string[],
    configSchema?: StackValidationPolicy["configSchema"],
): StackValidationPolicy {
    return {
        name,
        description,
        enforcementLevel,
        configSchema,
        validateStack: (args, reportViolation) => {
            const objects = args.resources.flatMap((resource) => kubernetesObject(resource.type, resource.props, resource.urn) ?? []);
            report(rule(objects, args.getConfig<C>()), reportViolation);
        },
    };
}

/** A policy over one cloud resource at a time: the engine skips it where an input is unknown in preview. */
function cloudPolicy(
    name: string,
    description: string,
    enforcementLevel: EnforcementLevel,
    rule: (resource: CloudResource) => string[],
): ResourceValidationPolicy {
    return {
        name,
        description,
        enforcementLevel,
        validateResource: (args, reportViolation) =>
            report(
                rule({ type: args.type, name: args.name, props: args.props, protect: args.opts.protect, dependencies: [] }).map(
                    (problem) => `${args.type} ${args.name}: ${problem}`,
                ),
                reportViolation,
            ),
    };
}

/** A policy over one cloud resource and what it depends on directly, which only the stack's view holds. */
function cloudDependenciesPolicy(
    name: string,
    description: string,
    enforcementLevel: EnforcementLevel,
    rule: (resource: CloudResource) => string[],
): StackValidationPolicy {
    const shallow = (r: PolicyResource): CloudResource => ({ type: r.type, name: r.name, props: r.props, protect: r.opts.protect, dependencies: [] });
    return {
        name,
        description,
        enforcementLevel,
        validateStack: (args, reportViolation) => {
            for (const resource of args.resources) {
                const problems = rule({ ...shallow(resource), dependencies: (resource.dependencies ?? []).map(shallow) });
                report(
                    problems.map((problem) => `${resource.type} ${resource.name}: ${problem}`),
                    reportViolation,
                    resource.urn,
                );
            }
        },
    };
}

const defaultLabels = ["app.kubernetes.io/name", "app.kubernetes.io/component", "app.kubernetes.io/part-of", "app.kubernetes.io/managed-by"];
const defaultTopologyKeys = ["kubernetes.io/hostname"];
const defaultIngressNamespaces = ["ingress-nginx"];

export const policies: (ResourceValidationPolicy | StackValidationPolicy)[] = [
    objectPolicy(
        "pod-security-restricted",
        'Every pod spec (Deployments, StatefulSets, DaemonSets, Jobs, CronJobs, Pods, init containers included) meets Pod Security "restricted" and runs as UID 10000 or above.',
        "mandatory",
        restrictedPodSecurity,
    ),
    objectPolicy("images-pinned", "Every container image is pinned by digest or by a tag other than `latest`.", "mandatory", imagesArePinned),
    objectPolicy("containers-bounded", "Every container requests CPU and memory and has a memory limit.", "mandatory", containersAreBounded),
    objectPolicy("selectors-match-pods", "Every workload's selector matches its own pod template.", "mandatory", selectorsMatchPods),
    objectPolicy(
        "autoscalers-bounded",
        "Every HorizontalPodAutoscaler has minReplicas <= maxReplicas and a metric with a target.",
        "mandatory",
        autoscalersAreBounded,
    ),
    objectPolicy<{ ingressNamespaces?: string[] }>(
        "services-internal",
        "No Service of type LoadBalancer or NodePort outside the ingress path: the application is reached through the ingress controller.",
        "mandatory",
        (objects, config) => servicesStayInternal(objects, config.ingressNamespaces ?? defaultIngressNamespaces),
        { properties: { ingressNamespaces: { type: "array", items: { type: "string" }, default: defaultIngressNamespaces } } },
    ),
    objectsPolicy("services-reach-pods", "Every Service selects pods that expose its target ports.", "mandatory", servicesReachPods),
    objectsPolicy("autoscalers-have-targets", "Every HorizontalPodAutoscaler scales an object of the stack.", "mandatory", autoscalersHaveTargets),
    objectsPolicy(
        "replicated-workloads-have-budgets",
        "Every Deployment or StatefulSet that can run more than one replica has a PodDisruptionBudget.",
        "mandatory",
        replicatedWorkloadsHaveBudgets,
    ),
    objectsPolicy(
        "namespaces-deny-by-default",
        "Every namespace that runs pods has a NetworkPolicy that denies all ingress and egress by default.",
        "mandatory",
        namespacesDenyByDefault,
    ),
    objectPolicy<{ labels?: string[] }>(
        "recommended-labels",
        "Objects and pod templates carry the recommended app.kubernetes.io labels.",
        "advisory",
        (objects, config) => recommendedLabels(objects, config.labels ?? defaultLabels),
        { properties: { labels: { type: "array", items: { type: "string" }, default: defaultLabels } } },
    ),
    objectsPolicy<{ topologyKeys?: string[] }>(
        "replicas-spread",
        "Workloads that can run more than one replica spread their pods over each topology key.",
        "advisory",
        (objects, config) => replicasSpread(objects, config.topologyKeys ?? defaultTopologyKeys),
        { properties: { topologyKeys: { type: "array", items: { type: "string" }, default: defaultTopologyKeys } } },
    ),
    cloudPolicy("no-public-data", "No database, cache or bucket is reachable from the internet.", "mandatory", noPublicData),
    cloudPolicy("encrypted-at-rest", "Managed data and the clusters' Kubernetes secrets are encrypted at rest.", "mandatory", encryptedAtRest),
    cloudDependenciesPolicy("private-nodes", "Cluster nodes have no public addresses.", "mandatory", privateNodes),
    // Off by default: a dev stack is meant to be torn down. The prod policy config turns it on.
    cloudPolicy(
        "deletion-protection",
        "Databases, caches, buckets and clusters have deletion protection and Pulumi's `protect`.",
        "disabled",
        deletionProtected,
    ),
];
