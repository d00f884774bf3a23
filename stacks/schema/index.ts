// The stack config's schema, one file per area of the config tree, and beside each area the
// builder of the components' arguments from it (X.args.ts).
export {
    stackConfigSchema,
    type CronJobConfig,
    type ExecProbe,
    type HttpProbes,
    type ImageRef,
    type StackConfig,
    type TargetConfig,
    type WorkerConfig,
    type WorkloadLifecycle,
} from "./stack";
export { secretValues } from "./values";
export { appArgs, type AppSurroundings } from "./app.args";
export { managedStoresArgs, objectStoreArgs, postgresArgs, redisArgs, searchArgs, storeClients, storeUses, type DataConfig, type StoreCluster } from "./data";
export { imageArgs } from "./image.args";
export { ingressArgs } from "./ingress.args";
export { monitoringArgs, monitoringLeftOut } from "./monitoring.args";
export { platformArgs } from "./platform.args";
export { targetArgs } from "./targets";
export { autoscalingArgs, httpProbes, resourceRequirements, workerProbes, workloadSpec } from "./workloads.args";
export { addonsArgs } from "./addons.args";
export { autoscalingWithoutMetrics } from "./addons";
