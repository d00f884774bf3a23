import { strict as assert } from "node:assert";
import type { KubernetesObject } from "../policy";
import { restrictedViolations } from "../policy/podSecurity";
import { autoscalersHaveTargets, containersArePinnedAndBounded, replicatedWorkloadsHaveBudgets, selectorsMatchPods, servicesReachPods } from "../policy/wiring";

// Each rule must catch what it is for: a compliant object passes, a broken one is named.

const labels = { "app.kubernetes.io/name": "shop", "app.kubernetes.io/component": "api" };

function compliantPod(): any {
    return {
        securityContext: { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, seccompProfile: { type: "RuntimeDefault" } },
        containers: [
            {
                name: "api",
                image: "ghcr.io/acme/shop:1.2.3",
                ports: [{ name: "http", containerPort: 8000 }],
                resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } },
                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
            },
        ],
        volumes: [{ name: "tmp", emptyDir: {} }],
    };
}

function deployment(podSpec = compliantPod(), replicas = 2, selector: Record<string, string> = labels): KubernetesObject {
    return {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "shop-api", namespace: "shop" },
        spec: { replicas, selector: { matchLabels: selector }, template: { metadata: { labels }, spec: podSpec } },
    };
}

const service = (targetPort: string | number, selector = labels): KubernetesObject => ({
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "shop-api", namespace: "shop" },
    spec: { selector, ports: [{ name: "http", port: 80, targetPort }] },
});

const budget: KubernetesObject = { apiVersion: "policy/v1", kind: "PodDisruptionBudget", metadata: { name: "shop-api", namespace: "shop" }, spec: { maxUnavailable: 1, selector: { matchLabels: labels } } };

describe("policy rules", () => {
    describe("restricted Pod Security", () => {
        it("passes a compliant pod", () => {
            assert.deepEqual(restrictedViolations(compliantPod()), []);
        });

        const breaks: [string, (pod: any) => void, RegExp][] = [
            ["privileged", (pod) => (pod.containers[0].securityContext.privileged = true), /privileged/],
            ["privilege escalation", (pod) => delete pod.containers[0].securityContext.allowPrivilegeEscalation, /allowPrivilegeEscalation/],
            ["root", (pod) => (pod.securityContext.runAsUser = 0), /UID 0/],
            ["a low UID", (pod) => (pod.securityContext.runAsUser = 1000), /at least 10000/],
            ["no runAsNonRoot", (pod) => delete pod.securityContext.runAsNonRoot, /runAsNonRoot/],
            ["no seccomp", (pod) => delete pod.securityContext.seccompProfile, /seccomp/],
            ["capabilities kept", (pod) => (pod.containers[0].securityContext.capabilities = {}), /drop ALL/],
            ["an added capability", (pod) => (pod.containers[0].securityContext.capabilities.add = ["SYS_ADMIN"]), /SYS_ADMIN/],
            ["a writable root", (pod) => (pod.containers[0].securityContext.readOnlyRootFilesystem = false), /writable root/],
            ["a hostPath volume", (pod) => pod.volumes.push({ name: "host", hostPath: { path: "/" } }), /hostPath/],
            ["the host network", (pod) => (pod.hostNetwork = true), /host namespace/],
            ["a host port", (pod) => (pod.containers[0].ports[0].hostPort = 80), /host port/],
        ];
        for (const [what, breakIt, expected] of breaks) {
            it(`rejects ${what}`, () => {
                const pod = compliantPod();
                breakIt(pod);
                const problems = restrictedViolations(pod);
                assert.ok(problems.some((p) => expected.test(p)), `expected ${expected} in ${JSON.stringify(problems)}`);
            });
        }
    });

    it("finds a selector that misses its pods", () => {
        assert.deepEqual(selectorsMatchPods([deployment()]), []);
        assert.equal(selectorsMatchPods([deployment(compliantPod(), 2, { ...labels, "app.kubernetes.io/component": "web" })]).length, 1);
        assert.equal(selectorsMatchPods([deployment(compliantPod(), 2, {})]).length, 1, "an empty selector selects nothing");
    });

    it("finds a Service without pods or without the target port", () => {
        assert.deepEqual(servicesReachPods([deployment(), service("http")]), []);
        assert.deepEqual(servicesReachPods([deployment(), service(8000)]), []);
        assert.match(servicesReachPods([deployment(), service("metrics")])[0], /does not expose/);
        assert.match(servicesReachPods([deployment(), service("http", { ...labels, "app.kubernetes.io/component": "web" })])[0], /selects no pod/);
    });

    it("finds an autoscaler without a target", () => {
        const hpa = (name: string): KubernetesObject => ({
            apiVersion: "autoscaling/v2",
            kind: "HorizontalPodAutoscaler",
            metadata: { name, namespace: "shop" },
            spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name }, minReplicas: 1, maxReplicas: 4 },
        });
        assert.deepEqual(autoscalersHaveTargets([deployment(), hpa("shop-api")]), []);
        assert.equal(autoscalersHaveTargets([deployment(), hpa("shop-web")]).length, 1);
    });

    it("finds a replicated workload without a disruption budget", () => {
        assert.deepEqual(replicatedWorkloadsHaveBudgets([deployment(), budget]), []);
        assert.deepEqual(replicatedWorkloadsHaveBudgets([deployment(compliantPod(), 1)]), []);
        assert.equal(replicatedWorkloadsHaveBudgets([deployment()]).length, 1);
        const emptyBudget = { ...budget, spec: { maxUnavailable: 1, selector: {} } };
        assert.equal(replicatedWorkloadsHaveBudgets([deployment(), emptyBudget]).length, 1, "a budget with an empty selector covers nothing");
    });

    it("finds unbounded containers and unpinned images", () => {
        assert.deepEqual(containersArePinnedAndBounded([deployment()]), []);
        const latest = compliantPod();
        latest.containers[0].image = "ghcr.io/acme/shop:latest";
        assert.match(containersArePinnedAndBounded([deployment(latest)])[0], /not pinned/);
        const untagged = compliantPod();
        untagged.containers[0].image = "localhost:5000/shop";
        assert.match(containersArePinnedAndBounded([deployment(untagged)])[0], /not pinned/);
        const unbounded = compliantPod();
        delete unbounded.containers[0].resources.limits;
        assert.match(containersArePinnedAndBounded([deployment(unbounded)])[0], /memory limit/);
    });
});
