import { z } from "zod";
import { addons, checkAddons } from "./addons";
import { targetKinds } from "../../components/targets/kinds";
import {
    checkBuildHasRegistry,
    checkBundledIngress,
    checkComposedNames,
    checkDataStoreUse,
    checkProdImagesPinnedByDigest,
    checkPublicEndpoint,
} from "./consistency";
import { data } from "./data/data";
import { appImage } from "./image";
import { ingress } from "./ingress";
import { cronJob, migrations } from "./jobs";
import { checkMonitoringNamespace, monitoring } from "./monitoring";
import { limitRange, quota } from "./platform";
import { target } from "./targets/target";
import { appName, dnsLabel, envVarName, secretValue, uniqueNames } from "./values";
import { api, frontend, worker } from "./workloads";

// The one schema of a stack's configuration (the `appstack:` namespace of Pulumi.<stack>.yaml).
// Every object is strict so that a misspelt key is an error, not a silently ignored setting.
// Each `.describe()` text is the key's documentation: docs/configuration.md is generated from it
// (`npm run docs`) and a test keeps the two in step.

export const stackConfigSchema = z
    .strictObject({
        environment: z.enum(["dev", "prod"]).describe(`environment preset: "dev" or "prod"; every other key defaults from it`),
        name: appName.describe("application name, the prefix of every object; each name built from it must fit its object's limit"),
        namespace: dnsLabel.describe("namespace the application runs in"),
        target: target,
        movingFromTarget: z
            .enum(targetKinds)
            .optional()
            .describe(
                "the target.kind this stack was last deployed to, set for one `pulumi up` to confirm a move to another kind of cluster: every Kubernetes object is then created on the new cluster and deleted from the old one (without it, a change of target.kind is refused)",
            ),
        image: appImage.describe("application image for the api, workers, migrations and cron jobs: given by reference, or built and pushed"),
        protect: z.boolean().describe("protect the namespace and stateful resources from deletion"),
        topologySpread: z.boolean().describe("spread replicas across nodes and zones"),
        runAsUser: z.number().int().min(10000, "at least 10000").max(2147483647).describe("UID (and GID) every container runs as"),
        settings: z.record(envVarName, z.string()).describe("plain settings for every workload, in a ConfigMap"),
        secrets: secretValue(z.record(envVarName, z.string())).describe("secret settings for every workload, in a Secret (set each with --secret)"),
        api: api.describe("the HTTP API"),
        workers: uniqueNames(z.array(worker), "workers").describe("background workers (queue consumers)"),
        frontend: frontend.describe("the static frontend"),
        migrations: migrations.describe("database migrations"),
        cronJobs: uniqueNames(z.array(cronJob), "cronJobs").describe("scheduled jobs"),
        ingress: ingress.describe("public entry"),
        monitoringNamespace: dnsLabel.optional().describe("namespace whose Prometheus may scrape the workloads"),
        monitoring: monitoring.describe("scraping, alerts and dashboard for the Prometheus and Grafana of monitoringNamespace"),
        quota: quota.optional().describe("ResourceQuota of the namespace"),
        limitRange: limitRange.describe("LimitRange defaults of the namespace"),
        data: data.describe("the stateful dependencies and how each is provided"),
        addons: addons.optional().describe("cluster add-ons installed from pinned charts: ingress controller, cert-manager, metrics-server, MetalLB, storage"),
    })
    .superRefine(checkDataStoreUse)
    .superRefine(checkComposedNames, { when: () => true })
    .superRefine(checkProdImagesPinnedByDigest, { when: () => true })
    .superRefine(checkBuildHasRegistry, { when: () => true })
    .superRefine(checkPublicEndpoint, { when: () => true })
    .superRefine(checkBundledIngress, { when: () => true })
    .superRefine(checkAddons, { when: () => true })
    .superRefine(checkMonitoringNamespace, { when: () => true });

export type StackConfig = z.infer<typeof stackConfigSchema>;
export type WorkloadLifecycle = Pick<StackConfig["api"], "replicas" | "resources" | "autoscaling" | "preStopSeconds" | "terminationGracePeriodSeconds" | "env">;
export type WorkerConfig = StackConfig["workers"][number];
export type CronJobConfig = StackConfig["cronJobs"][number];
export type ImageRef = StackConfig["image"];
export type HttpProbes = StackConfig["api"]["probes"];
export type ExecProbe = WorkerConfig["probe"];
export type TargetConfig = StackConfig["target"];
