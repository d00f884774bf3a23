import * as pulumi from "@pulumi/pulumi";
import { App } from "./components/app";
import { pinnedReference } from "./components/image";
import { Platform } from "./components/platform";
import { createTarget } from "./components/targets";
import { loadStackConfig } from "./stacks/load";

// The composition root: config -> target -> image -> platform -> data -> app. Everything below
// reads typed arguments; only this file reads the stack's configuration.
export = async () => {
    const config = loadStackConfig();
    const name = config.name;

    const target = createTarget(name, config.target);
    const withCluster: pulumi.ComponentResourceOptions = { providers: [target.provider] };

    const platform = new Platform(
        name,
        { appName: name, namespace: config.namespace, quota: config.quota, limitRange: config.limitRange, protect: config.protect },
        withCluster,
    );

    const image = pinnedReference(config.image);
    const app = new App(
        name,
        {
            config,
            namespace: platform.namespaceName,
            image,
            // The schema requires an image whenever the frontend is enabled.
            frontendImage: config.frontend.enabled && config.frontend.image ? pinnedReference(config.frontend.image) : undefined,
            secrets: Object.fromEntries(Object.entries(config.secrets).map(([key, value]) => [key, pulumi.secret(value)])),
            dataStores: [],
            ingressPublishesStatus: target.ingressPublishesStatus,
        },
        withCluster,
    );

    return {
        target: target.kind,
        namespace: platform.namespaceName,
        image,
        api: app.api.objectName,
        workers: app.workers.map((worker) => worker.objectName),
        ...(app.frontend ? { frontend: app.frontend.objectName } : {}),
        ...(app.url ? { url: app.url } : {}),
    };
};
