import { z } from "zod";
import { aksTarget } from "./aks";
import { baremetalTarget } from "./baremetal";
import { eksTarget } from "./eks";
import { existingTarget } from "./existing";
import { gkeTarget } from "./gke";
import { localTarget } from "./local";

export const target = z
    .discriminatedUnion("kind", [existingTarget, localTarget, eksTarget, gkeTarget, aksTarget, baremetalTarget])
    .describe(
        `Kubernetes target: kind "existing" (kubeconfig or context), "local" (the embedded control plane), or a cluster created on a cloud: "eks", "gke" or "aks", or k3s built on machines of your own over SSH: "baremetal"`,
    );
