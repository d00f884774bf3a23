import { createHash } from "node:crypto";

// Which changes the Kubernetes provider makes by replacing an object instead of updating it (its
// forceNew rules, for the API versions the program creates, with ConfigMaps and Secrets immutable
// as the provider treats them unless told otherwise), and what follows from that offline:
// - an object the provider names (no metadata.name) gets a new name whenever it is replaced, so
//   the render names it from the content that replaces it: a changed render applies beside the
//   old object, as the engine creates the new one beside the old;
// - `render --diff` reports such a change as a replacement, as `pulumi preview --diff` does.

const identity = ["metadata.name", "metadata.namespace"];
const selector = "spec.selector";

const replacedOnChange: Record<string, string[]> = {
    "v1 ConfigMap": ["data", "binaryData"],
    "v1 Secret": ["type", "data", "stringData"],
    "v1 Service": ["spec.clusterIP"],
    "v1 PersistentVolumeClaim": ["spec.accessModes", selector, "spec.storageClassName", "spec.volumeName"],
    "v1 ResourceQuota": ["spec.scopes"],
    "apps/v1 Deployment": [selector],
    "apps/v1 DaemonSet": [selector],
    "apps/v1 StatefulSet": ["spec.podManagementPolicy", "spec.revisionHistoryLimit", selector, "spec.serviceName", "spec.volumeClaimTemplates"],
    "batch/v1 Job": ["spec.completions", "spec.parallelism", selector, "spec.template"],
    "rbac.authorization.k8s.io/v1 RoleBinding": ["roleRef"],
    "rbac.authorization.k8s.io/v1 ClusterRoleBinding": ["roleRef"],
    "storage.k8s.io/v1 StorageClass": ["parameters", "provisioner"],
};

type Fields = Record<string, unknown>;

function valueAt(object: Fields, dotted: string): unknown {
    return dotted.split(".").reduce<unknown>((value, key) => (value !== null && typeof value === "object" ? (value as Fields)[key] : undefined), object);
}

/** JSON with every object's keys sorted, so that equal content reads equal. */
function canonical(value: unknown): string {
    return JSON.stringify(value, (_key, item) =>
        item !== null && typeof item === "object" && !Array.isArray(item)
            ? Object.fromEntries(
                  Object.keys(item)
                      .sort()
                      .map((key) => [key, item[key]]),
              )
            : item,
    );
}

function contentPaths(manifest: Fields): string[] {
    return replacedOnChange[`${manifest.apiVersion} ${manifest.kind}`] ?? [];
}

/** The fields whose change from `before` to `after` makes the provider replace the object. */
export function replacingChanges(before: Fields, after: Fields): string[] {
    return [...identity, ...contentPaths(after)].filter((field) => canonical(valueAt(before, field)) !== canonical(valueAt(after, field)));
}

/**
 * The suffix of the name the provider gives an object registered without one: derived from the
 * resource's name and the content whose change replaces the object. `manifest` has its secret
 * values masked, so the name says nothing about them (and does not change with them).
 */
export function autoNameSuffix(resourceName: string, manifest: Fields): string {
    const content = ["metadata.namespace", ...contentPaths(manifest)].map((field) => canonical(valueAt(manifest, field) ?? null));
    return createHash("sha256")
        .update(JSON.stringify([resourceName, ...content]))
        .digest("hex")
        .slice(0, 8);
}

/** The pod template of a workload, or nothing for other kinds. */
export function podTemplate(manifest: Fields): unknown {
    return manifest.kind === "CronJob"
        ? valueAt(manifest, "spec.jobTemplate.spec.template")
        : ["Deployment", "StatefulSet", "DaemonSet", "Job"].includes(String(manifest.kind))
          ? valueAt(manifest, "spec.template")
          : undefined;
}

/** Whether a workload's pod template changed between two renders. */
export function podTemplateChanged(before: Fields, after: Fields): boolean {
    const template = podTemplate(after);
    return template !== undefined && canonical(podTemplate(before)) !== canonical(template);
}

const referenceKeys: Record<string, { kind: string; field: string }> = {
    configMapRef: { kind: "ConfigMap", field: "name" },
    configMapKeyRef: { kind: "ConfigMap", field: "name" },
    configMap: { kind: "ConfigMap", field: "name" },
    secretRef: { kind: "Secret", field: "name" },
    secretKeyRef: { kind: "Secret", field: "name" },
    secret: { kind: "Secret", field: "secretName" },
};

/** The ConfigMaps and Secrets a pod template refers to, as `Kind/name`. */
export function references(template: unknown, found = new Set<string>()): Set<string> {
    if (Array.isArray(template)) {
        template.forEach((item) => references(item, found));
    } else if (template !== null && typeof template === "object") {
        for (const [key, value] of Object.entries(template)) {
            const reference = referenceKeys[key];
            const name = reference && value !== null && typeof value === "object" ? (value as Fields)[reference.field] : undefined;
            if (typeof name === "string") {
                found.add(`${reference.kind}/${name}`);
            }
            if (key === "imagePullSecrets" && Array.isArray(value)) {
                value.forEach((secret) => typeof secret?.name === "string" && found.add(`Secret/${secret.name}`));
            }
            references(value, found);
        }
    }
    return found;
}
