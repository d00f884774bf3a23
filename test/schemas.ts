import type { Manifest } from "../scripts/offline";

type ModelClass = new (data: unknown) => { validate(): void };

/** The kubernetes-models class of an object's apiVersion and kind (the official OpenAPI schemas). */
async function modelOf(manifest: Manifest): Promise<ModelClass> {
    // kubernetes-models is published as ES modules only; the Prometheus Operator's kinds have a package of their own.
    const models = manifest.apiVersion.startsWith("monitoring.coreos.com/") ? "@kubernetes-models/prometheus-operator" : "kubernetes-models";
    const module = (await import(`${models}/${manifest.apiVersion}`)) as Record<string, ModelClass>;
    const model = module[manifest.kind];
    if (!model) {
        throw new Error(`kubernetes-models has no ${manifest.kind} in ${manifest.apiVersion}`);
    }
    return model;
}

/** The schema's complaint about an object, or undefined when it is valid. */
export async function schemaViolation(manifest: Manifest): Promise<string | undefined> {
    const Model = await modelOf(manifest);
    try {
        new Model(manifest).validate();
        return undefined;
    } catch (error) {
        return `${manifest.kind} ${manifest.metadata.name}: ${error instanceof Error ? error.message : String(error)}`;
    }
}
