import * as core from "@pulumi/kubernetes/core/v1";
import type * as pulumi from "@pulumi/pulumi";
import type { AppEnvironment } from "./pod";

export interface SettingsArgs {
    namespace: pulumi.Input<string>;
    settings: Record<string, pulumi.Input<string>>;
    /** Secret settings by variable name; the values are secret Outputs. */
    secrets: Record<string, pulumi.Input<string>>;
    labels: { configMap: Record<string, string>; secret: Record<string, string> };
    /** One fixed name for both objects; absent: the provider names each one. */
    fixedName?: string;
}

export interface Settings {
    configMap: core.ConfigMap;
    /** Absent when there are no secret settings. */
    secret?: core.Secret;
    /** How a container reads them. */
    env: AppEnvironment;
}

/**
 * The app's settings in a ConfigMap and its secrets in a Secret (none when there are no secrets:
 * an empty one would show a change on every preview), as `NAME-settings` and `NAME-secrets`.
 *
 * Named by the provider, both are immutable and a change of content creates a new object under a
 * new name, so every pod that reads them rolls because its reference changed, a rollback brings
 * the old content back, and a removed key is gone with the old object (deleted once nothing refers
 * to it any more). No name or annotation is derived from the values.
 *
 * A reader whose spec must not change with the settings (the migrations Job, named for what it
 * runs) reads them under a `fixedName` instead, the Secret whole and optional, so that neither a
 * changed value nor a key added (the first one included) touches its spec. Those two are not
 * `immutable`: the provider replaces them on a change of content all the same, freeing the name
 * first, and a changed render applied with `kubectl apply` updates them where an immutable object
 * of that name would refuse; one of an earlier version, still immutable, is replaced once.
 */
export function settingsObjects(name: string, args: SettingsArgs, opts: pulumi.CustomResourceOptions): Settings {
    const fixed = args.fixedName;
    const metadata = (labels: Record<string, string>) => ({ ...(fixed === undefined ? {} : { name: fixed }), namespace: args.namespace, labels });
    const options = fixed === undefined ? opts : { ...opts, deleteBeforeReplace: true, replaceOnChanges: ["immutable"] };
    const immutable = fixed === undefined ? { immutable: true } : {};
    const configMap = new core.ConfigMap(`${name}-settings`, { metadata: metadata(args.labels.configMap), ...immutable, data: args.settings }, options);
    const secretKeys = Object.keys(args.secrets);
    const secret =
        secretKeys.length > 0
            ? new core.Secret(`${name}-secrets`, { metadata: metadata(args.labels.secret), ...immutable, type: "Opaque", stringData: args.secrets }, options)
            : undefined;
    const env: AppEnvironment =
        fixed === undefined
            ? { configMapName: configMap.metadata.name, secrets: secret ? { name: secret.metadata.name, keys: secretKeys } : undefined }
            : { configMapName: fixed, wholeSecretName: fixed };
    return { configMap, secret, env };
}
