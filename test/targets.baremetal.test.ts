import { strict as assert } from "node:assert";
import * as YAML from "yaml";
import { evaluateProgram } from "../scripts/offline";
import { assertTargetProviders, clone, inputs, one, ofType, render, renderCommitted, renderInvalid, settingsOf, stackValues, type Rendered } from "./support";

// The bare-metal target under mocks, through its example stack (three servers, two agents): the
// order of the commands on the hosts, the k3s configuration they install, and the secrets.

const stack = "baremetal";
const command = "command:remote:Command";
// What the harness decrypts the example's secure values to, as the engine would hand them over.
const sshKey = "[secure appstack:target.ssh.privateKey]";
const token = "[secure appstack:target.token]";
const encrypted = { secure: "v1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==" };

function commandNamed(rendered: Rendered, name: string) {
    const found = ofType(rendered, command).find((resource) => resource.name === `appstack-${name}`);
    assert.ok(found, `a command appstack-${name}`);
    return found;
}

/** The example stack with a join token set, and what each command was registered with in the clear. */
async function renderRevealed(change: (target: any) => void = () => undefined) {
    const values = clone(stackValues(stack)) as any;
    values.target.token = encrypted;
    change(values.target);
    const revealed = new Map<string, any>();
    await evaluateProgram(stack, settingsOf(values), [], (resource) => {
        if (resource.type === command) {
            revealed.set(resource.name.replace(/^appstack-/, ""), resource.inputs);
        }
    });
    return { rendered: await render(stack, values), revealed };
}

/** The config.yaml an install command writes on its host. */
function k3sConfig(create: string): any {
    const match = /^K3S_CONFIG='([^']*)'$/m.exec(create) ?? /K3S_CONFIG='([\s\S]*?)'\nexport K3S_CONFIG/.exec(create);
    assert.ok(match, "the install is given its config.yaml");
    return YAML.parse(match[1]);
}

