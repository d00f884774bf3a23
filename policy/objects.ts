// Plain views of the Kubernetes objects a program registers, as the policies read them.

export interface KubernetesObject {
    apiVersion: string;
    kind: string;
    metadata: { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
    spec?: any;
    [field: string]: unknown;
}

export interface PodTemplateOwner {
    object: KubernetesObject;
    /** The pod template's labels and spec. */
    labels: Record<string, string>;
    podSpec: any;
}

/** Every pod spec in the objects: bare Pods, Deployments, StatefulSets, DaemonSets, Jobs, CronJobs. */
export function podTemplates(objects: KubernetesObject[]): PodTemplateOwner[] {
    return objects.flatMap((object) => {
        if (object.kind === "Pod") {
            return [{ object, labels: object.metadata.labels ?? {}, podSpec: object.spec ?? {} }];
        }
        const template = object.kind === "CronJob" ? object.spec?.jobTemplate?.spec?.template : object.spec?.template;
        return ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"].includes(object.kind) && template
            ? [{ object, labels: template.metadata?.labels ?? {}, podSpec: template.spec ?? {} }]
            : [];
    });
}

/** The long-running, replicated workloads: what a disruption budget, an autoscaler or a spread applies to. */
export function isReplicated(object: KubernetesObject): boolean {
    return object.kind === "Deployment" || object.kind === "StatefulSet";
}

/** Every container of a pod spec, init containers included. */
export function containersOf(podSpec: any): any[] {
    return [...(podSpec.initContainers ?? []), ...(podSpec.containers ?? [])];
}

export function describe(object: KubernetesObject): string {
    return `${object.kind} ${object.metadata.namespace ? `${object.metadata.namespace}/` : ""}${object.metadata.name ?? "(unnamed)"}`;
}

interface LabelSelector {
    matchLabels?: Record<string, string>;
    matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/**
 * Whether a label selector selects the labels. An empty selector selects nothing here: Kubernetes
 * reads it as "everything" for some kinds and rejects it for others, and neither is what a
 * workload's own selector should be.
 */
export function selects(selector: LabelSelector | undefined, labels: Record<string, string>): boolean {
    if (!selector || (Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0)) {
        return false;
    }
    const byLabels = Object.entries(selector.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
    const byExpressions = (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
        switch (operator) {
            case "In":
                return values.includes(labels[key]);
            case "NotIn":
                return !values.includes(labels[key]);
            case "Exists":
                return key in labels;
            case "DoesNotExist":
                return !(key in labels);
            default:
                return false;
        }
    });
    return byLabels && byExpressions;
}
