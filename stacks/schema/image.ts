import { z } from "zod";
import { secretValue } from "./values";

// The application image, and the pinned reference of any other image.

const imageRepository = z
    .string()
    .regex(/^[a-z0-9]+([._-][a-z0-9]+)*(:\d+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/, "an image repository such as ghcr.io/acme/app")
    .describe("image repository");
const imageTag = z
    .string()
    .regex(/^[\w][\w.-]{0,127}$/, "an image tag")
    .refine((tag) => tag !== "latest", { message: `a fixed tag (a release or commit SHA), not "latest"` });
const imageDigest = z.string().regex(/^sha256:[a-f0-9]{64}$/, "sha256:<64 hex digits>");

/** A given image: pinned by tag or digest. */
export const imageRef = z
    .strictObject({
        repository: imageRepository,
        tag: imageTag.optional().describe("image tag, e.g. the commit SHA (a digest wins when both are given)"),
        digest: imageDigest.optional().describe("image digest"),
    })
    .superRefine((value, ctx) => {
        if (value.tag === undefined && value.digest === undefined) {
            ctx.addIssue({ code: "custom", path: ["tag"], input: undefined, message: "a tag or a digest: images are pinned" });
        }
    });

const platform = z.string().regex(/^[a-z0-9]+\/[a-z0-9]+(\/v[0-9]+)?$/, `an OS/architecture such as "linux/amd64" or "linux/arm64"`);

const imageBuild = z
    .strictObject({
        context: z.string().min(1).default("app").describe(`build context, a directory relative to the project (the sample service in app/ by default)`),
        dockerfile: z.string().min(1).default("Dockerfile").describe(`Dockerfile, relative to the context`),
        target: z.string().min(1).optional().describe("stage of the Dockerfile to build (default: the last)"),
        args: z
            .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "a build argument name"), z.string())
            .default({})
            .describe("build arguments (--build-arg); not for secrets: they stay in the image's history"),
        platforms: z
            .array(platform)
            .min(1, "at least one platform")
            .default(["linux/amd64"])
            .describe(`platforms to build for; more than one pushes a multi-platform index`),
        cache: z.boolean().default(true).describe("reuse and update a build cache in the registry, at the repository's tag buildcache"),
    })
    .describe("build the image from source and push it; workloads then run it pinned by the pushed digest");

const imageRegistry = z
    .strictObject({
        server: z
            .string()
            .regex(/^[a-z0-9]+([.-][a-z0-9]+)*(:\d+)?$/, "a registry host such as registry.example.com")
            .describe("registry host, as docker login names it"),
        username: z.string().min(1).describe("user to push as"),
        password: secretValue(z.string().min(1)).describe("password or token to push with (secret)"),
        pullBy: z
            .enum(["secret", "nodes"])
            .default("secret")
            .describe(
                `how pods pull the image: "secret" (an image pull secret in the namespace) or "nodes" (the nodes' own identity, e.g. AKS's kubelet with AcrPull)`,
            ),
        pullUsername: z.string().min(1).optional().describe("(pullBy secret) a read-only user to pull as (default: the push credentials)"),
        pullPassword: secretValue(z.string().min(1)).optional().describe("(pullBy secret) its password or token (secret)"),
    })
    .superRefine((value, ctx) => {
        if ((value.pullUsername === undefined) !== (value.pullPassword === undefined)) {
            ctx.addIssue({
                code: "custom",
                path: [value.pullUsername === undefined ? "pullUsername" : "pullPassword"],
                input: undefined,
                message: "pullUsername and pullPassword together",
            });
        }
        if (value.pullBy === "nodes" && value.pullUsername !== undefined) {
            ctx.addIssue({ code: "custom", path: ["pullUsername"], input: value.pullUsername, message: `no pull credentials when pullBy is "nodes"` });
        }
    })
    .describe("a registry of your own to push built images to (the cloud targets bring theirs)");

/** The application image: given (repository with tag or digest), or built and pushed by the program. */
export const appImage = z
    .strictObject({
        repository: imageRepository.optional(),
        tag: imageTag.optional().describe("image tag, e.g. the commit SHA; with a build, the tag pushed beside the digest (default: the stack name)"),
        digest: imageDigest.optional().describe("image digest of a given image (a built image is pinned by the digest its push returns)"),
        build: imageBuild.optional(),
        registry: imageRegistry.optional(),
    })
    .superRefine((value, ctx) => {
        if (value.build === undefined) {
            if (value.repository === undefined) {
                ctx.addIssue({ code: "custom", path: ["repository"], input: undefined, message: "the repository of the image, or a build" });
            }
            if (value.tag === undefined && value.digest === undefined) {
                ctx.addIssue({ code: "custom", path: ["tag"], input: undefined, message: "a tag or a digest: images are pinned" });
            }
            if (value.registry !== undefined) {
                ctx.addIssue({ code: "custom", path: ["registry"], input: "(registry)", message: "a registry only with a build, which pushes to it" });
            }
            return;
        }
        if (value.digest !== undefined) {
            ctx.addIssue({
                code: "custom",
                path: ["digest"],
                input: value.digest,
                message: "no digest with a build: the image is pinned by the digest its push returns",
            });
        }
        if (value.registry !== undefined) {
            if (value.repository === undefined) {
                ctx.addIssue({
                    code: "custom",
                    path: ["repository"],
                    input: undefined,
                    message: `the repository to push to, under the registry ("${value.registry.server}/team/app")`,
                });
            } else if (!value.repository.startsWith(`${value.registry.server}/`)) {
                ctx.addIssue({
                    code: "custom",
                    path: ["repository"],
                    input: value.repository,
                    message: `a repository under the registry's server "${value.registry.server}/"`,
                });
            }
        }
    });
