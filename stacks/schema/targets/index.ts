export { target } from "./target";
export { targetArgs, type TargetSettings } from "./target.args";
