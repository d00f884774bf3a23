import Ajv from "ajv";
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseAllDocuments, parse as parseYaml } from "yaml";
import { pinnedCharts, type AddonName } from "../components/addons";
import { chartSources, moduleDirectory } from "./chart-sources";
import { clone, inputs, ofType, render, stackValues, type Rendered } from "./support";

// appstack's values and objects against the official charts of the pinned versions, taken from
// their projects' Go modules into the cache: every value appstack sets is a key the chart reads,
// and every object it creates of a chart's kinds is valid against that chart's CRD.

const everyAddon = {
    ingress: {
        enabled: true,
        host: "app.example.com",
        className: "nginx",
        controllerNamespace: "ingress-nginx",
        tls: { mode: "cert-manager", clusterIssuer: "letsencrypt-prod" },
    },
    addons: {
        chartMirror: { oci: "oci://registry.example.com/charts" },
        ingressNginx: { enabled: true },
        certManager: { enabled: true, email: "ops@example.com" },
        metricsServer: { enabled: true },
        metallb: { enabled: true, addresses: ["192.168.1.240/28"] },
        localPath: { enabled: true },
    },
};

/** What a chart reads: its values.yaml, and the `.Values` paths its templates name (some keys are documented only as comments). */
interface ChartKeys {
    defaults: unknown;
    /** Paths the templates read. */
    read: Set<string>;
    /** Paths the templates hand on whole (`toYaml .Values.x`, or `with .Values.x` and `toYaml .`): anything under them is passed. */
    whole: Set<string>;
}

function chartKeys(directory: string): ChartKeys {
    const templates = fs
        .readdirSync(path.join(directory, "templates"), { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => fs.readFileSync(path.join(entry.parentPath, entry.name), "utf8"))
        .join("\n");
    const paths = (pattern: RegExp) => new Set([...templates.matchAll(pattern)].map((match) => match[1]));
    return {
        defaults: parseYaml(fs.readFileSync(path.join(directory, "values.yaml"), "utf8")),
        read: paths(/\$?\.Values\.([A-Za-z0-9_.]+)/g),
        whole: new Set([
            ...paths(/toYaml\s+\(?\$?\.Values\.([A-Za-z0-9_.]+)/g),
            ...paths(/with\s+\$?\.Values\.([A-Za-z0-9_.]+)\s*\}\}(?:\s*\n[^\n]*){1,2}?toYaml\s+\./g),
        ]),
    };
}

/** The paths of `values` the chart does not read. */
function unknownPaths(values: unknown, keys: ChartKeys, defaults: unknown = keys.defaults, at: string[] = []): string[] {
    if (typeof values !== "object" || values === null || Array.isArray(values)) {
        return [];
    }
    return Object.entries(values).flatMap(([key, value]) => {
        const here = [...at, key];
        const dotted = here.join(".");
        const below = typeof defaults === "object" && defaults !== null && !Array.isArray(defaults) ? (defaults as Record<string, unknown>)[key] : undefined;
        if (
            keys.whole.has(dotted) ||
            (below !== undefined && (below === null || Array.isArray(below) || (typeof below === "object" && Object.keys(below).length === 0)))
        ) {
            return [];
        }
        if (below === undefined && !keys.read.has(dotted)) {
            return [dotted];
        }
        return unknownPaths(value, keys, below, here);
    });
}

describe("the pinned charts, from their projects' Go modules", function () {
    // A cold cache downloads five modules (and one Go toolchain) through the proxy.
    this.timeout(600_000);
    let rendered: Rendered;
    const directories = new Map<AddonName, string>();

    before(async function () {
        try {
            for (const addon of Object.keys(chartSources) as AddonName[]) {
                directories.set(addon, moduleDirectory(chartSources[addon]));
            }
        } catch (error) {
            const stderr = (error as { stderr?: string }).stderr ?? String(error);
            throw new Error(`the charts' Go modules could not be downloaded (go and the Go module proxy are needed):\n${stderr}`, { cause: error });
        }
        rendered = await render("dev", { ...clone(stackValues("dev")), ...everyAddon });
    });

    for (const addon of Object.keys(pinnedCharts) as AddonName[]) {
        const pinned = pinnedCharts[addon];
        const source = chartSources[addon];

        it(`${pinned.chart}: the module holds the pinned chart${source.nearest ? " (or the nearest: see chartSources)" : ""}`, () => {
            const chartYaml = parseYaml(fs.readFileSync(path.join(directories.get(addon)!, source.chart, "Chart.yaml"), "utf8"));
            assert.equal(chartYaml.name, pinned.chart);
            if (!source.nearest) {
                // cert-manager's source carries v0.0.0, stamped with the release's version when published.
                assert.ok([pinned.version, "v0.0.0"].includes(chartYaml.version), `Chart.yaml ${chartYaml.version}, pinned ${pinned.version}`);
                assert.ok(
                    source.version.replace(/^v/, "") === pinned.version.replace(/^v/, "") || chartYaml.version === pinned.version,
                    `module ${source.version}, pinned ${pinned.version}`,
                );
            }
        });

        it(`${pinned.chart}: reads every value appstack sets`, () => {
            const keys = chartKeys(path.join(directories.get(addon)!, source.chart));
            const given = ofType(rendered, "kubernetes:helm.sh/v4:Chart")
                .map(inputs)
                .find((chart) => chart.chart.endsWith(`/${pinned.chart}`));
            assert.ok(given, `${pinned.chart} installed`);
            assert.deepEqual(unknownPaths(given.values, keys), []);
        });
    }

    it("every ClusterIssuer, IPAddressPool and L2Advertisement is valid against its CRD", () => {
        const ajv = new Ajv({ strict: false, allErrors: true });
        const crds = (Object.keys(chartSources) as AddonName[]).flatMap((addon) =>
            (chartSources[addon].crds ?? []).flatMap((file) =>
                parseAllDocuments(fs.readFileSync(path.join(directories.get(addon)!, file), "utf8").replace(/\{\{[^}]*\}\}/g, "templated"))
                    .map((document) => document.toJSON())
                    .filter((crd) => crd?.kind === "CustomResourceDefinition"),
            ),
        );
        const checked = [];
        for (const manifest of rendered.manifests) {
            const crd = crds.find((candidate) => candidate.spec.names.kind === manifest.kind && manifest.apiVersion.startsWith(`${candidate.spec.group}/`));
            if (!crd) {
                continue;
            }
            const version = crd.spec.versions.find((candidate: any) => manifest.apiVersion === `${crd.spec.group}/${candidate.name}`);
            assert.ok(version?.served, `${manifest.apiVersion} ${manifest.kind} served by its CRD`);
            const validate = ajv.compile(version.schema.openAPIV3Schema);
            assert.ok(validate(manifest), `${manifest.kind} ${manifest.metadata.name}: ${ajv.errorsText(validate.errors)}`);
            checked.push(manifest.kind);
        }
        assert.deepEqual(checked.sort(), ["ClusterIssuer", "ClusterIssuer", "IPAddressPool", "L2Advertisement"]);
    });
});
