import { z } from "zod";

/** The embedded control plane on this machine. */
export const localTarget = z.strictObject({
    kind: z.literal("local"),
    kubeconfigPath: z.string().min(1).describe("kubeconfig of the embedded control plane (scripts/local/cluster.sh), relative to the project"),
});
