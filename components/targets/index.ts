import type { AksClusterArgs } from "./aks";
import type { BaremetalClusterArgs } from "./baremetal";
import type { EksClusterArgs } from "./eks";
import { ExistingCluster, type ExistingClusterArgs } from "./existing";
import type { GkeClusterArgs } from "./gke";
import { LocalCluster, type LocalClusterArgs } from "./local";
import type { Target } from "./target";

export type * from "./target";

/** Which kind of target to deploy to, with that kind's arguments. */
export type TargetArgs =
    | ({ kind: "existing" } & ExistingClusterArgs)
    | ({ kind: "local" } & LocalClusterArgs)
    | ({ kind: "eks" } & EksClusterArgs)
    | ({ kind: "gke" } & GkeClusterArgs)
    | ({ kind: "aks" } & AksClusterArgs)
    | ({ kind: "baremetal" } & BaremetalClusterArgs);

/** The target of the given kind. A cloud's module, and with it its SDK, is loaded only for its kind. */
export function createTarget(name: string, args: TargetArgs): Target {
    switch (args.kind) {
        case "existing":
            return new ExistingCluster(name, {
                kubeconfig: args.kubeconfig,
                context: args.context,
                clusterIdentifier: args.clusterIdentifier,
                ingressController: args.ingressController,
            });
        case "local":
            return new LocalCluster(name, { kubeconfigPath: args.kubeconfigPath, ingressController: args.ingressController });
        case "eks": {
            const { kind: _kind, ...eksArgs } = args;
            return new (require("./eks") as typeof import("./eks")).EksCluster(name, eksArgs);
        }
        case "gke": {
            const { kind: _kind, ...gkeArgs } = args;
            return new (require("./gke") as typeof import("./gke")).GkeCluster(name, gkeArgs);
        }
        case "aks": {
            const { kind: _kind, ...aksArgs } = args;
            return new (require("./aks") as typeof import("./aks")).AksCluster(name, aksArgs);
        }
        case "baremetal": {
            const { kind: _kind, ...baremetalArgs } = args;
            return new (require("./baremetal") as typeof import("./baremetal")).BaremetalCluster(name, baremetalArgs);
        }
    }
}
