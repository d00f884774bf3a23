export { manifestsOf, secretMarker, type Manifest, type RegisteredResource } from "./capture";
export { evaluate, evaluateProgram, projectName, type Evaluation, type Observer } from "./evaluate";
export {
    examplesDirectory,
    listExampleStacks,
    listStacks,
    projectRoot,
    readConfigFile,
    readStackConfigValues,
    readStackSettings,
    stackFile,
    stackSettingsFromValues,
    type StackSettings,
} from "./stack-files";
