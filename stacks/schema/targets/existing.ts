import { z } from "zod";
import { secretValue } from "../values";

/** A cluster the operator already runs, reached through a kubeconfig or a named context. */

export const existingTarget = z
    .strictObject({
        kind: z.literal("existing"),
        kubeconfig: secretValue(z.string().min(1), "< kubeconfig").optional().describe("kubeconfig contents (secret) of an existing cluster"),
        context: z.string().min(1).optional().describe("context to use: in `kubeconfig`, or by name in the ambient kubeconfig when `kubeconfig` is not set"),
        clusterIdentifier: z
            .string()
            .min(1)
            .optional()
            .describe(
                "a stable name of the cluster: with it, a rotated kubeconfig updates the provider instead of reading as a new cluster (which replaces every object); changing it replaces them",
            ),
    })
    .superRefine((value, ctx) => {
        if (value.kubeconfig === undefined && value.context === undefined) {
            ctx.addIssue({
                code: "custom",
                path: ["kubeconfig"],
                input: undefined,
                message: "the cluster's kubeconfig, set as a secret (`pulumi config set --secret --path target.kubeconfig < kubeconfig`), or a named `context`",
            });
        }
    });
