import type { CronJobArgs } from "../../components/jobs";
import type { CronJobConfig, WorkloadLifecycle } from "./stack";
import { resourceRequirements } from "./workloads.args";

export function cronJobArgs(job: CronJobConfig, resources: WorkloadLifecycle["resources"]): CronJobArgs {
    return { ...job, resources: resourceRequirements(resources) };
}
