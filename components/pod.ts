import type * as inputs from "@pulumi/kubernetes/types/input";
import type * as pulumi from "@pulumi/pulumi";

type PodSpec = inputs.core.v1.PodSpec;
type Container = inputs.core.v1.Container;
type EnvVar = inputs.core.v1.EnvVar;
type ResourceRequirements = inputs.core.v1.ResourceRequirements;
type Volume = inputs.core.v1.Volume;
type VolumeMount = inputs.core.v1.VolumeMount;

/** Labels every object of the application carries. */
export function appLabels(appName: string, component: string): Record<string, string> {
    return {
        "app.kubernetes.io/name": appName,
        "app.kubernetes.io/component": component,
        "app.kubernetes.io/part-of": appName,
        "app.kubernetes.io/managed-by": "pulumi",
    };
}

/** The labels a selector matches on: stable for the life of the workload. */
export function selectorLabels(appName: string, component: string): Record<string, string> {
    return {
        "app.kubernetes.io/name": appName,
        "app.kubernetes.io/component": component,
    };
}

/** Where the application's settings live. */
export interface AppEnvironment {
    /** ConfigMap of plain settings, loaded whole. */
    configMapName: pulumi.Input<string>;
    /** Secret of credentials, each key one variable through a secretKeyRef; absent: none. */
    secrets?: { name: pulumi.Input<string>; keys: string[] };
    /**
     * Secret of a fixed name loaded whole, and optional: for a pod whose spec must not change when
     * a key is added (the first one included), such as a Job that is replaced when it changes.
     */
    wholeSecretName?: pulumi.Input<string>;
}

function environmentVariables(env: AppEnvironment | undefined, plain: Record<string, string>): EnvVar[] {
    const secrets = env?.secrets;
    return [
        ...Object.entries(plain).map(([name, value]) => ({ name, value })),
        ...(secrets?.keys ?? []).map((key) => ({ name: key, valueFrom: { secretKeyRef: { name: secrets!.name, key } } })),
    ];
}

export interface HardenedContainerArgs {
    name: string;
    image: pulumi.Input<string>;
    command?: string[];
    args?: string[];
    /** Shared settings and secrets; none for a component that must not see them. */
    env?: AppEnvironment;
    plainEnv?: Record<string, string>;
    /** Further variables, such as those of the data stores it uses. */
    extraEnv?: EnvVar[];
    resources: ResourceRequirements;
    /** Mounts beside the writable /tmp, of volumes the pod spec adds. */
    volumeMounts?: VolumeMount[];
}

const tmpVolumeName = "tmp";

/**
 * A container that satisfies Pod Security "restricted" on its own: no privilege escalation, no
 * capabilities, a read-only root filesystem with a writable /tmp.
 */
export function hardenedContainer(args: HardenedContainerArgs): Container {
    return {
        name: args.name,
        image: args.image,
        imagePullPolicy: "IfNotPresent",
        command: args.command,
        args: args.args,
        envFrom: args.env
            ? [
                  { configMapRef: { name: args.env.configMapName } },
                  ...(args.env.wholeSecretName ? [{ secretRef: { name: args.env.wholeSecretName, optional: true } }] : []),
              ]
            : undefined,
        env: [...environmentVariables(args.env, args.plainEnv ?? {}), ...(args.extraEnv ?? [])],
        resources: args.resources,
        securityContext: {
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            runAsNonRoot: true,
            capabilities: { drop: ["ALL"] },
            seccompProfile: { type: "RuntimeDefault" },
        },
        volumeMounts: [{ name: tmpVolumeName, mountPath: "/tmp" }, ...(args.volumeMounts ?? [])],
    };
}

/**
 * Pod-level settings of Pod Security "restricted": a fixed non-root identity and seccomp.
 * `extra.volumes` are added beside the containers' /tmp.
 */
export function hardenedPodSpec(
    uid: number,
    serviceAccountName: pulumi.Input<string>,
    containers: Container[],
    { volumes = [], ...extra }: Omit<PodSpec, "containers" | "securityContext" | "serviceAccountName" | "volumes"> & { volumes?: Volume[] } = {},
): PodSpec {
    return {
        serviceAccountName,
        automountServiceAccountToken: false,
        enableServiceLinks: false,
        securityContext: {
            runAsNonRoot: true,
            runAsUser: uid,
            runAsGroup: uid,
            fsGroup: uid,
            seccompProfile: { type: "RuntimeDefault" },
        },
        containers,
        volumes: [{ name: tmpVolumeName, emptyDir: { sizeLimit: "256Mi" } }, ...volumes],
        ...extra,
    };
}
