import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { Image, pinnedReference, registryOfCluster } from "../components/image";
import { podTemplates } from "../policy/objects";
import { evaluate, projectRoot, type RegisteredResource } from "../scripts/offline";
import { clone, render, renderInvalid, settingsOf, stackValues, type Rendered } from "./support";

const password = "registry-token-never-shown";
const registry = { server: "registry.example.com", username: "ci-pusher", password };
const digestPinned = /^registry\.example\.com\/team\/app@sha256:[0-9a-f]{64}$/;

/** The dev stack building the sample app and pushing it to a registry given in config. */
function buildingValues(build: Record<string, unknown> = {}): { values: Record<string, unknown>; secrets: Record<string, unknown> } {
    const values = clone(stackValues("dev"));
    const image = { repository: "registry.example.com/team/app", tag: "3f9c2a1", build, registry };
    values.image = { ...image, registry: { ...registry, password: "(secret)" } };
    return { values, secrets: { image } };
}

function buildOf(rendered: Rendered): RegisteredResource & { inputs: any } {
    const builds = rendered.resources.filter((r) => r.type === "docker-build:index:Image");
    assert.equal(builds.length, 1);
    return builds[0];
}

/** Images of the containers of every pod template, by the kind and name of its owner. */
function containerImages(rendered: Rendered): Map<string, string[]> {
    return new Map(
        podTemplates(rendered.manifests).map(({ object, podSpec }) => [
            `${object.kind}/${object.metadata.name}`,
            [...(podSpec.initContainers ?? []), ...podSpec.containers].map((c: any) => c.image),
        ]),
    );
}

describe("the image built from source", () => {
    let rendered: Rendered;
    before(async () => {
        const { values, secrets } = buildingValues();
        rendered = await render("dev", values, secrets);
    });

    it("builds the sample app by default, and pushes it with the tag of the config", () => {
        const { inputs, parent } = buildOf(rendered);
        assert.deepEqual(inputs.context, { location: "app" });
        assert.deepEqual(inputs.dockerfile, { location: "app/Dockerfile" });
        assert.ok(fs.existsSync(path.join(projectRoot, inputs.dockerfile.location)), "the default Dockerfile exists");
        assert.deepEqual(inputs.platforms, ["linux/amd64"]);
        assert.equal(inputs.push, true);
        assert.deepEqual(inputs.tags, ["registry.example.com/team/app:3f9c2a1"]);
        assert.equal(inputs.target, undefined);
        assert.match(parent, /appstack:image:Image::appstack$/);
    });

    it("reads and writes a registry cache beside the image", () => {
        const { inputs } = buildOf(rendered);
        assert.deepEqual(inputs.cacheFrom, [{ registry: { ref: "registry.example.com/team/app:buildcache" } }]);
        assert.deepEqual(inputs.cacheTo, [
            { registry: { ref: "registry.example.com/team/app:buildcache", mode: "max", imageManifest: true, ociMediaTypes: true } },
        ]);
    });

    it("passes the registry credentials as a secret, shown nowhere", () => {
        const { inputs } = buildOf(rendered);
        assert.equal(inputs.registries.length, 1);
        assert.equal(inputs.registries[0].password, "[secret]");
        assert.ok(!JSON.stringify(rendered.resources).includes(password));
        assert.ok(!JSON.stringify(rendered.outputs).includes(password));
    });

    it("hands every workload, job and cron job the reference pinned by the pushed digest", () => {
        const reference = rendered.outputs.image as string;
        assert.match(reference, digestPinned);
        const images = containerImages(rendered);
        const appOwners = [...images.keys()].filter((owner) => /^(Deployment|Job|CronJob)\/appstack-(api$|worker-|migrate-|cron-)/.test(owner));
        assert.deepEqual(appOwners.map((owner) => owner.replace(/-migrate-[0-9a-f]+$/, "-migrate")).sort(), [
            "CronJob/appstack-cron-sync",
            "Deployment/appstack-api",
            "Deployment/appstack-worker-extraction",
            "Deployment/appstack-worker-indexing",
            "Job/appstack-migrate",
        ]);
        for (const owner of appOwners) {
            assert.deepEqual(images.get(owner), [reference], owner);
        }
        // Nothing else runs the app's repository by another reference.
        const others = [...images.entries()].filter(([owner]) => !appOwners.includes(owner));
        assert.deepEqual(
            others.flatMap(([, refs]) => refs.filter((ref) => ref.startsWith("registry.example.com/team/app"))),
            [],
        );
    });

    it("pins a new digest when the build changes, and the migrations run again for it", async () => {
        const { values, secrets } = buildingValues({ args: { NODE_ENV: "staging" } });
        const changed = await render("dev", values, secrets);
        assert.deepEqual(buildOf(changed).inputs.buildArgs, { NODE_ENV: "staging" });
        assert.match(changed.outputs.image as string, digestPinned);
        assert.notEqual(changed.outputs.image, rendered.outputs.image);
        const job = (r: Rendered) => r.manifests.find((m) => m.kind === "Job")!.metadata.name;
        assert.notEqual(job(changed), job(rendered));
    });

    it("builds the given context, Dockerfile, stage, arguments and platforms, without a cache when asked", async () => {
        const { values, secrets } = buildingValues({
            context: "services/api",
            dockerfile: "deploy/Containerfile",
            target: "runtime",
            args: { VERSION: "1.2.3" },
            platforms: ["linux/amd64", "linux/arm64"],
            cache: false,
        });
        const { inputs } = buildOf(await render("dev", values, secrets));
        assert.deepEqual(inputs.context, { location: "services/api" });
        assert.deepEqual(inputs.dockerfile, { location: "services/api/deploy/Containerfile" });
        assert.equal(inputs.target, "runtime");
        assert.deepEqual(inputs.buildArgs, { VERSION: "1.2.3" });
        assert.deepEqual(inputs.platforms, ["linux/amd64", "linux/arm64"]);
        assert.equal(inputs.cacheFrom, undefined);
        assert.equal(inputs.cacheTo, undefined);
    });

    it("tags the push with the stack name when no tag is given, never latest", async () => {
        const { values, secrets } = buildingValues();
        delete (values.image as any).tag;
        delete (secrets.image as any).tag;
        assert.deepEqual(buildOf(await render("dev", values, secrets)).inputs.tags, ["registry.example.com/team/app:dev"]);
    });

    it("is accepted in prod without a digest: the push pins it", async () => {
        const values = clone(stackValues("prod"));
        const image = { repository: "registry.example.com/team/app", tag: "3f9c2a1", build: {}, registry };
        values.image = image;
        const prod = await render("prod", values, { image });
        assert.match(prod.outputs.image as string, digestPinned);
    });
});

