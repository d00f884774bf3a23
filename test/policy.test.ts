import { strict as assert } from "node:assert";
import { deletionProtected, encryptedAtRest, noPublicData, privateNodes, type CloudResource } from "../policy/cloud";
import type { KubernetesObject } from "../policy/objects";
import { restrictedPodSecurity, restrictedViolations } from "../policy/podSecurity";
import {
    autoscalersAreBounded,
    autoscalersHaveTargets,
    containersAreBounded,
    imagesArePinned,
    namespacesDenyByDefault,
    recommendedLabels,
    replicasSpread,
    replicatedWorkloadsHaveBudgets,
    selectorsMatchPods,
    servicesReachPods,
    servicesStayInternal,
} from "../policy/wiring";
import { listExampleStacks, listStacks, type RegisteredResource } from "../scripts/offline";
import { policyResources, runPack, stackPolicyConfig } from "./policyPack";
import { renderCommitted } from "./support";

// Each rule must catch what it is for: a compliant object passes, a broken one is named.

const labels = { "app.kubernetes.io/name": "shop", "app.kubernetes.io/component": "api" };
/** The recommended labels on top of the selector's. */
const objectLabels = { ...labels, "app.kubernetes.io/part-of": "shop", "app.kubernetes.io/managed-by": "pulumi" };

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
        metadata: { name: "shop-api", namespace: "shop", labels: objectLabels },
        spec: { replicas, selector: { matchLabels: selector }, template: { metadata: { labels: objectLabels }, spec: podSpec } },
    };
}

const service = (targetPort: string | number, selector = labels): KubernetesObject => ({
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "shop-api", namespace: "shop" },
    spec: { selector, ports: [{ name: "http", port: 80, targetPort }] },
});