describe("the baremetal example stack", () => {
    let rendered: Rendered;
    let revealed: Map<string, any>;
    before(async () => {
        ({ rendered, revealed } = await renderRevealed());
    });

    it("initialises on the first server, joins the other servers one at a time, then the agents, each after the one before is Ready", () => {
        const order = ["server-a", "server-b", "server-c", "agent-a", "agent-b"];
        order.forEach((node, index) => {
            const install = commandNamed(rendered, `${node}-k3s`);
            const ready = commandNamed(rendered, `${node}-ready`);
            assert.deepEqual(
                install.dependencies.filter((urn) => urn.includes("command:remote")),
                index === 0 ? [] : [commandNamed(rendered, `${order[index - 1]}-ready`).urn],
                node,
            );
            assert.ok(ready.dependencies.includes(install.urn), `${node} is waited for after its install`);
        });
        const first = k3sConfig(revealed.get("server-a-k3s").create);
        assert.equal(first["cluster-init"], true, "embedded etcd");
        assert.equal(first.server, undefined);
        for (const node of ["server-b", "server-c", "agent-a", "agent-b"]) {
            assert.equal(k3sConfig(revealed.get(`${node}-k3s`).create).server, "https://10.0.0.11:6443", node);
        }
        assert.match(revealed.get("server-b-k3s").create, /K3S_ROLE='server'/);
        assert.match(revealed.get("agent-a-k3s").create, /K3S_ROLE='agent'/);
    });

    it("upgrades by running the same install as an update, and waits on the first server for each node to run the new release", () => {
        for (const node of ["server-a", "agent-b"]) {
            const install = revealed.get(`${node}-k3s`);
            assert.equal(install.update, install.create, "a change of release updates in place, in the order above");
            assert.match(install.create, /K3S_VERSION='v1\.33\.5\+k3s1'/);
            const ready = revealed.get(`${node}-ready`);
            assert.deepEqual(ready.triggers, ["v1.33.5+k3s1"], "waited for again on each release");
            assert.equal(ready.connection.host, "10.0.0.11");
            assert.match(ready.create, new RegExp(`NODE='${node}'`));
        }
    });

    it("drains a removed node on the first server before it uninstalls k3s from it, and uninstalls everywhere on destroy", () => {
        for (const node of ["server-b", "agent-a"]) {
            const drain = commandNamed(rendered, `${node}-drain`);
            assert.ok(drain.dependencies.includes(commandNamed(rendered, `${node}-ready`).urn), "deleted before the node's install");
            assert.equal(inputs(drain).create, undefined);
            assert.match(inputs(drain).delete, /kubectl drain "\$NODE"/);
            assert.match(inputs(commandNamed(rendered, `${node}-k3s`)).delete, /Removes k3s from this machine/);
        }
        assert.equal(
            ofType(rendered, command).filter((resource) => resource.name === "appstack-server-a-drain").length,
            0,
            "the first server anchors the cluster",
        );
        assert.deepEqual(
            ofType(rendered, command)
                .filter((resource) => resource.protect)
                .map((resource) => resource.name.replace(/^appstack-/, "")),
            ["server-a-k3s", "server-b-k3s", "server-c-k3s", "agent-a-k3s", "agent-b-k3s"],
            "prod keeps etcd and the volumes",
        );
        const provider = one(rendered, "pulumi:providers:kubernetes");
        assert.ok(provider.dependencies.includes(commandNamed(rendered, "agent-b-ready").urn), "objects applied once every node serves");
        assert.ok(provider.dependencies.includes(commandNamed(rendered, "agent-a-drain").urn), "objects deleted before any drain");
    });

    it("hardens every server: secrets encrypted, kubelet read-only port off, audit log with rotation, Pod Security defaults, its SANs", () => {
        const config = k3sConfig(revealed.get("server-c-k3s").create);
        assert.equal(config["secrets-encryption"], true);
        assert.deepEqual(config["kubelet-arg"], ["read-only-port=0"]);
        assert.equal(config["write-kubeconfig-mode"], "0600");
        const apiserver: string[] = config["kube-apiserver-arg"];
        for (const flag of [
            "audit-log-path=",
            "audit-policy-file=",
            "audit-log-maxage=",
            "audit-log-maxbackup=",
            "audit-log-maxsize=",
            "admission-control-config-file=",
        ]) {
            assert.ok(
                apiserver.some((arg) => arg.startsWith(flag)),
                flag,
            );
        }
        assert.deepEqual(config["tls-san"], ["10.0.0.10", "k8s.example.com"]);
        assert.deepEqual(config["node-label"], ["topology.kubernetes.io/zone=rack-c"]);
        assert.equal(config["cluster-cidr"], "10.42.0.0/16");
        assert.equal(config.disable, undefined, "the stack's Ingress is served by k3s's Traefik");
        assert.deepEqual(k3sConfig(revealed.get("agent-a-k3s").create)["kubelet-arg"], ["read-only-port=0"]);
        assert.equal(k3sConfig(revealed.get("agent-a-k3s").create)["secrets-encryption"], undefined, "server flags stay off agents");
    });

    it("keeps the token, the SSH key and the kubeconfig secret everywhere, and reaches each host on its own port", () => {
        const everything = JSON.stringify({ resources: rendered.resources, manifests: rendered.manifests, outputs: rendered.outputs });
        for (const secret of ["[secure", Buffer.from("offline client key").toString("base64")]) {
            assert.ok(!everything.includes(secret), `${secret.slice(0, 20)} is not in the render`);
        }
        assert.equal(inputs(commandNamed(rendered, "server-a-k3s")).create, "[secret]");
        assert.equal(inputs(one(rendered, "pulumi:providers:kubernetes")).kubeconfig, "[secret]");
        assert.equal(k3sConfig(revealed.get("agent-b-k3s").create).token, token);
        assert.equal(revealed.get("agent-b-k3s").connection.port, 2222);
        assert.equal(revealed.get("agent-a-k3s").connection.user, "appstack");
        assert.equal(revealed.get("agent-a-k3s").connection.privateKey, sshKey);
        assert.equal(revealed.get("kubeconfig").logging, "none");
        assert.equal(revealed.get("kubeconfig").addPreviousOutputInEnv, false, "the kubeconfig is not handed to the next run's environment");
        assert.deepEqual(revealed.get("kubeconfig").triggers, ["10.0.0.10", "v1.33.5+k3s1"], "read again after an upgrade, which may renew its certificate");
    });

    it("hands the kubeconfig, its server the API address, to the one provider of every Kubernetes object", () => {
        assertTargetProviders(rendered, "pulumi:providers:kubernetes");
        assert.equal(inputs(one(rendered, "pulumi:providers:kubernetes")).clusterIdentifier, "baremetal-appstack");
    });

    it("pushes the build to the registry of the config, and the cluster pulls from it with its credentials", async () => {
        const committed = await renderCommitted(stack);
        assert.match(inputs(one(committed, "docker-build:index:Image")).tags[0], /^registry\.example\.com\/acme\/appstack-app:/);
        const api = committed.find("Deployment", "appstack-api") as any;
        assert.match(api.spec.template.spec.containers[0].image, /^registry\.example\.com\/acme\/appstack-app@sha256:/);
        const pullSecret = api.spec.template.spec.imagePullSecrets[0].name;
        assert.equal((committed.find("Secret", pullSecret) as any).type, "kubernetes.io/dockerconfigjson");
    });

    it("profiles k3s's local-path StorageClass and its Traefik as the ingress controller", async () => {
        const committed = await renderCommitted(stack);
        const claims = committed.manifests
            .filter((manifest: any) => manifest.kind === "StatefulSet")
            .flatMap((set: any) => set.spec.volumeClaimTemplates ?? []);
        assert.ok(claims.length > 0);
        assert.ok(claims.every((claim: any) => claim.spec.storageClassName === "local-path"));
        assert.equal((committed.find("Ingress", "appstack") as any).spec.ingressClassName, "traefik");
        const sources = (committed.find("NetworkPolicy", "appstack-api") as any).spec.ingress.flatMap((rule: any) =>
            rule.from.map((peer: any) => peer.namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"]),
        );
        assert.ok(sources.includes("kube-system"));
    });
});

describe("the baremetal target", () => {
    it("disables k3s's Traefik and service load balancer where the stack brings its own", async () => {
        const values = clone(stackValues(stack)) as any;
        values.ingress.className = "nginx";
        values.ingress.controllerNamespace = "ingress-nginx";
        values.target.serviceLoadBalancer = "none";
        const revealedInstalls: string[] = [];
        await evaluateProgram(
            stack,
            settingsOf(values),
            [],
            (resource) => resource.name === "appstack-server-a-k3s" && revealedInstalls.push(resource.inputs.create),
        );
        assert.deepEqual(k3sConfig(revealedInstalls[0]).disable, ["traefik", "servicelb"]);
    });

    it("generates the join token as a secret when the stack sets none, and runs one server without etcd", async () => {
        const { rendered, revealed } = await renderRevealed((target) => {
            target.servers = target.servers.slice(0, 1);
            target.agents = [];
        });
        assert.equal(
            ofType(rendered, "random:index/randomPassword:RandomPassword").filter((resource) => resource.name === "appstack-k3s-token").length,
            0,
            "the stack's token is used",
        );
        assert.equal(k3sConfig(revealed.get("server-a-k3s").create)["cluster-init"], undefined);
        const values = clone(stackValues(stack)) as any;
        values.target.ssh = { agent: true };
        values.environment = "dev";
        values.image.digest = undefined;
        const generated = await render(stack, values);
        assert.ok(
            ofType(generated, command).every((resource) => !resource.protect),
            "dev protects nothing",
        );
        assert.equal(ofType(generated, "random:index/randomPassword:RandomPassword").filter((resource) => resource.name === "appstack-k3s-token").length, 1);
        assert.equal(inputs(commandNamed(generated, "server-a-k3s")).connection.privateKey, undefined, "the SSH agent's keys");
    });

    it("refuses a channel, an even number of servers, a node named or addressed twice, overlapping ranges, a missing key and Traefik outside kube-system, all at once", async () => {
        const values = clone(stackValues(stack)) as any;
        values.target.k3sVersion = "stable";
        values.target.servers.push({ name: "server-d", address: "10.0.0.21" });
        values.target.agents[1].name = "server-a";
        values.target.serviceCidr = "10.42.128.0/17";
        values.target.clusterCidr = "10.42.0.0/16";
        values.target.agents[0].taints = ["dedicated"];
        values.ingress.controllerNamespace = "traefik";
        values.target.tlsSans = ["10.0.0.300"];
        delete values.target.ssh.privateKey;
        const { error, registered } = await renderInvalid(values);
        assert.deepEqual(error.problems.map((problem) => problem.path).sort(), [
            "ingress.controllerNamespace",
            "target.agents[0].address",
            "target.agents[0].taints[0]",
            "target.agents[1].name",
            "target.k3sVersion",
            "target.servers",
            "target.serviceCidr",
            "target.ssh.privateKey",
            "target.tlsSans[0]",
        ]);
        assert.match(error.problems.find((problem) => problem.path === "target.k3sVersion")!.allowed, /pinned k3s release/);
        assert.ok(
            registered.every((resource) => resource.type === "pulumi:pulumi:Stack"),
            "nothing registered",
        );
    });
});
