export { cloudTargetKinds, target, targetKindsWithRegistry } from "./target";
export { targetArgs, type TargetSettings } from "./target.args";
