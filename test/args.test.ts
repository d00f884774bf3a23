import { strict as assert } from "node:assert";
import { autoscalingArgs, ingressArgs, platformArgs, redisArgs, resourceRequirements, workerProbes, workloadSpec } from "../stacks/schema";
import { nginxIngress, kubeDnsPeers } from "../components/targets/target";
import { presets } from "../stacks/presets";
import { parseValues, stackValues } from "./support";

// The mapping from stack config to component arguments, function by function.

describe("config to component arguments", () => {
    const prod = () => parseValues("prod", stackValues("prod"));

    it("leaves the ingress out unless it is enabled with a host", () => {
        const ingress = { ...prod().ingress, enabled: false };
        assert.equal(ingressArgs(ingress, "shop", nginxIngress("nginx", "ingress-nginx", true)), undefined);
    });

    it("asks cert-manager for a certificate in a Secret named after the app", () => {
        const args = ingressArgs(
            { ...prod().ingress, tls: { mode: "cert-manager", clusterIssuer: "letsencrypt-staging" } },
            "shop",
            nginxIngress("nginx", "ingress-nginx", true),
        )!;
        assert.deepEqual(args.tls, { secretName: "shop-tls" });
        assert.equal(args.annotations!["cert-manager.io/cluster-issuer"], "letsencrypt-staging");
        assert.deepEqual(args.sources, [{ namespace: "ingress-nginx" }]);
    });

    it("gives nginx's redirect annotation to the nginx class only, and takes the controller's sources", () => {
        const tls = { ...prod().ingress, tls: { mode: "secret" as const, secretName: "shop-cert" } };
        assert.equal(
            ingressArgs(tls, "shop", nginxIngress("nginx", "ingress-nginx", true))!.annotations!["nginx.ingress.kubernetes.io/force-ssl-redirect"],
            "true",
        );
        const traefik = ingressArgs(tls, "shop", nginxIngress("traefik", "kube-system", true))!;
        assert.deepEqual(traefik.annotations, {});
        assert.equal(traefik.className, "traefik");
        assert.deepEqual(traefik.sources, [{ namespace: "kube-system" }]);
    });

    it("serves plain HTTP with no redirect when TLS is off", () => {
        const args = ingressArgs({ ...prod().ingress, tls: { mode: "none" } }, "shop", nginxIngress("nginx", "ingress-nginx", false))!;
        assert.equal(args.tls, undefined);
        assert.deepEqual(args.annotations, {});
        assert.equal(args.publishesStatus, false);
    });

    it("takes a cloud load balancer's class, annotations and address ranges from the cluster's ingress controller", () => {
        const albInVpc = {
            className: "alb",
            annotations: { "alb.ingress.kubernetes.io/target-type": "ip" },
            tlsAnnotations: {},
            sources: [{ cidr: "10.0.0.0/16" }],
            publishesStatus: true,
        };
        const args = ingressArgs({ ...prod().ingress, tls: { mode: "cert-manager", clusterIssuer: "letsencrypt" } }, "shop", albInVpc)!;
        assert.equal(args.className, "alb");
        assert.deepEqual(args.annotations, { "alb.ingress.kubernetes.io/target-type": "ip", "cert-manager.io/cluster-issuer": "letsencrypt" });
        assert.deepEqual(args.sources, [{ cidr: "10.0.0.0/16" }]);
    });

    it("gives bundled volumes the target's storage class unless the config names one", () => {
        const config = prod();
        const bundled = { ...config, data: { ...config.data, redis: { ...config.data.redis, mode: "bundled" as const } } };
        const volume = (stack: typeof config) =>
            (redisArgs(stack, { namespace: "shop", storageClass: "gp3" }).server as { volume: { storageClass?: unknown } }).volume;
        assert.equal(volume(bundled).storageClass, "gp3");
        const named = {
            ...bundled,
            data: {
                ...bundled.data,
                redis: { ...bundled.data.redis, bundled: { ...bundled.data.redis.bundled, storage: { size: "1Gi", storageClass: "fast" } } },
            },
        };
        assert.equal(volume(named).storageClass, "fast");
    });

    it("hands the replica count to an autoscaler only when autoscaling is enabled", () => {
        const lifecycle = presets.dev.stack.api;
        assert.equal(workloadSpec(lifecycle, workerProbes(presets.dev.worker.probe, presets.dev.worker.liveness)).autoscaling, undefined);
        const scaled = workloadSpec(
            { ...lifecycle, autoscaling: { ...lifecycle.autoscaling, enabled: true } },
            workerProbes(presets.dev.worker.probe, presets.dev.worker.liveness),
        );
        assert.equal(scaled.autoscaling?.minReplicas, lifecycle.autoscaling.minReplicas);
    });

    it("scales on CPU and memory, by the larger of a share and a pod count", () => {
        const args = autoscalingArgs(presets.prod.stack.api.autoscaling);
        assert.deepEqual(
            args.metrics.map((metric: any) => [metric.resource.name, metric.resource.target.averageUtilization]),
            [
                ["cpu", 70],
                ["memory", 80],
            ],
        );
        assert.equal((args.behavior as any).scaleUp.selectPolicy, "Max");
    });

    it("keeps a worker's liveness off the broker: readiness pings the queue, liveness and startup check the process", () => {
        const ping = { command: ["ping-broker"], periodSeconds: 30, timeoutSeconds: 10, failureThreshold: 3 };
        const alive = { command: ["check-heartbeat"], periodSeconds: 20, timeoutSeconds: 5, failureThreshold: 3 };
        const probes = workerProbes(ping, alive);
        assert.deepEqual(probes.readiness.exec, { command: ["ping-broker"] });
        assert.deepEqual(probes.liveness.exec, { command: ["check-heartbeat"] });
        assert.deepEqual(probes.startup.exec, { command: ["check-heartbeat"] });
        // A worker that has not passed its first check is given ten periods to start.
        assert.equal(probes.startup.failureThreshold, 10);
    });

    it("names ephemeral storage as Kubernetes does, and leaves out what is not set", () => {
        assert.deepEqual(resourceRequirements({ requests: { cpu: "100m", memory: "1Gi", ephemeralStorage: "256Mi" }, limits: { memory: "2Gi" } }), {
            requests: { cpu: "100m", memory: "1Gi", "ephemeral-storage": "256Mi" },
            limits: { memory: "2Gi" },
        });
    });

    it("creates a ResourceQuota only when the stack sets one", () => {
        const config = prod();
        assert.equal(platformArgs({ ...config, quota: undefined }, kubeDnsPeers).quota, undefined);
        assert.deepEqual(platformArgs(config, kubeDnsPeers).quota, {
            hard: { "requests.cpu": "16", "requests.memory": "32Gi", "limits.memory": "64Gi", pods: "100" },
        });
    });
});
