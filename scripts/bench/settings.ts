import { projectName, projectRoot, readStackConfigValues, stackSettingsFromValues, type StackSettings } from "../offline";

// Stack settings for the benchmark's synthetic stacks: the prod stack file with its workers
// replaced by N plain ones, so that only the number of workers changes.

export const baseStack = "prod";

export function workerSettings(count: number, root = projectRoot): StackSettings {
    const values = { ...readStackConfigValues(baseStack, root) };
    values[`${projectName}:workers`] = Array.from({ length: count }, (_, index) => {
        const queue = `q${index + 1}`;
        return { name: `w${index + 1}`, command: ["python", "-m", "app.worker", "--queues", queue], queues: [queue] };
    });
    return stackSettingsFromValues(values);
}
