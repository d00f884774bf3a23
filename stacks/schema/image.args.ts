import * as pulumi from "@pulumi/pulumi";
import * as path from "node:path";
import type { AppArgs } from "../../components/app";
import type { ImageArgs, ImageRegistry } from "../../components/image";
import type { StackConfig } from "./stack";

/**
 * The image from its config: a build pushed to the registry of the config, else to the target's
 * (`targetRegistry`), or the given reference.
 */
export function imageArgs(image: StackConfig["image"], stack: string, targetRegistry?: ImageRegistry): ImageArgs {
    const { build } = image;
    if (build === undefined) {
        // The schema requires a repository and a tag or digest when nothing is built.
        return { reference: { repository: image.repository!, tag: image.tag, digest: image.digest } };
    }
    const registry: ImageRegistry | undefined = image.registry
        ? {
              repository: image.repository!,
              credentials: pulumi.output({
                  server: image.registry.server,
                  username: image.registry.username,
                  password: pulumi.secret(image.registry.password),
              }),
          }
        : targetRegistry;
    if (registry === undefined) {
        throw new Error("a build needs a registry: the schema admits none without one");
    }
    return {
        build: {
            context: build.context,
            // Relative to the project, where the engine runs the program.
            dockerfile: path.posix.join(build.context, build.dockerfile),
            target: build.target,
            buildArgs: build.args,
            platforms: build.platforms,
            cache: build.cache,
            tag: image.tag ?? stack,
        },
        registry,
    };
}

/** The credentials pods pull a registry of the config with, unless its nodes pull by themselves. */
export function imagePullCredentials(registry: StackConfig["image"]["registry"]): AppArgs["imagePull"] {
    if (!registry || registry.pullBy === "nodes") {
        return undefined;
    }
    return {
        server: registry.server,
        username: registry.pullUsername ?? registry.username,
        password: pulumi.secret(registry.pullPassword ?? registry.password),
    };
}