const budget: KubernetesObject = {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: { name: "shop-api", namespace: "shop" },
    spec: { maxUnavailable: 1, selector: { matchLabels: labels } },
};

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
                assert.ok(
                    problems.some((p) => expected.test(p)),
                    `expected ${expected} in ${JSON.stringify(problems)}`,
                );
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

    it("finds unbounded containers, in init containers too", () => {
        assert.deepEqual(containersAreBounded([deployment()]), []);
        const unbounded = compliantPod();
        delete unbounded.containers[0].resources.limits;
        assert.match(containersAreBounded([deployment(unbounded)])[0], /memory limit/);
        const init = compliantPod();
        init.initContainers = [{ ...compliantPod().containers[0], name: "wait", resources: {} }];
        assert.match(containersAreBounded([deployment(init)]).join("\n"), /container wait has no CPU and memory requests/);
    });

    describe("image pinning", () => {
        const withImage = (image: string) => {
            const pod = compliantPod();
            pod.containers[0].image = image;
            return imagesArePinned([deployment(pod)]);
        };
        for (const image of [
            "ghcr.io/acme/shop:1.2.3",
            "localhost:5000/shop:3f9c2a1",
            `ghcr.io/acme/shop@sha256:${"a".repeat(64)}`,
            `ghcr.io/acme/shop:1.2.3@sha256:${"b".repeat(64)}`,
        ]) {
            it(`accepts ${image}`, () => assert.deepEqual(withImage(image), []));
        }
        for (const image of ["ghcr.io/acme/shop:latest", "ghcr.io/acme/shop", "localhost:5000/shop", "shop@sha256:short", ""]) {
            it(`rejects "${image}"`, () => assert.match(withImage(image)[0] ?? "", /not pinned/));
        }
        it("looks into init containers and every kind of pod spec", () => {
            const pod = compliantPod();
            pod.initContainers = [{ ...pod.containers[0], name: "wait", image: "busybox" }];
            const cronJob: KubernetesObject = {
                apiVersion: "batch/v1",
                kind: "CronJob",
                metadata: { name: "sync", namespace: "shop" },
                spec: { jobTemplate: { spec: { template: { spec: pod } } } },
            };
            const job: KubernetesObject = {
                apiVersion: "batch/v1",
                kind: "Job",
                metadata: { name: "migrate", namespace: "shop" },
                spec: { template: { spec: pod } },
            };
            const statefulSet: KubernetesObject = { ...deployment(pod), kind: "StatefulSet" };
            for (const object of [cronJob, job, statefulSet]) {
                assert.deepEqual(imagesArePinned([object]), [
                    `${object.kind} shop/${object.metadata.name}: container wait runs image "busybox", which is not pinned by tag or digest`,
                ]);
                assert.ok(restrictedPodSecurity([object]).length === 0);
            }
        });
    });

    it("finds autoscalers with inverted bounds or no metric target", () => {
        const hpa = (spec: any): KubernetesObject => ({
            apiVersion: "autoscaling/v2",
            kind: "HorizontalPodAutoscaler",
            metadata: { name: "shop-api", namespace: "shop" },
            spec,
        });
        const cpu = { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } };
        assert.deepEqual(autoscalersAreBounded([hpa({ minReplicas: 2, maxReplicas: 4, metrics: [cpu] })]), []);
        assert.deepEqual(autoscalersAreBounded([hpa({ minReplicas: 4, maxReplicas: 4, metrics: [cpu] })]), []);
        assert.match(autoscalersAreBounded([hpa({ minReplicas: 5, maxReplicas: 4, metrics: [cpu] })]).join(), /minReplicas 5 is above maxReplicas 4/);
        assert.match(autoscalersAreBounded([hpa({ minReplicas: 1, maxReplicas: 4 })]).join(), /no metric/);
        assert.match(
            autoscalersAreBounded([hpa({ minReplicas: 1, maxReplicas: 4, metrics: [{ type: "Resource", resource: { name: "cpu" } }] })]).join(),
            /no metric/,
        );
        const pods = { type: "Pods", pods: { metric: { name: "queue_depth" }, target: { type: "AverageValue", averageValue: "10" } } };
        assert.deepEqual(autoscalersAreBounded([hpa({ maxReplicas: 4, metrics: [pods] })]), []);
    });

    describe("default deny", () => {
        const deny = (spec: any, namespace = "shop"): KubernetesObject => ({
            apiVersion: "networking.k8s.io/v1",
            kind: "NetworkPolicy",
            metadata: { name: "default-deny", namespace },
            spec,
        });
        const denyAll = { podSelector: {}, policyTypes: ["Ingress", "Egress"] };
        it("passes a namespace with a default-deny policy", () => assert.deepEqual(namespacesDenyByDefault([deployment(), deny(denyAll)]), []));
        it("finds a namespace without one", () =>
            assert.deepEqual(namespacesDenyByDefault([deployment(), deny(denyAll, "other")]), [
                "namespace shop runs pods but has no default-deny NetworkPolicy",
            ]));
        it("does not take a policy that selects some pods, allows something or leaves a direction open", () => {
            for (const spec of [
                { ...denyAll, podSelector: { matchLabels: labels } },
                { ...denyAll, egress: [{}] },
                { ...denyAll, policyTypes: ["Ingress"] },
            ]) {
                assert.equal(namespacesDenyByDefault([deployment(), deny(spec)]).length, 1, JSON.stringify(spec));
            }
        });
        it("asks nothing of a namespace without pods", () => assert.deepEqual(namespacesDenyByDefault([service("http")]), []));
    });

    it("finds LoadBalancer and NodePort Services outside the ingress path", () => {
        const typed = (type: string, namespace = "shop"): KubernetesObject => ({
            ...service("http"),
            metadata: { name: "shop-api", namespace },
            spec: { type, selector: labels, ports: [{ port: 80 }] },
        });
        assert.deepEqual(servicesStayInternal([service("http"), typed("ClusterIP")], ["ingress-nginx"]), []);
        assert.deepEqual(servicesStayInternal([typed("LoadBalancer", "ingress-nginx")], ["ingress-nginx"]), []);
        assert.match(servicesStayInternal([typed("LoadBalancer")], ["ingress-nginx"])[0], /LoadBalancer outside the ingress path/);
        assert.match(servicesStayInternal([typed("NodePort")], ["ingress-nginx"])[0], /NodePort/);
    });

    it("finds objects and pods without the recommended labels", () => {
        const wanted = ["app.kubernetes.io/name", "app.kubernetes.io/component"];
        assert.deepEqual(recommendedLabels([deployment()], wanted), []);
        const unlabelled = { ...deployment(), metadata: { name: "shop-api", namespace: "shop" } };
        assert.deepEqual(recommendedLabels([unlabelled], wanted), [
            "Deployment shop/shop-api: misses the labels app.kubernetes.io/name, app.kubernetes.io/component",
        ]);
        assert.match(
            recommendedLabels([deployment()], [...wanted, "app.kubernetes.io/version"]).join("\n"),
            /its pods miss the labels app.kubernetes.io\/version/,
        );
    });

    it("finds replicated workloads not spread over a topology key", () => {
        const spread = compliantPod();
        spread.topologySpreadConstraints = [
            { maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "DoNotSchedule", labelSelector: { matchLabels: labels } },
        ];
        assert.deepEqual(replicasSpread([deployment(spread)], ["kubernetes.io/hostname"]), []);
        assert.deepEqual(replicasSpread([deployment(compliantPod(), 1)], ["kubernetes.io/hostname"]), [], "one replica needs no spread");
        assert.match(replicasSpread([deployment()], ["kubernetes.io/hostname"])[0], /not spread over kubernetes.io\/hostname/);
        assert.match(
            replicasSpread([deployment(spread)], ["kubernetes.io/hostname", "topology.kubernetes.io/zone"])[0],
            /not spread over topology.kubernetes.io\/zone/,
        );
        const elsewhere = compliantPod();
        elsewhere.topologySpreadConstraints = [{ ...spread.topologySpreadConstraints[0], labelSelector: { matchLabels: { app: "other" } } }];
        assert.equal(replicasSpread([deployment(elsewhere)], ["kubernetes.io/hostname"]).length, 1, "a constraint over other pods spreads nothing");
    });
});

