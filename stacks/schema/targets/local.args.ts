import { ingressController, type TargetArgsOf, type TargetConfigOf, type TargetSettings } from "./target.args";

export function localArgs(target: TargetConfigOf<"local">, config: TargetSettings): TargetArgsOf<"local"> {
    return { kind: "local", kubeconfigPath: target.kubeconfigPath, ingressController: ingressController(config) };
}
