import type * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";
import { autoNameSuffix } from "../replacements";
import { maskSecrets, revealSecrets } from "./capture";
import { cloudOutputs, invokeResults } from "./cloud-outputs";
import type { Observer } from "./evaluate";

// What Pulumi's mock monitor answers in the engine's place: each resource's state and each
// invoke's result, derived from the inputs so that renders are stable.

const stackReferenceType = "pulumi:pulumi:StackReference";

/** The mocks of one evaluation: `lastOutputs` are what a StackReference to the stack reads back. */
export function offlineMocks(lastOutputs: Record<string, unknown>, observe?: Observer): pulumi.runtime.Mocks {
    return {
        newResource: (args) => {
            if (args.type === stackReferenceType) {
                return { id: args.id, state: { name: args.inputs.name, outputs: lastOutputs, secretOutputNames: [] } };
            }
            observe?.({ type: args.type, name: args.name, inputs: revealSecrets(args.inputs) as Record<string, any> });
            return {
                id: args.custom ? `${args.name}-id` : undefined,
                state: {
                    ...withGeneratedValues(args.type, withAutoName(args.type, args.name, args.inputs)),
                    ...cloudOutputs(args.type, args.name, args.inputs),
                    ...providerOutputs(args.type, args.inputs),
                },
            };
        },
        call: (args) => invokeResults[args.token]?.(args.inputs) ?? args.inputs,
    };
}

/**
 * A Kubernetes object registered without a name gets one from the provider: the resource's name
 * and a random suffix, new on every replacement. Here the suffix is derived from what replaces
 * the object, so renders are stable and a replaced object has a new name; a registration keeps
 * the name the mock gave the program (`given`).
 */
export function withAutoName(type: string, name: string, inputs: Record<string, any>, given?: string): Record<string, any> {
    const autoNamed = type.startsWith("kubernetes:") && typeof inputs.metadata === "object" && inputs.metadata !== null && inputs.metadata.name === undefined;
    if (!autoNamed) {
        return inputs;
    }
    return { ...inputs, metadata: { ...inputs.metadata, name: given ?? `${name}-${autoNameSuffix(name, maskSecrets(inputs) as Record<string, unknown>)}` } };
}

/**
 * A generated password gets a stand-in, so that what is built from it (a URL, a Secret's key) is
 * rendered; it is a secret wherever it is used, so the stand-in shows nowhere.
 */
function withGeneratedValues(type: string, state: Record<string, any>): Record<string, any> {
    return type === "random:index/randomPassword:RandomPassword" ? { ...state, result: "generated-password" } : state;
}

/**
 * What a provider returns beyond the inputs, where the program reads it: a pushed image's digest
 * (and the `ref` the provider forms from its first tag), derived from the build's inputs so that
 * a changed build reads as a new image. Credentials stay out of it.
 */
function providerOutputs(type: string, inputs: Record<string, any>): Record<string, unknown> {
    if (type !== "docker-build:index:Image") {
        return {};
    }
    const { registries: _credentials, ...build } = inputs;
    const digest = `sha256:${createHash("sha256").update(JSON.stringify(build)).digest("hex")}`;
    const tag = Array.isArray(inputs.tags) && typeof inputs.tags[0] === "string" ? inputs.tags[0] : "";
    return {
        digest,
        ref: `${tag}@${digest}`,
        contextHash: createHash("sha256")
            .update(JSON.stringify(inputs.context ?? {}))
            .digest("hex"),
    };
}
