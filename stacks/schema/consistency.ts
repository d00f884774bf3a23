import { z } from "zod";
import { appNames, bundledStoreNames, cronJobNames, storeComponents, workerNames, type BundledStore, type ComposedName } from "../../components/names";
import { connectionVariables, dataStoreKinds } from "../../components/data/connection";
import type { DataConfig } from "./data/data";
import { cloudTargetKinds, targetKindsWithRegistry, type TargetKind } from "../../components/targets/kinds";
import { appName, dnsLabel } from "./values";

// The checks across areas of the config: names composed from several keys, and choices in one
// area that another must agree with.

// The refinements below run even when other keys are invalid, so that every problem shows at
// once; they read the value defensively for that reason.

type Payload = Record<string, unknown>;

function field(value: unknown, key: string): unknown {
    return typeof value === "object" && value !== null ? (value as Payload)[key] : undefined;
}

function entries(value: unknown): unknown[] {
    return Array.isArray(value) ? value : [];
}

/**
 * Every name and label value the components compose must fit the object it lands in; the
 * problem is reported at the key whose value makes it too long.
 */
export function checkComposedNames(config: Payload, ctx: z.RefinementCtx): void {
    const name = config.name;
    if (!appName.safeParse(name).success) {
        return;
    }
    const app = name as string;
    const check = (path: PropertyKey[], own: string, composed: ComposedName[]) => {
        for (const { what, value, limit } of composed) {
            if (value.length > limit) {
                const room = limit - (value.length - own.length);
                ctx.addIssue({
                    code: "custom",
                    path,
                    input: own,
                    message: `at most ${room} characters${path[0] === "name" ? "" : ` with name "${app}"`}: the ${what} "${value}" would be ${value.length} characters, over the limit of ${limit}`,
                });
            }
        }
    };
    check(["name"], app, appNames(app));
    const data = field(config, "data");
    for (const store of Object.keys(storeComponents) as BundledStore[]) {
        const settings = field(data, store);
        if (field(settings, "mode") === "bundled") {
            check(["name"], app, bundledStoreNames(app, store, field(field(settings, "backups"), "enabled") === true));
        }
    }
    entries(config.workers).forEach((worker, index) => {
        const workerName = field(worker, "name");
        if (dnsLabel.safeParse(workerName).success) {
            check(["workers", index, "name"], workerName as string, workerNames(app, workerName as string));
        }
    });
    entries(config.cronJobs).forEach((job, index) => {
        const jobName = field(job, "name");
        if (dnsLabel.safeParse(jobName).success) {
            check(["cronJobs", index, "name"], jobName as string, cronJobNames(app, jobName as string));
        }
    });
}

/** The production checklist: what prod deploys is pinned by digest, which a re-tag cannot move. */
export function checkProdImagesPinnedByDigest(config: Payload, ctx: z.RefinementCtx): void {
    if (config.environment !== "prod") {
        return;
    }
    const images: [PropertyKey[], unknown][] = [
        [["image"], config.image],
        [["frontend", "image"], field(config.frontend, "image")],
    ];
    for (const [path, image] of images) {
        // A built image is pinned by the digest its push returns.
        if (typeof image === "object" && image !== null && field(image, "digest") === undefined && field(image, "build") === undefined) {
            ctx.addIssue({
                code: "custom",
                path: [...path, "digest"],
                input: undefined,
                message: "a digest (sha256:...) in prod, so that a re-pushed tag cannot change what runs; keep the tag beside it for readers",
            });
        }
    }
}

/**
 * What the stores a stack provides mean for the rest of its config: a component can use only a
 * store that exists, a managed store needs a cloud target, and no setting may take the name of
 * a store's variable (one of the two would silently win).
 */
