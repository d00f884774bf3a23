import * as pulumi from "@pulumi/pulumi";
import type { AppArgs } from "../../components/app";
import type { DataStoreConnection } from "../../components/data/connection";
import { pinnedReference } from "../../components/image";
import { cronJobComponent, migrationsComponent, workerComponent } from "../../components/names";
import type { IngressProfile, WorkloadIdentityHook } from "../../components/targets";
import { storeUses } from "./data/store.args";
import { imagePullCredentials } from "./image.args";
import { workloadMetrics } from "./monitoring.args";
import { ingressArgs } from "./ingress.args";
import { cronJobArgs } from "./jobs.args";
import type { StackConfig } from "./stack";
import { httpProbes, resourceRequirements, workerArgs, workloadSpec } from "./workloads.args";

// From a validated stack config to the components' arguments: the one place where config keys
// turn into Kubernetes settings. The components never see the config.

/** What the app gets from outside its config: where it runs and what it connects to. */
export interface AppSurroundings {
    /** Reference of the application image, pinned by digest or tag. */
    image: pulumi.Input<string>;
    namespace: pulumi.Input<string>;
    /** The cluster's ingress controller. */
    ingress: IngressProfile;
    dataStores: DataStoreConnection[];
    /** The cluster's binding of ServiceAccounts to cloud identities, where it has one. */
    workloadIdentity?: WorkloadIdentityHook;
}

export function appArgs(config: StackConfig, surroundings: AppSurroundings): AppArgs {
    const { api, frontend, migrations } = config;
    const uses = storeUses(config);
    const metrics = workloadMetrics(config);
    return {
        appName: config.name,
        namespace: surroundings.namespace,
        image: surroundings.image,
        runAsUser: config.runAsUser,
        topologySpread: config.topologySpread,
        settings: { APP_NAME: config.name, APP_ENVIRONMENT: config.environment, ...config.settings },
        secrets: secretValues(config.secrets),
        api: { ...workloadSpec(api, httpProbes(api.probes)), port: api.port, command: api.command, args: api.args, uses: uses.api, metrics: metrics.api },
        workers: config.workers.map((worker) => ({ ...workerArgs(worker), uses: uses[workerComponent(worker.name)], metrics: metrics.worker })),
        // The schema requires an image whenever the frontend is enabled.
        frontend:
            frontend.enabled && frontend.image
                ? {
                      ...workloadSpec(frontend, httpProbes(frontend.probes)),
                      port: frontend.port,
                      image: pinnedReference(frontend.image),
                      metrics: metrics.frontend,
                  }
                : undefined,
        migrations: migrations.enabled
            ? {
                  command: migrations.command,
                  backoffLimit: migrations.backoffLimit,
                  activeDeadlineSeconds: migrations.activeDeadlineSeconds,
                  resources: resourceRequirements(migrations.resources),
                  uses: uses[migrationsComponent],
                  database: uses[migrationsComponent]?.includes("postgres")
                      ? surroundings.dataStores.find((store) => store.kind === "postgres")?.identity
                      : undefined,
              }
            : undefined,
        cronJobs: config.cronJobs.map((job) => ({ ...cronJobArgs(job, api.resources), uses: uses[cronJobComponent(job.name)] })),
        ingress: ingressArgs(config.ingress, config.name, surroundings.ingress),
        dataStores: surroundings.dataStores,
        workloadIdentity: surroundings.workloadIdentity,
        imagePull: imagePullCredentials(config.image.registry),
    };
}

/** Each value its own secret, so that the keys stay plain where the values are masked. */
function secretValues(secrets: Record<string, string>): Record<string, pulumi.Output<string>> {
    return Object.fromEntries(Object.entries(secrets).map(([key, value]) => [key, pulumi.secret(value)]));
}
