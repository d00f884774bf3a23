import type { KubernetesObject } from "./objects";
import { restrictedPodSecurity } from "./podSecurity";
import { autoscalersHaveTargets, containersArePinnedAndBounded, replicatedWorkloadsHaveBudgets, selectorsMatchPods, servicesReachPods } from "./wiring";

export type { KubernetesObject } from "./objects";

/** Every rule, by name: each takes the objects of one stack and returns what violates it. */
export const rules: Record<string, (objects: KubernetesObject[]) => string[]> = {
    restrictedPodSecurity,
    selectorsMatchPods,
    servicesReachPods,
    autoscalersHaveTargets,
    replicatedWorkloadsHaveBudgets,
    containersArePinnedAndBounded,
};
