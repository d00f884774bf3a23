import { strict as assert } from "node:assert";
import { z } from "zod";
import { presets, type Environment } from "../stacks/presets";
import { ConfigError } from "../stacks/load";
import { stackConfigSchema } from "../stacks/schema";
import { parseValues } from "./support";

// Presets never fight the user: a stack that chooses a target kind and a store's mode, and sets
// nothing else but what that kind or mode cannot do without, is accepted, or refused with a
// message that names a key the stack wrote. A default that only holds in some modes follows the
// modes the stack chose. The kinds and modes are read from the schema, so a new one is walked too.

const image = { repository: "ghcr.io/acme/app", tag: "v1", digest: `sha256:${"a".repeat(64)}` };

/** What each target kind cannot do without. */
const targetRequires: Record<string, Record<string, unknown>> = {
    existing: { kind: "existing", context: "admin@cluster" },
    local: { kind: "local", kubeconfigPath: ".kube/local" },
    eks: { kind: "eks", region: "eu-west-1", zones: ["eu-west-1a", "eu-west-1b"], autoMode: true },
    gke: { kind: "gke", project: "acme-prod", region: "europe-west1", autopilot: true },
    aks: { kind: "aks", location: "westeurope", registry: { name: "acmeregistry" } },
    baremetal: { kind: "baremetal", k3sVersion: "v1.33.5+k3s1", ssh: { agent: true }, servers: [{ name: "server-a", address: "10.0.0.11" }] },
};

/** What each store's external mode cannot do without (the credentials set as secrets). */
const externalRequires: Record<string, Record<string, unknown>> = {
    postgres: { host: "db.example.com", port: 5432, password: "pw", sslMode: "verify-full", cidrs: ["10.9.0.0/24"] },
    redis: { host: "cache.example.com", port: 6379, tls: true, cidrs: ["10.9.1.0/24"] },
    objectStore: { endpoint: "https://s3.example.com", region: "eu-west-1", accessKeyId: "id", secretAccessKey: "key", cidrs: ["10.9.2.0/24"] },
    search: { url: "https://search.example.com", masterKey: "0123456789abcdef", cidrs: ["10.9.3.0/24"] },
};

const targetKinds = (stackConfigSchema.shape.target.options as z.ZodObject[]).map((option) => [...(option.shape.kind as z.ZodLiteral).values][0] as string);
const dataShape = stackConfigSchema.shape.data.shape as Record<string, z.ZodObject>;
const storeModes = Object.entries(dataShape).map(([store, schema]) => [store, (schema.shape.mode as z.ZodEnum).options as string[]] as const);

/** Every key path the values set, as the problems spell them (`data.postgres.mode`). */
function writtenPaths(values: unknown, at = ""): string[] {
    if (typeof values !== "object" || values === null || Array.isArray(values)) {
        return [at];
    }
    return [at, ...Object.entries(values).flatMap(([key, value]) => writtenPaths(value, at ? `${at}.${key}` : key))].filter(Boolean);
}

/** The problems of a stack that name no key it wrote. */
function unownedProblems(environment: Environment, values: Record<string, unknown>, secrets: Record<string, unknown>): string[] {
    const stack = { environment, image, ...values };
    try {
        parseValues("walk", stack, secrets);
        return [];
    } catch (error) {
        if (!(error instanceof ConfigError)) {
            throw error;
        }
        // The environment and the image every stack sets are not the choices walked here.
        const written = writtenPaths({ ...values, ...secrets });
        const names = (problem: ConfigError["problems"][number], path: string) =>
            problem.path === path || new RegExp(`(^|[^\\w.])${path.replace(/[.[\]]/g, "\\$&")}\\b`).test(problem.allowed);
        return error.problems
            .filter((problem) => !written.some((path) => names(problem, path)))
            .map((problem) => `${JSON.stringify({ environment, ...values })}: ${problem.path}: ${problem.allowed}`);
    }
}

describe("presets with every target kind and every mode of each store", () => {
    it("knows what each target kind and store needs", () => {
        assert.deepEqual(
            targetKinds.filter((kind) => !targetRequires[kind]),
            [],
            "add what a new target kind requires to targetRequires",
        );
        assert.deepEqual(
            storeModes.map(([store]) => store).filter((store) => !externalRequires[store]),
            [],
            "add what a new store requires to externalRequires",
        );
    });

    for (const environment of Object.keys(presets) as Environment[]) {
        for (const kind of targetKinds) {
            it(`${environment} on ${kind}: accepted, or refused naming a key the stack wrote`, () => {
                const unowned = storeModes.flatMap(([store, modes]) =>
                    modes.flatMap((mode) => {
                        const target = { target: targetRequires[kind] };
                        return mode === "external"
                            ? unownedProblems(environment, target, { data: { [store]: { mode, external: externalRequires[store] } } })
                            : unownedProblems(environment, { ...target, data: { [store]: { mode } } }, {});
                    }),
                );
                assert.deepEqual(unowned, [], "refused for keys the stack did not write");
            });
        }
    }
});

describe("the prod preset's backups", () => {
    const external = { data: { postgres: { mode: "external", external: externalRequires.postgres } } };

    it("are off for a database the program does not run, and for an object store it cannot upload to with keys", () => {
        assert.equal(parseValues("walk", { environment: "prod", image, target: targetRequires.existing }, external).data.postgres.backups.enabled, false);
        assert.equal(
            parseValues("walk", { environment: "prod", image, target: targetRequires.existing, data: { objectStore: { mode: "disabled" } } }).data.postgres
                .backups.enabled,
            false,
        );
        assert.equal(parseValues("walk", { environment: "prod", image, target: targetRequires.existing }).data.postgres.backups.enabled, true);
    });

    it("asked for with an external database, are refused at the key the stack wrote", () => {
        const refused = () =>
            parseValues(
                "walk",
                { environment: "prod", image, target: targetRequires.existing },
                { data: { postgres: { ...external.data.postgres, backups: { enabled: true } } } },
            );
        assert.throws(refused, (error: ConfigError) => {
            assert.deepEqual(
                error.problems.map((problem) => `${problem.path}: ${problem.allowed}`),
                ["data.postgres.backups.enabled: false unless data.postgres.mode is bundled (an external server is backed up by whoever runs it)"],
            );
            return true;
        });
    });
});
