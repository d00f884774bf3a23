import { z } from "zod";
import { dnsLabel } from "./values";

export const ingress = z
    .strictObject({
        enabled: z.boolean().describe("expose the api (and frontend) through an Ingress"),
        className: dnsLabel.describe(
            'IngressClass (existing, local and baremetal targets; a cloud target names its own controller; on baremetal, "traefik" keeps k3s\'s own)',
        ),
        host: z
            .string()
            .regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,63}$/, "a fully qualified host name such as app.example.com")
            .optional()
            .describe("public host name"),
        controllerNamespace: dnsLabel.describe(
            "namespace of the ingress controller, allowed to reach the api and frontend (existing, local and baremetal targets)",
        ),
        tls: z
            .discriminatedUnion("mode", [
                z.strictObject({ mode: z.literal("cert-manager"), clusterIssuer: dnsLabel.describe("cert-manager ClusterIssuer") }),
                z.strictObject({ mode: z.literal("secret"), secretName: dnsLabel.describe("existing TLS Secret in the namespace") }),
                z.strictObject({ mode: z.literal("none") }),
            ])
            .describe(`TLS: mode "cert-manager" (with clusterIssuer), "secret" (with secretName) or "none"`),
    })
    .superRefine((value, ctx) => {
        if (value.enabled && value.host === undefined) {
            ctx.addIssue({ code: "custom", path: ["host"], input: undefined, message: "a host name when the ingress is enabled" });
        }
    });
