import * as pulumi from "@pulumi/pulumi";
import { App } from "./components/app";
import { Platform } from "./components/platform";
import { createTarget } from "./components/targets";
import { appArgs, platformArgs, targetArgs } from "./stacks/args";
import { loadStackConfig } from "./stacks/load";

// The composition root: config -> target -> image -> platform -> data -> app. Only this file
// reads the stack's configuration; stacks/args.ts turns it into each component's arguments.
export = async () => {
    const config = loadStackConfig();
    const name = config.name;

    const target = createTarget(name, targetArgs(config.target));
    const withCluster: pulumi.ComponentResourceOptions = { providers: [target.provider] };

    const platform = new Platform(name, platformArgs(config), withCluster);

    const args = appArgs(config, { namespace: platform.namespaceName, ingressPublishesStatus: target.ingressPublishesStatus, dataStores: [] });
    const app = new App(name, args, withCluster);

    return {
        target: target.kind,
        namespace: platform.namespaceName,
        image: args.image,
        api: app.api.objectName,
        workers: app.workers.map((worker) => worker.objectName),
        ...(app.frontend ? { frontend: app.frontend.objectName } : {}),
        ...(app.url ? { url: app.url } : {}),
    };
};