const cloud = (type: string, props: any, extra: Partial<CloudResource> = {}): CloudResource => ({
    type,
    name: "data",
    props,
    protect: false,
    dependencies: [],
    ...extra,
});

describe("cloud policy rules", () => {
    // Each case: a resource type, inputs that pass, and inputs that fail with the expected complaint.
    const cases: [string, (resource: CloudResource) => string[], string, any, any, RegExp][] = [
        ["no public data", noPublicData, "aws:rds/instance:Instance", { publiclyAccessible: false }, { publiclyAccessible: true }, /publiclyAccessible/],
        ["no public data", noPublicData, "aws:rds/clusterInstance:ClusterInstance", {}, { publiclyAccessible: true }, /publiclyAccessible/],
        ["no public data", noPublicData, "aws:elasticache/replicationGroup:ReplicationGroup", { subnetGroupName: "private" }, {}, /default VPC/],
        ["no public data", noPublicData, "aws:elasticache/serverlessCache:ServerlessCache", { subnetIds: ["subnet-1"] }, {}, /default VPC/],
        [
            "no public data",
            noPublicData,
            "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
            { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
            { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true },
            /restrictPublicBuckets/,
        ],
        ["no public data", noPublicData, "aws:s3/bucket:Bucket", {}, { acl: "public-read" }, /public-read/],
        ["no public data", noPublicData, "aws:s3/bucketAcl:BucketAcl", { acl: "private" }, { acl: "public-read-write" }, /public-read-write/],
        [
            "no public data",
            noPublicData,
            "gcp:sql/databaseInstance:DatabaseInstance",
            { settings: { ipConfiguration: { ipv4Enabled: false, privateNetwork: "vpc" } } },
            { settings: {} },
            /ipv4Enabled/,
        ],
        [
            "no public data",
            noPublicData,
            "gcp:sql/databaseInstance:DatabaseInstance",
            { settings: { ipConfiguration: { ipv4Enabled: false } } },
            { settings: { ipConfiguration: { ipv4Enabled: false, authorizedNetworks: [{ value: "0.0.0.0/0" }] } } },
            /authorized networks/,
        ],
        [
            "no public data",
            noPublicData,
            "gcp:storage/bucket:Bucket",
            { publicAccessPrevention: "enforced", uniformBucketLevelAccess: true },
            { publicAccessPrevention: "inherited", uniformBucketLevelAccess: true },
            /publicAccessPrevention/,
        ],
        [
            "no public data",
            noPublicData,
            "gcp:storage/bucket:Bucket",
            { publicAccessPrevention: "enforced", uniformBucketLevelAccess: true },
            { publicAccessPrevention: "enforced" },
            /uniformBucketLevelAccess/,
        ],
        [
            "no public data",
            noPublicData,
            "gcp:storage/bucketIAMMember:BucketIAMMember",
            { role: "roles/storage.objectViewer", member: "serviceAccount:app@p.iam.gserviceaccount.com" },
            { role: "roles/storage.objectViewer", member: "allUsers" },
            /allUsers/,
        ],
        [
            "no public data",
            noPublicData,
            "azure-native:dbforpostgresql:Server",
            { network: { publicNetworkAccess: "Disabled" } },
            { network: { publicNetworkAccess: "Enabled" } },
            /publicNetworkAccess/,
        ],
        [
            "no public data",
            noPublicData,
            "azure-native:dbforpostgresql:Server",
            { network: { delegatedSubnetResourceId: "/subnets/db" } },
            {},
            /publicNetworkAccess/,
        ],
        ["no public data", noPublicData, "azure-native:redis:Redis", { publicNetworkAccess: "Disabled" }, {}, /publicNetworkAccess/],
        [
            "no public data",
            noPublicData,
            "azure-native:storage:StorageAccount",
            { allowBlobPublicAccess: false, publicNetworkAccess: "Disabled" },
            { publicNetworkAccess: "Disabled" },
            /allowBlobPublicAccess/,
        ],
        [
            "no public data",
            noPublicData,
            "azure-native:storage:StorageAccount",
            { allowBlobPublicAccess: false, networkRuleSet: { defaultAction: "Deny" } },
            { allowBlobPublicAccess: false },
            /every network/,
        ],
        ["no public data", noPublicData, "azure-native:storage:BlobContainer", { publicAccess: "None" }, { publicAccess: "Blob" }, /public access/],
        ["encryption at rest", encryptedAtRest, "aws:rds/instance:Instance", { storageEncrypted: true }, {}, /storageEncrypted/],
        ["encryption at rest", encryptedAtRest, "aws:rds/cluster:Cluster", { storageEncrypted: true }, { storageEncrypted: false }, /storageEncrypted/],
        [
            "encryption at rest",
            encryptedAtRest,
            "aws:elasticache/replicationGroup:ReplicationGroup",
            { atRestEncryptionEnabled: true },
            {},
            /atRestEncryptionEnabled/,
        ],
        [
            "encryption at rest",
            encryptedAtRest,
            "aws:eks/cluster:Cluster",
            { encryptionConfig: { provider: { keyArn: "arn:key" }, resources: ["secrets"] } },
            {},
            /encryptionConfig/,
        ],
        [
            "encryption at rest",
            encryptedAtRest,
            "gcp:container/cluster:Cluster",
            { databaseEncryption: { state: "ENCRYPTED", keyName: "projects/p/keys/k" } },
            { databaseEncryption: { state: "DECRYPTED" } },
            /databaseEncryption/,
        ],
        [
            "encryption at rest",
            encryptedAtRest,
            "azure-native:containerservice:ManagedCluster",
            { securityProfile: { azureKeyVaultKms: { enabled: true, keyId: "k" } } },
            {},
            /azureKeyVaultKms/,
        ],
        ["private nodes", privateNodes, "gcp:container/cluster:Cluster", { privateClusterConfig: { enablePrivateNodes: true } }, {}, /enablePrivateNodes/],
        ["private nodes", privateNodes, "gcp:container/nodePool:NodePool", {}, { networkConfig: { enablePrivateNodes: false } }, /enablePrivateNodes/],
        [
            "private nodes",
            privateNodes,
            "azure-native:containerservice:ManagedCluster",
            { agentPoolProfiles: [{ name: "system" }] },
            { agentPoolProfiles: [{ name: "system", enableNodePublicIP: true }] },
            /pool system/,
        ],
        [
            "private nodes",
            privateNodes,
            "azure-native:containerservice:AgentPool",
            { enableNodePublicIP: false },
            { enableNodePublicIP: true },
            /enableNodePublicIP/,
        ],
    ];
    for (const [rule, check, type, passing, failing, expected] of cases) {
        it(`${rule}: ${type}`, () => {
            assert.deepEqual(check(cloud(type, passing)), []);
            assert.match(check(cloud(type, failing)).join("\n"), expected);
        });
    }

    it("private nodes: an EKS node group in a subnet that hands out public addresses", () => {
        const subnet = (mapPublicIpOnLaunch: boolean) =>
            cloud("aws:ec2/subnet:Subnet", { mapPublicIpOnLaunch }, { name: mapPublicIpOnLaunch ? "public-a" : "private-a" });
        assert.deepEqual(privateNodes(cloud("aws:eks/nodeGroup:NodeGroup", {}, { dependencies: [subnet(false)] })), []);
        assert.match(privateNodes(cloud("aws:eks/nodeGroup:NodeGroup", {}, { dependencies: [subnet(false), subnet(true)] }))[0], /public-a/);
        assert.match(
            privateNodes(cloud("aws:eks/cluster:Cluster", { computeConfig: { enabled: true } }, { dependencies: [subnet(true)] }))[0],
            /public-a/,
            "Auto Mode nodes use the cluster's subnets",
        );
        assert.deepEqual(
            privateNodes(cloud("aws:eks/cluster:Cluster", {}, { dependencies: [subnet(true)] })),
            [],
            "without Auto Mode the cluster has no nodes of its own",
        );
    });

    it("deletion protection: the API's flag where it has one, and Pulumi's protect", () => {
        assert.deepEqual(deletionProtected(cloud("aws:rds/instance:Instance", { deletionProtection: true }, { protect: true })), []);
        assert.deepEqual(deletionProtected(cloud("aws:rds/instance:Instance", {}, { protect: true })), ["deletion protection is off (deletionProtection)"]);
        assert.deepEqual(deletionProtected(cloud("aws:rds/instance:Instance", { deletionProtection: true })), [
            "the resource is not protected (the `protect` resource option)",
        ]);
        assert.deepEqual(deletionProtected(cloud("gcp:container/cluster:Cluster", {}, { protect: true })), [], "GKE protects clusters unless told otherwise");
        assert.equal(deletionProtected(cloud("gcp:container/cluster:Cluster", { deletionProtection: false }, { protect: true })).length, 1);
        assert.match(
            deletionProtected(cloud("gcp:sql/databaseInstance:DatabaseInstance", { settings: {} }, { protect: true })).join(),
            /settings.deletionProtectionEnabled/,
        );
        assert.deepEqual(deletionProtected(cloud("azure-native:redis:Redis", {}, { protect: true })), []);
        assert.equal(deletionProtected(cloud("azure-native:storage:StorageAccount", {})).length, 1);
        assert.deepEqual(deletionProtected(cloud("kubernetes:core/v1:ConfigMap", {})), []);
    });
});

const registered = (type: string, name: string, inputs: any, extra: Partial<RegisteredResource> = {}): RegisteredResource => ({
    urn: `urn:pulumi:test::appstack::${type}::${name}`,
    type,
    name,
    parent: "",
    provider: "",
    custom: true,
    protect: false,
    dependencies: [],
    inputs,
    ...extra,
});

describe("the policy pack", () => {
    const namespace: RegisteredResource = registered("kubernetes:networking.k8s.io/v1:NetworkPolicy", "deny", {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: { name: "deny", namespace: "shop", labels: objectLabels },
        spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
    });
    const api = registered("kubernetes:apps/v1:Deployment", "shop-api", deployment(compliantPod(), 1));

    it("names the policy, its level and the resource of each violation", async () => {
        const latest = compliantPod();
        latest.containers[0].image = "shop:latest";
        const bad = registered("kubernetes:apps/v1:Deployment", "shop-api", deployment(latest, 1));
        assert.deepEqual(await runPack(policyResources([namespace, api])), []);
        assert.deepEqual(await runPack(policyResources([namespace, bad])), [
            {
                policy: "images-pinned",
                level: "mandatory",
                message: 'Deployment shop/shop-api: container api runs image "shop:latest", which is not pinned by tag or digest',
                urn: bad.urn,
            },
        ]);
    });

    it("checks the objects of a stack together", async () => {
        const violations = await runPack(policyResources([api]));
        assert.deepEqual(
            violations.map((v) => [v.policy, v.level]),
            [["namespaces-deny-by-default", "mandatory"]],
        );
    });

    it("checks cloud resources with their options and dependencies", async () => {
        const subnet = registered("aws:ec2/subnet:Subnet", "public-a", { mapPublicIpOnLaunch: true });
        const nodes = registered("aws:eks/nodeGroup:NodeGroup", "nodes", { subnetIds: ["public-a-id"] }, { dependencies: [subnet.urn] });
        const database = registered("aws:rds/instance:Instance", "db", { storageEncrypted: true, deletionProtection: true });
        const violations = await runPack(policyResources([subnet, nodes, database]));
        assert.deepEqual(violations, [
            {
                policy: "private-nodes",
                level: "mandatory",
                message: "aws:eks/nodeGroup:NodeGroup nodes: nodes are placed in subnet public-a, which gives public addresses (mapPublicIpOnLaunch)",
                urn: nodes.urn,
            },
        ]);
    });

    it("takes levels and options from a stack's policy config: deletion protection and zone spread in prod", async () => {
        const database = registered("aws:rds/instance:Instance", "db", { storageEncrypted: true });
        const replicated = registered("kubernetes:apps/v1:Deployment", "shop-api", deployment());
        const budget = registered("kubernetes:policy/v1:PodDisruptionBudget", "shop-api", {
            apiVersion: "policy/v1",
            kind: "PodDisruptionBudget",
            metadata: { name: "shop-api", namespace: "shop", labels: objectLabels },
            spec: { maxUnavailable: 1, selector: { matchLabels: labels } },
        });
        const resources = policyResources([namespace, replicated, budget, database]);
        const levels = (violations: { policy: string; level: string }[]) =>
            violations.filter((v) => v.policy !== "recommended-labels").map((v) => `${v.policy}:${v.level}`);
        assert.deepEqual(levels(await runPack(resources)), ["replicas-spread:advisory"]);
        assert.deepEqual(levels(await runPack(resources, stackPolicyConfig("prod"))), [
            "replicas-spread:mandatory",
            "deletion-protection:mandatory",
            "deletion-protection:mandatory",
        ]);
        const violations = await runPack(resources, {
            "replicas-spread": { topologyKeys: ["topology.kubernetes.io/zone"] },
            "deletion-protection": "advisory",
        });
        assert.match(
            violations.find((v) => v.policy === "replicas-spread")!.message,
            /not spread over kubernetes.io\/hostname, topology.kubernetes.io\/zone|not spread over topology.kubernetes.io\/zone/,
        );
        assert.ok(violations.some((v) => v.policy === "deletion-protection" && v.level === "advisory"));
    });

    for (const stack of [...listStacks(), ...listExampleStacks()]) {
        it(`finds no mandatory violation in the ${stack} stack`, async () => {
            const { resources } = await renderCommitted(stack);
            const violations = await runPack(policyResources(resources), stackPolicyConfig(stack));
            assert.ok(resources.length > 10);
            assert.deepEqual(
                violations.filter((v) => v.level === "mandatory"),
                [],
            );
        });
    }
});
