import { containersOf, describe, podTemplates, type KubernetesObject } from "./objects";

// Pod Security Standards, "restricted" profile (the baseline controls included), as the API
// server's admission enforces them; plus the project's own floor of UID 10000.

const allowedCapabilities = new Set(["NET_BIND_SERVICE"]);
const allowedVolumeKinds = new Set(["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"]);
const minimumUid = 10000;

/** What makes one pod spec fail the restricted profile; empty when it passes. */
export function restrictedViolations(podSpec: any): string[] {
    const problems: string[] = [];
    const pod = podSpec.securityContext ?? {};
    const containers: any[] = [...containersOf(podSpec), ...(podSpec.ephemeralContainers ?? [])];

    if (podSpec.hostNetwork || podSpec.hostPID || podSpec.hostIPC) {
        problems.push("shares a host namespace");
    }
    for (const volume of podSpec.volumes ?? []) {
        const kinds = Object.keys(volume).filter((key) => key !== "name");
        if (kinds.some((kind) => !allowedVolumeKinds.has(kind))) {
            problems.push(`volume ${volume.name} is of a kind the profile forbids (${kinds.join(", ")})`);
        }
    }
    const podSeccomp = pod.seccompProfile?.type;
    if (pod.runAsUser === 0) {
        problems.push("pod runs as UID 0");
    }
    for (const container of containers) {
        const context = container.securityContext ?? {};
        const name = `container ${container.name}`;
        if (context.privileged) {
            problems.push(`${name} is privileged`);
        }
        if (context.allowPrivilegeEscalation !== false) {
            problems.push(`${name} does not set allowPrivilegeEscalation: false`);
        }
        if (!(context.runAsNonRoot ?? pod.runAsNonRoot)) {
            problems.push(`${name} does not set runAsNonRoot`);
        }
        const uid = context.runAsUser ?? pod.runAsUser;
        if (uid === undefined || uid < minimumUid) {
            problems.push(`${name} runs as UID ${uid ?? "(image default)"}; at least ${minimumUid} required`);
        }
        const seccomp = context.seccompProfile?.type ?? podSeccomp;
        if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost") {
            problems.push(`${name} has no RuntimeDefault or Localhost seccomp profile`);
        }
        const drop: string[] = context.capabilities?.drop ?? [];
        if (!drop.includes("ALL")) {
            problems.push(`${name} does not drop ALL capabilities`);
        }
        for (const added of context.capabilities?.add ?? []) {
            if (!allowedCapabilities.has(added)) {
                problems.push(`${name} adds capability ${added}`);
            }
        }
        if (context.readOnlyRootFilesystem !== true) {
            problems.push(`${name} has a writable root filesystem`);
        }
        if ((container.ports ?? []).some((port: any) => port.hostPort)) {
            problems.push(`${name} uses a host port`);
        }
    }
    return problems;
}

/** Every pod template of the objects that fails the restricted profile, with its reasons. */
export function restrictedPodSecurity(objects: KubernetesObject[]): string[] {
    return podTemplates(objects).flatMap(({ object, podSpec }) => restrictedViolations(podSpec).map((problem) => `${describe(object)}: ${problem}`));
}
