import { describe, podTemplates, selects, type KubernetesObject } from "./objects";

// Rules that hold the objects of one application together: what selects what, what scales what.

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
            const selected = templates.filter(({ object, labels }) => object.metadata.namespace === ns && object.kind !== "Job" && object.kind !== "CronJob" && selects({ matchLabels: service.spec.selector }, labels));
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
            return !objects.some((object) => object.kind === ref.kind && object.apiVersion === ref.apiVersion && object.metadata.name === ref.name && object.metadata.namespace === hpa.metadata.namespace);
        })
        .map((hpa) => `${describe(hpa)}: targets ${hpa.spec?.scaleTargetRef?.kind} ${hpa.spec?.scaleTargetRef?.name}, which does not exist`);
}

/** Workloads that can run more than one replica but no PodDisruptionBudget covers. */
export function replicatedWorkloadsHaveBudgets(objects: KubernetesObject[]): string[] {
    const budgets = objects.filter((object) => object.kind === "PodDisruptionBudget");
    return podTemplates(objects)
        .filter(({ object }) => object.kind === "Deployment" || object.kind === "StatefulSet")
        .flatMap(({ object, labels }) => {
            const most = mostReplicas(object, objects);
            const covered = budgets.some((pdb) => pdb.metadata.namespace === object.metadata.namespace && selects(pdb.spec?.selector, labels));
            return most > 1 && !covered ? [`${describe(object)}: can run ${most} replicas but has no PodDisruptionBudget`] : [];
        });
}

function mostReplicas(workload: KubernetesObject, objects: KubernetesObject[]): number {
    const hpa = objects.find((object) => object.kind === "HorizontalPodAutoscaler" && object.spec?.scaleTargetRef?.name === workload.metadata.name && object.metadata.namespace === workload.metadata.namespace);
    return Math.max(workload.spec?.replicas ?? 1, hpa?.spec?.maxReplicas ?? 0);
}

/** Containers without requests or a memory limit, or with an image pinned by no tag or `latest`. */
export function containersArePinnedAndBounded(objects: KubernetesObject[]): string[] {
    return podTemplates(objects).flatMap(({ object, podSpec }) =>
        [...(podSpec.initContainers ?? []), ...(podSpec.containers ?? [])].flatMap((container: any) => {
            const problems: string[] = [];
            const where = `${describe(object)}: container ${container.name}`;
            if (!container.resources?.requests?.cpu || !container.resources?.requests?.memory) {
                problems.push(`${where} has no CPU and memory requests`);
            }
            if (!container.resources?.limits?.memory) {
                problems.push(`${where} has no memory limit`);
            }
            const image: string = container.image ?? "";
            if (!image.includes("@sha256:") && (!/:[\w][\w.-]*$/.test(image.split("/").pop() ?? "") || image.endsWith(":latest"))) {
                problems.push(`${where} runs image "${image}", which is not pinned by tag or digest`);
            }
            return problems;
        }),
    );
}