describe("the image pushed to the registry beside a cloud cluster", () => {
    it("pushes to the profile's repository with its credentials as a secret, and pins the pushed digest", async () => {
        let ref: pulumi.Output<string> | undefined;
        const evaluation = await evaluate("eks-dev", settingsOf({}), async () => {
            const profile = {
                repository: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/appstack",
                pushCredentials: pulumi.secret({ server: "123456789012.dkr.ecr.eu-west-1.amazonaws.com", username: "AWS", password }),
                pull: { kind: "node" as const },
            };
            const build = {
                context: "app",
                dockerfile: "app/Dockerfile",
                buildArgs: {},
                platforms: ["linux/amd64", "linux/arm64"],
                cache: true,
                tag: "eks-dev",
            };
            ref = new Image("appstack", { build, registry: registryOfCluster(profile) }).ref;
            return { image: ref };
        });
        const build = evaluation.resources.find((r) => r.type === "docker-build:index:Image")!.inputs as any;
        assert.deepEqual(build.tags, ["123456789012.dkr.ecr.eu-west-1.amazonaws.com/appstack:eks-dev"]);
        assert.deepEqual(build.platforms, ["linux/amd64", "linux/arm64"]);
        assert.equal(build.registries[0].password, "[secret]");
        assert.ok(!JSON.stringify(evaluation.resources).includes(password));
        assert.match(evaluation.outputs.image as string, /^123456789012\.dkr\.ecr\.eu-west-1\.amazonaws\.com\/appstack@sha256:[0-9a-f]{64}$/);
    });
});

describe("a given image", () => {
    it("registers no build and runs the reference as given", async () => {
        const digest = `sha256:${"c".repeat(64)}`;
        const rendered = await render("dev", { ...stackValues("dev"), image: { repository: "ghcr.io/acme/app", tag: "1.0.0", digest } });
        assert.equal(rendered.resources.filter((r) => r.type.startsWith("docker-build:")).length, 0);
        assert.equal(rendered.outputs.image, `ghcr.io/acme/app@${digest}`);
    });

    for (const [what, image, problem] of [
        ["without a tag or digest", { repository: "ghcr.io/acme/app" }, ["image.tag", /a tag or a digest/]],
        ["tagged latest", { repository: "ghcr.io/acme/app", tag: "latest" }, ["image.tag", /not "latest"/]],
        ["without a repository", { tag: "1.0.0" }, ["image.repository", /the repository of the image, or a build/]],
    ] as const) {
        it(`is refused ${what}, before any resource is registered`, async () => {
            const { error, registered } = await renderInvalid({ ...stackValues("dev"), image });
            assert.deepEqual(registered, []);
            const found = error.problems.find((p) => p.path === problem[0]);
            assert.ok(found, `no problem at ${problem[0]}: ${error.message}`);
            assert.match(found.allowed, problem[1]);
        });
    }

    it("is refused by the component too when it carries neither digest nor an explicit tag", async () => {
        assert.throws(() => pinnedReference({ repository: "ghcr.io/acme/app" }), /a digest or an explicit tag other than "latest"/);
        assert.throws(() => pinnedReference({ repository: "ghcr.io/acme/app", tag: "latest" }), /other than "latest"/);
        await assert.rejects(
            evaluate("dev", settingsOf({}), async () => {
                new Image("app", { reference: { repository: "ghcr.io/acme/app" } });
            }),
            /a digest or an explicit tag/,
        );
    });
});

