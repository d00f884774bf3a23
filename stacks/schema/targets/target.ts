import { z } from "zod";
import { aksTarget } from "./aks";
import { eksTarget } from "./eks";
import { existingTarget } from "./existing";
import { gkeTarget } from "./gke";
import { localTarget } from "./local";

/**
 * Target kinds whose cluster comes with a registry that built images are pushed to with
 * credentials it issues. AKS's registry issues none without its admin user: a build there is
 * pushed with the principal's credentials given in image.registry.
 */
export const targetKindsWithRegistry: ReadonlySet<string> = new Set(["eks", "gke"]);

/** Kinds of target that run in a cloud, whose managed data services a stack may ask for. */
export const cloudTargetKinds: readonly string[] = ["eks", "gke", "aks"];

export const target = z
    .discriminatedUnion("kind", [
        existingTarget,
        localTarget,
        eksTarget,
        gkeTarget,
        aksTarget,
    ])
    .describe(`Kubernetes target: kind "existing" (kubeconfig or context), "local" (the embedded control plane), or a cluster created on a cloud: "eks", "gke" or "aks"`);
