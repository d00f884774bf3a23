// How Kubernetes object names and label values are composed from the app name and its parts,
// and the limit of the object each one lands in. The components build names with these
// functions and the stack config is checked against the same compositions, so that a name the
// API server would refuse is refused first, with the config key that caused it.

/** A DNS-1123 label: Service, container and namespace names; Deployments are held to it too. */
export const dnsLabelLimit = 63;
export const labelValueLimit = 63;
/** The CronJob controller appends an 11-character suffix to make each Job's name. */
export const cronJobNameLimit = 52;

export function objectName(appName: string, component: string): string {
    return `${appName}-${component}`;
}

export function workerComponent(workerName: string): string {
    return `worker-${workerName}`;
}

export function cronJobComponent(jobName: string): string {
    return `cron-${jobName}`;
}

/** Characters of the migration identity (a hex digest) kept in the Job's name. */
export const migrationsIdentityLength = 10;

/** The migrations Job: one per identity, so that the same migration never runs twice. */
export function migrationsJobName(appName: string, identity: string): string {
    return `${appName}-migrate-${identity.slice(0, migrationsIdentityLength)}`;
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
