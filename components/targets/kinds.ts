// The kinds of target, as `target.kind` names them: the one list the schema, the targets and the
// checks between them read.

export const targetKinds = ["existing", "local", "eks", "gke", "aks", "baremetal"] as const;
export type TargetKind = (typeof targetKinds)[number];

/** Kinds whose cluster runs in a cloud, whose managed data services a stack may ask for. */
export const cloudTargetKinds: readonly TargetKind[] = ["eks", "gke", "aks"];

/**
 * Kinds whose cluster comes with a registry that built images are pushed to with credentials it
 * issues. AKS's registry issues none without its admin user: a build there is pushed with the
 * principal's credentials given in image.registry.
 */
export const targetKindsWithRegistry: ReadonlySet<TargetKind> = new Set<TargetKind>(["eks", "gke"]);