describe("image config", () => {
    const problemsOf = async (image: Record<string, unknown>, target?: Record<string, unknown>) => {
        const values = { ...stackValues("dev"), image, ...(target ? { target } : {}) };
        const { error, registered } = await renderInvalid(values, image.registry ? { image } : {});
        assert.deepEqual(registered, []);
        return error.problems.map((p) => `${p.path}: ${p.allowed}`).join("\n");
    };

    it("refuses a build with nowhere to push on a target without a registry", async () => {
        assert.match(await problemsOf({ build: {} }), /image\.registry: .*a registry to push the build to.*target kind "existing" brings none/);
    });

    it("refuses a digest beside a build, which the push decides", async () => {
        assert.match(
            await problemsOf({ repository: "registry.example.com/team/app", digest: `sha256:${"a".repeat(64)}`, build: {}, registry }),
            /image\.digest: .*pinned by the digest its push returns/,
        );
    });

    it("refuses a repository outside the registry it pushes to", async () => {
        assert.match(
            await problemsOf({ repository: "ghcr.io/acme/app", build: {}, registry }),
            /image\.repository: .*under the registry's server "registry\.example\.com\/"/,
        );
    });

    it("refuses a registry password in plain text", async () => {
        const values = { ...stackValues("dev"), image: { repository: "registry.example.com/team/app", build: {}, registry } };
        const { error } = await renderInvalid(values);
        assert.ok(
            error.problems.some((p) => p.path === "image.registry.password" && /a secret/.test(p.allowed)),
            error.message,
        );
    });

    it("refuses a platform that is not OS/architecture", async () => {
        assert.match(
            await problemsOf({ repository: "registry.example.com/team/app", build: { platforms: ["amd64"] }, registry }),
            /image\.build\.platforms\[0\]: .*linux\/amd64/,
        );
    });
});

describe("pulling from a registry of the config", () => {
    it("gives every pod of the app image an image pull secret, secret whole, and none to the stores' official images", async () => {
        const { values, secrets } = buildingValues();
        const rendered = await render("dev", values, secrets);
        const secret = rendered.find("Secret", "appstack-registry") as any;
        assert.equal(secret.type, "kubernetes.io/dockerconfigjson");
        assert.deepEqual(secret.stringData, { ".dockerconfigjson": "[secret]" });
        assert.ok(!JSON.stringify(rendered.resources).includes(password));
        for (const { object, podSpec } of podTemplates(rendered.manifests)) {
            const runsApp = podSpec.containers.some((c: any) => c.image.startsWith("registry.example.com/team/app@"));
            assert.deepEqual(podSpec.imagePullSecrets, runsApp ? [{ name: "appstack-registry" }] : undefined, `${object.kind}/${object.metadata.name}`);
        }
    });

    /** The building dev stack with more registry settings, both where the file has them and where the engine hands the secret whole. */
    const withRegistry = (extra: Record<string, unknown>) => {
        const { values, secrets } = buildingValues();
        (values.image as any).registry = { ...(values.image as any).registry, ...extra };
        (secrets.image as any).registry = { ...(secrets.image as any).registry, ...extra };
        return { values, secrets };
    };

    it("pulls with read-only credentials when given, and with none when the nodes pull", async () => {
        const observed: { type: string; inputs: any }[] = [];
        const { values, secrets } = withRegistry({ pullUsername: "ci-reader", pullPassword: "reader-token" });
        await evaluate(
            "dev",
            settingsOf(values, secrets),
            async () => {
                await (require(path.join(projectRoot, "bin", "index.js")) as () => Promise<unknown>)();
            },
            [],
            (resource) => observed.push(resource),
        );
        const secret = observed.find((r) => r.type === "kubernetes:core/v1:Secret" && r.inputs.metadata.name === "appstack-registry")!;
        const auth = JSON.parse(secret.inputs.stringData[".dockerconfigjson"]).auths["registry.example.com"];
        assert.deepEqual([auth.username, auth.password], ["ci-reader", "reader-token"]);

        const nodes = withRegistry({ pullBy: "nodes" });
        const byNodes = await render("dev", nodes.values, nodes.secrets);
        assert.equal(
            byNodes.manifests.find((m) => m.metadata.name === "appstack-registry"),
            undefined,
        );
        assert.ok(podTemplates(byNodes.manifests).every(({ podSpec }) => podSpec.imagePullSecrets === undefined));
    });

    it("refuses a pull user without its password", async () => {
        const { values, secrets } = withRegistry({ pullUsername: "ci-reader" });
        const { error } = await renderInvalid(values, secrets);
        assert.deepEqual(
            error.problems.map((p) => p.path),
            ["image.registry.pullPassword"],
        );
    });
});
