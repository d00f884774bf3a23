import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { projectName, projectRoot, stackSettingsFromValues, type StackSettings } from "../offline";

// Stack settings for the benchmark's synthetic stacks: the prod stack file with its workers
// replaced by N plain ones, so that only the number of workers changes.

export const baseStack = "prod";

export function workerSettings(count: number, root = projectRoot): StackSettings {
    const file = path.join(root, `Pulumi.${baseStack}.yaml`);
    const document = (YAML.parse(fs.readFileSync(file, "utf8")) ?? {}) as { config?: Record<string, unknown> };
    const values = { ...(document.config ?? {}) };
    values[`${projectName}:workers`] = Array.from({ length: count }, (_, index) => {
        const queue = `q${index + 1}`;
        return { name: `w${index + 1}`, command: ["python", "-m", "app.worker", "--queues", queue], queues: [queue] };
    });
    return stackSettingsFromValues(values);
}
