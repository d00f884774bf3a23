import { strict as assert } from "node:assert";
import { pinnedReference } from "../components/image";
import { egressTo, ingressFrom } from "../components/network";
import { appLabels, hardenedContainer, hardenedPodSpec, selectorLabels } from "../components/pod";

// The components' pure helpers, one by one.

describe("pinnedReference", () => {
    it("pins by digest when there is one, even beside a tag", () => {
        const digest = `sha256:${"0f".repeat(32)}`;
        assert.equal(pinnedReference({ repository: "ghcr.io/acme/app", tag: "1.2.3", digest }), `ghcr.io/acme/app@${digest}`);
    });

    it("falls back to the tag", () => {
        assert.equal(pinnedReference({ repository: "ghcr.io/acme/app", tag: "1.2.3" }), "ghcr.io/acme/app:1.2.3");
    });
});

describe("ingressFrom and egressTo", () => {
    it("turns each kind of peer into its NetworkPolicy peer, with TCP ports", () => {
        const rules = [
            { peer: { component: "api" }, ports: [8000] },
            { peer: { namespace: "ingress-nginx" }, ports: [80, 443] },
            { peer: { cidr: "10.0.0.0/16" }, ports: [5432] },
        ];
        const expected = [
            {
                peers: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "shop", "app.kubernetes.io/component": "api" } } }],
                ports: [{ protocol: "TCP", port: 8000 }],
            },
            {
                peers: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ingress-nginx" } } }],
                ports: [
                    { protocol: "TCP", port: 80 },
                    { protocol: "TCP", port: 443 },
                ],
            },
            { peers: [{ ipBlock: { cidr: "10.0.0.0/16" } }], ports: [{ protocol: "TCP", port: 5432 }] },
        ];
        assert.deepEqual(
            ingressFrom(rules, "shop"),
            expected.map(({ peers, ports }) => ({ from: peers, ports })),
        );
        assert.deepEqual(
            egressTo(rules, "shop"),
            expected.map(({ peers, ports }) => ({ to: peers, ports })),
        );
    });

    it("makes no rule of no peer", () => {
        assert.deepEqual(ingressFrom([], "shop"), []);
        assert.deepEqual(egressTo([], "shop"), []);
    });
});

describe("labels", () => {
    it("selects on a stable subset of the labels every object carries", () => {
        const labels = appLabels("shop", "api");
        const selector = selectorLabels("shop", "api");
        assert.deepEqual(Object.keys(selector).sort(), ["app.kubernetes.io/component", "app.kubernetes.io/name"]);
        for (const [key, value] of Object.entries(selector)) {
            assert.equal(labels[key], value, key);
        }
        assert.notDeepEqual(selectorLabels("shop", "worker-a"), selector);
    });
});

describe("hardenedContainer and hardenedPodSpec", () => {
    const resources = { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } };

    it("hold a container to Pod Security restricted with a writable /tmp", () => {
        const container = hardenedContainer({ name: "api", image: "app:1", plainEnv: {}, resources });
        assert.deepEqual(container.securityContext, {
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            runAsNonRoot: true,
            capabilities: { drop: ["ALL"] },
            seccompProfile: { type: "RuntimeDefault" },
        });
        const pod = hardenedPodSpec(10001, "api", [container]);
        assert.deepEqual(pod.securityContext, {
            runAsNonRoot: true,
            runAsUser: 10001,
            runAsGroup: 10001,
            fsGroup: 10001,
            seccompProfile: { type: "RuntimeDefault" },
        });
        assert.deepEqual(container.volumeMounts, [{ name: "tmp", mountPath: "/tmp" }]);
        assert.deepEqual(
            (pod.volumes as any[]).map((volume) => volume.name),
            ["tmp"],
        );
        assert.equal(pod.automountServiceAccountToken, false);
    });

    it("read settings whole and each secret by its key, and nothing without settings", () => {
        const env = { configMapName: "shop-settings-1", secrets: { name: "shop-secrets-1", keys: ["A", "B"] } };
        const container = hardenedContainer({ name: "api", image: "app:1", env, plainEnv: { APP_COMPONENT: "api" }, resources });
        assert.deepEqual(container.envFrom, [{ configMapRef: { name: "shop-settings-1" } }]);
        assert.deepEqual(container.env, [
            { name: "APP_COMPONENT", value: "api" },
            { name: "A", valueFrom: { secretKeyRef: { name: "shop-secrets-1", key: "A" } } },
            { name: "B", valueFrom: { secretKeyRef: { name: "shop-secrets-1", key: "B" } } },
        ]);
        const bare = hardenedContainer({ name: "frontend", image: "web:1", plainEnv: {}, resources });
        assert.equal(bare.envFrom, undefined);
        assert.deepEqual(bare.env, []);
    });
});
