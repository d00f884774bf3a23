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
 * The app's settings in an immutable ConfigMap and its secrets in an immutable Secret (none when
 * there are no secrets: an empty one would show a change on every preview), as `NAME-settings`
 * and `NAME-secrets`.
 *
 * Named by the provider, a change of content creates a new object under a new name, so every pod
 * that reads them rolls because its reference changed, a rollback brings the old content back,
 * and a removed key is gone with the old object (deleted once nothing refers to it any more). No
 * name or annotation is derived from the values. A reader whose spec must not change with the
 * settings (the migrations Job, named for what it runs) reads them under a `fixedName` instead:
 * a change of content then replaces both objects in place (delete, then create).
 */
export function settingsObjects(name: string, args: SettingsArgs, opts: pulumi.CustomResourceOptions): Settings {
    const metadata = (labels: Record<string, string>) => ({ ...(args.fixedName === undefined ? {} : { name: args.fixedName }), namespace: args.namespace, labels });
    const configMap = new core.ConfigMap(`${name}-settings`, { metadata: metadata(args.labels.configMap), immutable: true, data: args.settings }, opts);
    const secretKeys = Object.keys(args.secrets);
    const secret =
        secretKeys.length > 0 ? new core.Secret(`${name}-secrets`, { metadata: metadata(args.labels.secret), immutable: true, type: "Opaque", stringData: args.secrets }, opts) : undefined;
    const reference = (object: core.ConfigMap | core.Secret) => args.fixedName ?? object.metadata.name;
    return { configMap, secret, env: { configMapName: reference(configMap), secrets: secret ? { name: reference(secret), keys: secretKeys } : undefined } };
}
