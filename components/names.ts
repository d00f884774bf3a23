// How Kubernetes object names and label values are composed from the app name and its parts,
// and the limit of the object each one lands in. The components build names with these
// functions and the stack config is checked against the same compositions, so that a name the
// API server would refuse is refused first, with the config key that caused it.

/** A DNS-1123 label: Service, container and namespace names; Deployments are held to it too. */
export const dnsLabelLimit = 63;
export const labelValueLimit = 63;
/** The CronJob controller appends an 11-character suffix to make each Job's name. */
export const cronJobNameLimit = 52;
/**
 * The StatefulSet controller labels each revision NAME-HASH (`controller-revision-hash`, up to
 * 11 characters more), a label value of at most 63.
 */
export const statefulSetNameLimit = 52;

export function objectName(appName: string, component: string): string {
    return `${appName}-${component}`;
}

export function workerComponent(workerName: string): string {
    return `worker-${workerName}`;
}

export function cronJobComponent(jobName: string): string {
    return `cron-${jobName}`;
}

/** Components of the data stores bundled in the cluster, by their config key. */
export const storeComponents = { postgres: "postgres", redis: "redis", objectStore: "objectstore", search: "search" } as const;
export type BundledStore = keyof typeof storeComponents;
export const postgresBackupComponent = "postgres-backup";
/** The app's run-to-completion components: the migrations Job, and what every job shares. */
export const migrationsComponent = "migrations";
export const jobsComponent = "jobs";
export const objectStoreSetupComponent = "objectstore-setup";

/** The Service that gives a StatefulSet's pod its stable name. */
export function headlessServiceName(serverName: string): string {
    return `${serverName}-headless`;
}

/** Characters of the migration identity (a hex digest) kept in the Job's name. */
export const migrationsIdentityLength = 10;

/** The ConfigMap and Secret the migrations read: shorter than the Job's name, so within every limit it is. */
export function migrationsSettingsName(appName: string): string {
    return objectName(appName, "migrate");
}

/** The migrations Job: one per identity, so that the same migration never runs twice. */
export function migrationsJobName(appName: string, identity: string): string {
    return `${migrationsSettingsName(appName)}-${identity.slice(0, migrationsIdentityLength)}`;
}

/** The TLS Secret cert-manager keeps the Ingress's certificate in. */
export function tlsSecretName(appName: string): string {
    return objectName(appName, "tls");
}

export interface ComposedName {
    /** What the API server checks, e.g. `CronJob name`. */
    what: string;
    value: string;
    limit: number;
}

/** Names and label values composed from the app name alone. */
export function appNames(appName: string): ComposedName[] {
    return [
        { what: "api Deployment and Service name", value: objectName(appName, "api"), limit: dnsLabelLimit },
        { what: "frontend Deployment and Service name", value: objectName(appName, "frontend"), limit: dnsLabelLimit },
        { what: "migrations Job name", value: migrationsJobName(appName, "0".repeat(migrationsIdentityLength)), limit: dnsLabelLimit },
        { what: "app.kubernetes.io/name label value", value: appName, limit: labelValueLimit },
    ];
}

/** Names and label values composed for one worker. */
export function workerNames(appName: string, workerName: string): ComposedName[] {
    const component = workerComponent(workerName);
    return [
        { what: "worker Deployment name", value: objectName(appName, component), limit: dnsLabelLimit },
        { what: "app.kubernetes.io/component label value and container name", value: component, limit: labelValueLimit },
    ];
}

/** Names and label values composed for one cron job. */
export function cronJobNames(appName: string, jobName: string): ComposedName[] {
    const component = cronJobComponent(jobName);
    return [
        { what: "CronJob name", value: objectName(appName, component), limit: cronJobNameLimit },
        { what: "app.kubernetes.io/component label value and container name", value: component, limit: labelValueLimit },
    ];
}

/** Names composed for a data store bundled in the cluster: its server and the jobs that come with it. */
export function bundledStoreNames(appName: string, store: BundledStore, withBackups: boolean): ComposedName[] {
    const server = objectName(appName, storeComponents[store]);
    const names: ComposedName[] = [
        { what: `${store} StatefulSet name`, value: server, limit: statefulSetNameLimit },
        { what: `${store} headless Service name`, value: headlessServiceName(server), limit: dnsLabelLimit },
    ];
    if (store === "objectStore") {
        names.push({ what: "object store setup Job name", value: objectName(appName, objectStoreSetupComponent), limit: dnsLabelLimit });
    }
    if (store === "postgres" && withBackups) {
        names.push({ what: "postgres backup CronJob name", value: objectName(appName, postgresBackupComponent), limit: cronJobNameLimit });
    }
    return names;
}
