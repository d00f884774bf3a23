import { execFileSync } from "node:child_process";
import * as os from "node:os";
import * as path from "node:path";
import type { AddonName } from "../components/addons";

// The official sources of the pinned charts: each project ships its chart inside its Go module,
// which the Go module proxy serves. Tests download them into the cache (never into the work tree)
// to check appstack's values and objects against the chart and its CRDs.

export interface ChartSource {
    module: string;
    version: string;
    /** The chart's directory inside the module. */
    chart: string;
    /** Files of CustomResourceDefinitions inside the module that appstack creates objects of. */
    crds?: string[];
    /** A Go toolchain the module's go.mod asks for beyond the machine's. */
    toolchain?: string;
    /**
     * Why the module holds another version of the chart than the one pinned, where it does: its
     * keys are checked all the same, as the nearest official source there is.
     */
    nearest?: string;
}

export const chartSources: Record<AddonName, ChartSource> = {
    ingressNginx: {
        module: "k8s.io/ingress-nginx",
        version: "v0.0.0-20240708192948-52c50467d67d",
        chart: "charts/ingress-nginx",
        nearest: "the proxy serves no later revision of k8s.io/ingress-nginx than this one (chart 4.11.0); the pin is the patched 4.13 line",
    },
    certManager: {
        module: "github.com/cert-manager/cert-manager",
        version: "v1.21.2",
        chart: "deploy/charts/cert-manager",
        crds: ["deploy/crds/cert-manager.io_clusterissuers.yaml"],
    },
    metricsServer: { module: "sigs.k8s.io/metrics-server", version: "v0.9.1", chart: "charts/metrics-server", toolchain: "go1.27.3" },
    metallb: { module: "go.universe.tf/metallb", version: "v0.16.2", chart: "charts/metallb", crds: ["charts/metallb/charts/crds/templates/crds.yaml"] },
    localPath: { module: "github.com/rancher/local-path-provisioner", version: "v0.0.30", chart: "deploy/chart/local-path-provisioner" },
};

/** The module's directory in the cache, downloaded through the Go module proxy where missing. */
export function moduleDirectory(source: ChartSource): string {
    const cache = process.env.APPSTACK_CACHE ?? path.join(os.homedir(), ".cache", "appstack");
    const output = execFileSync("go", ["mod", "download", "-json", `${source.module}@${source.version}`], {
        cwd: os.tmpdir(),
        encoding: "utf8",
        env: {
            ...process.env,
            GOMODCACHE: path.join(cache, "go", "mod"),
            GOFLAGS: "-mod=mod -modcacherw",
            GOTOOLCHAIN: source.toolchain ?? "local",
            GOWORK: "off",
        },
        stdio: ["ignore", "pipe", "pipe"],
    });
    return (JSON.parse(output) as { Dir: string }).Dir;
}
