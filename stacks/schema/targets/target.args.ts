import type { TargetArgs } from "../../../components/targets";
import type { StackConfig } from "../stack";
import { aksArgs } from "./aks.args";
import { baremetalArgs } from "./baremetal.args";
import { eksArgs } from "./eks.args";
import { existingArgs } from "./existing.args";
import { gkeArgs } from "./gke.args";
import { localArgs } from "./local.args";

/** What a target's arguments read beyond its own keys. */
export type TargetSettings = Pick<StackConfig, "target" | "ingress" | "name" | "environment" | "protect">;

/** The arguments of a target of the given kind. */
export type TargetArgsOf<Kind extends TargetArgs["kind"]> = Extract<TargetArgs, { kind: Kind }>;

/** The target's configuration of one kind. */
export type TargetConfigOf<Kind extends TargetArgs["kind"]> = Extract<StackConfig["target"], { kind: Kind }>;

export function targetArgs(config: TargetSettings, stack: string): TargetArgs {
    const { target } = config;
    switch (target.kind) {
        case "existing":
            return existingArgs(target, config);
        case "local":
            return localArgs(target, config);
        case "eks":
            return eksArgs(target, config, stack);
        case "aks":
            return aksArgs(target, config, stack);
        case "gke":
            return gkeArgs(target, config, stack);
        case "baremetal":
            return baremetalArgs(target, config);
    }
}

/** How the app reaches the ingress controller of a cluster it does not create. */
export function ingressController(config: TargetSettings) {
    return { className: config.ingress.className, namespace: config.ingress.controllerNamespace };
}