export function checkDataStoreUse(
    value: {
        target: { kind: string };
        data: DataConfig;
        settings: Record<string, string>;
        secrets: Record<string, string>;
        api: { uses?: string[]; env: Record<string, string> };
        workers: { uses?: string[]; env: Record<string, string> }[];
        cronJobs: { uses?: string[] }[];
        migrations: { uses?: string[] };
    },
    ctx: z.RefinementCtx,
) {
    const provided = new Set(dataStoreKinds.filter((store) => value.data[store].mode !== "disabled"));
    const consumers: [PropertyKey[], string[] | undefined][] = [
        [["api", "uses"], value.api.uses],
        [["migrations", "uses"], value.migrations.uses],
        ...value.workers.map((worker, index): [PropertyKey[], string[] | undefined] => [["workers", index, "uses"], worker.uses]),
        ...value.cronJobs.map((job, index): [PropertyKey[], string[] | undefined] => [["cronJobs", index, "uses"], job.uses]),
    ];
    for (const [path, uses] of consumers) {
        (uses ?? []).forEach((store, index) => {
            if (!provided.has(store as (typeof dataStoreKinds)[number])) {
                ctx.addIssue({
                    code: "custom",
                    path: [...path, index],
                    input: store,
                    message: `a store the stack provides (data.${store}.mode is "disabled"): ${[...provided].join(", ")}`,
                });
            }
        });
    }
    for (const store of dataStoreKinds) {
        if (value.data[store].mode === "managed" && !cloudTargetKinds.includes(value.target.kind as TargetKind)) {
            ctx.addIssue({
                code: "custom",
                path: ["data", store, "mode"],
                input: "managed",
                message: `"bundled" or "external" on a target of kind "${value.target.kind}": managed services need a cloud target (${cloudTargetKinds.join(", ")})`,
            });
        }
    }
    const reserved = new Map(
        dataStoreKinds.flatMap((store) => [...connectionVariables[store].plain, ...connectionVariables[store].secret].map((key) => [key, store] as const)),
    );
    const ownKeys: [PropertyKey[], Record<string, string>][] = [
        [["settings"], value.settings],
        [["secrets"], value.secrets],
        [["api", "env"], value.api.env],
        ...value.workers.map((worker, index): [PropertyKey[], Record<string, string>] => [["workers", index, "env"], worker.env]),
    ];
    for (const [path, values] of ownKeys) {
        for (const key of Object.keys(values)) {
            const store = reserved.get(key);
            if (store) {
                ctx.addIssue({ code: "custom", path: [...path, key], input: key, message: `a name other than ${key}, which the ${store} store sets` });
            }
        }
    }
}

/** A production API server is not opened to the whole internet. */
export function checkPublicEndpoint(config: Payload, ctx: z.RefinementCtx): void {
    if (config.environment !== "prod") {
        return;
    }
    entries(field(field(config.target, "publicEndpoint"), "cidrs")).forEach((range, index) => {
        if (range === "0.0.0.0/0") {
            ctx.addIssue({
                code: "custom",
                path: ["target", "publicEndpoint", "cidrs", index],
                input: range,
                message: "the ranges of your offices, VPN or CI in prod, not the whole internet (or no publicEndpoint: private access only)",
            });
        }
    });
}

/** A built image is pushed to the registry of the config, else to the one the target's cluster brings. */
export function checkBuildHasRegistry(config: Payload, ctx: z.RefinementCtx): void {
    const image = config.image;
    if (field(image, "build") === undefined || field(image, "registry") !== undefined) {
        return;
    }
    const kind = field(config.target, "kind");
    if (typeof kind === "string" && targetKindsWithRegistry.has(kind as TargetKind)) {
        if (field(image, "repository") !== undefined) {
            ctx.addIssue({
                code: "custom",
                path: ["image", "repository"],
                input: field(image, "repository"),
                message: `no repository with a build on target kind "${kind}": the image is pushed to the cluster's registry (or give image.registry to push elsewhere)`,
            });
        }
        return;
    }
    ctx.addIssue({
        code: "custom",
        path: ["image", "registry"],
        input: undefined,
        message: `a registry to push the build to (server, username, password as a secret) with image.repository under it; target kind "${String(kind)}" brings none (${[...targetKindsWithRegistry].join(", ")} do)`,
    });
}

/** On a k3s cluster the program builds, its bundled Traefik (ingress.className traefik) runs in kube-system. */
export function checkBundledIngress(config: Payload, ctx: z.RefinementCtx): void {
    const ingress = config.ingress;
    if (field(config.target, "kind") !== "baremetal" || field(ingress, "className") !== "traefik" || field(ingress, "controllerNamespace") === "kube-system") {
        return;
    }
    ctx.addIssue({
        code: "custom",
        path: ["ingress", "controllerNamespace"],
        input: field(ingress, "controllerNamespace"),
        message: `"kube-system" with ingress.className traefik on target kind "baremetal": k3s runs its Traefik there (another className disables it, for a controller of your own)`,
    });
}
