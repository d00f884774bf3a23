import { containersOf, describe, isReplicated, podTemplates, selects, type KubernetesObject } from "./objects";

// Rules that hold the objects of one application together: what selects what, what scales what,
// what may reach what.

/** Workloads whose selector does not match their own pod template. */
export function selectorsMatchPods(objects: KubernetesObject[]): string[] {
    return podTemplates(objects)
        .filter(({ object }) => ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"].includes(object.kind))
        .filter(({ object, labels }) => !selects(object.spec?.selector, labels))
        .map(({ object }) => `${describe(object)}: selector does not match its pod labels`);
}

/** Services that select no pod, or whose target port no selected container exposes. */
export function servicesReachPods(objects: KubernetesObject[]): string[] {
    const templates = podTemplates(objects);
    return objects
        .filter((object) => object.kind === "Service" && object.spec?.selector)
        .flatMap((service) => {
            const ns = service.metadata.namespace;
            const selected = templates.filter(
                ({ object, labels }) =>
                    object.metadata.namespace === ns &&
                    object.kind !== "Job" &&
                    object.kind !== "CronJob" &&
                    selects({ matchLabels: service.spec.selector }, labels),
            );
            if (selected.length === 0) {
                return [`${describe(service)}: selects no pod`];
            }
            return (service.spec.ports ?? []).flatMap((port: any) => {
                const target = port.targetPort ?? port.port;
                const exposed = selected.every(({ podSpec }) =>
                    (podSpec.containers ?? []).some((container: any) =>
                        (container.ports ?? []).some((p: any) => (typeof target === "number" ? p.containerPort === target : p.name === target)),
                    ),
                );
                return exposed ? [] : [`${describe(service)}: port ${port.name ?? port.port} targets ${target}, which a selected pod does not expose`];
            });
        });
}

/** Autoscalers that target no object of the application. */
export function autoscalersHaveTargets(objects: KubernetesObject[]): string[] {
    return objects
        .filter((object) => object.kind === "HorizontalPodAutoscaler")
        .filter((hpa) => {
            const ref = hpa.spec?.scaleTargetRef ?? {};
            return !objects.some(
                (object) =>
                    object.kind === ref.kind &&
                    object.apiVersion === ref.apiVersion &&
                    object.metadata.name === ref.name &&
                    object.metadata.namespace === hpa.metadata.namespace,
            );
        })
        .map((hpa) => `${describe(hpa)}: targets ${hpa.spec?.scaleTargetRef?.kind} ${hpa.spec?.scaleTargetRef?.name}, which does not exist`);
}

/** Autoscalers whose bounds are inverted or that have no metric to scale on. */
export function autoscalersAreBounded(objects: KubernetesObject[]): string[] {
    return objects
        .filter((object) => object.kind === "HorizontalPodAutoscaler")
        .flatMap((hpa) => {
            const problems: string[] = [];
            const min = hpa.spec?.minReplicas ?? 1;
            const max = hpa.spec?.maxReplicas;
            if (typeof max !== "number" || min > max) {
                problems.push(`${describe(hpa)}: minReplicas ${min} is above maxReplicas ${max}`);
            }
            const metrics: any[] = hpa.spec?.metrics ?? [];
            if (!metrics.some((metric) => metricTarget(metric) !== undefined)) {
                problems.push(`${describe(hpa)}: has no metric with a target to scale on`);
            }
            return problems;
        });
}

function metricTarget(metric: any): unknown {
    const source = metric?.[metric?.type === undefined ? "" : metric.type.charAt(0).toLowerCase() + metric.type.slice(1)];
    const target = source?.target;
    return target?.averageUtilization ?? target?.averageValue ?? target?.value;
}

/** Workloads that can run more than one replica but no PodDisruptionBudget covers. */
export function replicatedWorkloadsHaveBudgets(objects: KubernetesObject[]): string[] {
    const budgets = objects.filter((object) => object.kind === "PodDisruptionBudget");
    return podTemplates(objects)
        .filter(({ object }) => isReplicated(object))
        .flatMap(({ object, labels }) => {
            const most = mostReplicas(object, objects);
            const covered = budgets.some((pdb) => pdb.metadata.namespace === object.metadata.namespace && selects(pdb.spec?.selector, labels));
            return most > 1 && !covered ? [`${describe(object)}: can run ${most} replicas but has no PodDisruptionBudget`] : [];
        });
}

/** The most replicas a workload can run: its own count or its autoscaler's maximum. */
export function mostReplicas(workload: KubernetesObject, objects: KubernetesObject[]): number {
    const hpa = objects.find(
        (object) =>
            object.kind === "HorizontalPodAutoscaler" &&
            object.spec?.scaleTargetRef?.name === workload.metadata.name &&
            object.metadata.namespace === workload.metadata.namespace,
    );
    return Math.max(workload.spec?.replicas ?? 1, hpa?.spec?.maxReplicas ?? 0);
}

/** Containers without CPU and memory requests or without a memory limit. */
export function containersAreBounded(objects: KubernetesObject[]): string[] {
    return podTemplates(objects).flatMap(({ object, podSpec }) =>
        containersOf(podSpec).flatMap((container: any) => {
            const problems: string[] = [];
            const where = `${describe(object)}: container ${container.name}`;
            if (!container.resources?.requests?.cpu || !container.resources?.requests?.memory) {
                problems.push(`${where} has no CPU and memory requests`);
            }
            if (!container.resources?.limits?.memory) {
                problems.push(`${where} has no memory limit`);
            }
            return problems;
        }),
    );
}

/** Containers whose image is pinned by neither digest nor tag, or by the moving tag `latest`. */
export function imagesArePinned(objects: KubernetesObject[]): string[] {
    return podTemplates(objects).flatMap(({ object, podSpec }) =>
        containersOf(podSpec)
            .filter((container: any) => !isPinned(container.image ?? ""))
            .map(
                (container: any) =>
                    `${describe(object)}: container ${container.name} runs image "${container.image ?? ""}", which is not pinned by tag or digest`,
            ),
    );
}

function isPinned(image: string): boolean {
    if (image.includes("@")) {
        return /@sha256:[0-9a-f]{64}$/.test(image);
    }
    // The tag follows the last colon of the last path segment (a registry's port is not a tag).
    const tag = /:([\w][\w.-]{0,127})$/.exec(image.split("/").pop() ?? "")?.[1];
    return tag !== undefined && tag !== "latest";
}

/**
 * Namespaces that run pods but have no NetworkPolicy denying all ingress and egress to every pod
 * (an empty pod selector, both policy types, no rule): without it, a pod that no other policy
 * selects is open to and from everything.
 */
export function namespacesDenyByDefault(objects: KubernetesObject[]): string[] {
    const namespaces = new Set(podTemplates(objects).map(({ object }) => object.metadata.namespace ?? "default"));
    const denied = new Set(objects.filter(isDefaultDeny).map((policy) => policy.metadata.namespace ?? "default"));
    return [...namespaces].filter((ns) => !denied.has(ns)).map((ns) => `namespace ${ns} runs pods but has no default-deny NetworkPolicy`);
}

function isDefaultDeny(object: KubernetesObject): boolean {
    const spec = object.spec ?? {};
    const selectsAll = Object.keys(spec.podSelector?.matchLabels ?? {}).length === 0 && (spec.podSelector?.matchExpressions ?? []).length === 0;
    const types: string[] = spec.policyTypes ?? [];
    return (
        object.kind === "NetworkPolicy" &&
        selectsAll &&
        types.includes("Ingress") &&
        types.includes("Egress") &&
        (spec.ingress ?? []).length === 0 &&
        (spec.egress ?? []).length === 0
    );
}

/**
 * Services of type LoadBalancer or NodePort outside the namespaces of the ingress path: the
 * application is reached through the ingress controller only.
 */
export function servicesStayInternal(objects: KubernetesObject[], ingressNamespaces: string[]): string[] {
    return objects
        .filter((object) => object.kind === "Service" && ["LoadBalancer", "NodePort"].includes(object.spec?.type))
        .filter((service) => !ingressNamespaces.includes(service.metadata.namespace ?? "default"))
        .map(
            (service) =>
                `${describe(service)}: is of type ${service.spec.type} outside the ingress path (${ingressNamespaces.join(", ") || "no namespace allowed"})`,
        );
}

/** Objects, and the pod templates of workloads, that miss one of the given labels. */
export function recommendedLabels(objects: KubernetesObject[], labels: string[]): string[] {
    const onObjects = objects.flatMap((object) => {
        const missing = labels.filter((label) => !(label in (object.metadata.labels ?? {})));
        return missing.length ? [`${describe(object)}: misses the labels ${missing.join(", ")}`] : [];
    });
    const onPods = podTemplates(objects).flatMap(({ object, labels: podLabels }) => {
        const missing = labels.filter((label) => !(label in podLabels));
        return missing.length && object.kind !== "Pod" ? [`${describe(object)}: its pods miss the labels ${missing.join(", ")}`] : [];
    });
    return [...onObjects, ...onPods];
}

/** Replicated workloads that can run more than one replica but are not spread over each topology key. */
export function replicasSpread(objects: KubernetesObject[], topologyKeys: string[]): string[] {
    return podTemplates(objects)
        .filter(({ object }) => isReplicated(object) && mostReplicas(object, objects) > 1)
        .flatMap(({ object, labels, podSpec }) => {
            const spread: any[] = (podSpec.topologySpreadConstraints ?? []).filter((constraint: any) => selects(constraint.labelSelector, labels));
            const missing = topologyKeys.filter((key) => !spread.some((constraint) => constraint.topologyKey === key));
            return missing.length
                ? [`${describe(object)}: can run ${mostReplicas(object, objects)} replicas but is not spread over ${missing.join(", ")}`]
                : [];
        });
}
