import type * as DockerBuild from "@pulumi/docker-build";
import * as pulumi from "@pulumi/pulumi";
import type { RegistryCredentials, RegistryProfile } from "./targets/target";

/** An image by repository, and tag or digest (at least one of them). */
export interface ImageReference {
    repository: string;
    tag?: string;
    digest?: string;
}

/** The reference a pod pulls: by digest when one is known, so that a moved tag changes nothing. */
export function pinnedReference(image: ImageReference): string {
    if (image.digest === undefined && (image.tag === undefined || image.tag === "latest")) {
        throw new Error(`image ${image.repository}: a digest or an explicit tag other than "latest"; an unpinned image may change under a running deployment`);
    }
    return image.digest ? `${image.repository}@${image.digest}` : `${image.repository}:${image.tag}`;
}

/** Where a built image is pushed. */
export interface ImageRegistry {
    /** Repository without tag or digest (`123456789012.dkr.ecr.eu-west-1.amazonaws.com/app`). */
    repository: pulumi.Input<string>;
    /** Credentials to push with; kept secret. Absent: the builder's own login. */
    credentials?: pulumi.Input<RegistryCredentials>;
}

export interface ImageBuild {
    /** Build context directory. */
    context: string;
    /** Dockerfile path (absolute, or relative to the working directory as the builder takes it). */
    dockerfile: string;
    /** Stage to build; the last one when absent. */
    target?: string;
    buildArgs: Record<string, string>;
    /** `os/arch` per platform; more than one pushes a multi-platform index. */
    platforms: string[];
    /** Whether to read and write a registry cache beside the image, at the tag `buildcache`. */
    cache: boolean;
    /** Tag pushed beside the digest, for people and registry retention rules; never the reference pods use. */
    tag: string;
}

/** Where to push, from the registry a target's cluster brings. */
export function registryOfCluster(registry: RegistryProfile): ImageRegistry {
    return { repository: registry.repository, credentials: registry.pushCredentials };
}

/** A given image, or one built from source and pushed to a registry. */
export type ImageArgs = { reference: ImageReference } | { build: ImageBuild; registry: ImageRegistry };

/** The cache tag beside a built image; a registry with immutable tags needs it excepted. */
export const buildCacheTag = "buildcache";

/**
 * The application image every workload, job and cron job runs: the given reference, pinned by its
 * digest or explicit tag, or the image built from source, pushed, and pinned by the digest the
 * push returned, so that a re-pushed tag never changes what runs.
 */
export class Image extends pulumi.ComponentResource {
    /** The reference pods pull: `repository@sha256:...` for a build. */
    readonly ref: pulumi.Output<string>;
    /** The digest of a built image (of its multi-platform index when it has several platforms). */
    readonly digest?: pulumi.Output<string>;

    constructor(name: string, args: ImageArgs, opts?: pulumi.ComponentResourceOptions) {
        super("appstack:image:Image", name, {}, opts);
        if ("reference" in args) {
            this.ref = pulumi.output(pinnedReference(args.reference));
            this.registerOutputs({ ref: this.ref });
            return;
        }
        const { build, registry } = args;
        // Loaded only by a stack that builds: the others start without it.
        const dockerBuild = require("@pulumi/docker-build") as typeof DockerBuild;
        const repository = pulumi.output(registry.repository);
        const cache = pulumi.interpolate`${repository}:${buildCacheTag}`;
        const image = new dockerBuild.Image(
            `${name}-image`,
            {
                context: { location: build.context },
                dockerfile: { location: build.dockerfile },
                target: build.target,
                buildArgs: build.buildArgs,
                platforms: build.platforms as DockerBuild.Platform[],
                push: true,
                tags: [pulumi.interpolate`${repository}:${build.tag}`],
                // The password reaches the builder only; the engine stores it encrypted.
                registries: registry.credentials
                    ? [pulumi.secret(pulumi.output(registry.credentials).apply(({ server, username, password }) => ({ address: server, username, password })))]
                    : undefined,
                cacheFrom: build.cache ? [{ registry: { ref: cache } }] : undefined,
                // Every stage's layers (mode max), in a manifest every registry accepts (ECR included).
                cacheTo: build.cache ? [{ registry: { ref: cache, mode: dockerBuild.CacheMode.Max, imageManifest: true, ociMediaTypes: true } }] : undefined,
                // A preview checks that the image builds, and pushes nothing.
                buildOnPreview: true,
            },
            { parent: this },
        );
        this.digest = image.digest;
        this.ref = pulumi.interpolate`${repository}@${image.digest}`;
        this.registerOutputs({ ref: this.ref, digest: this.digest });
    }
}
