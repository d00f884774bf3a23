import { strict as assert } from "node:assert";
import { assertTargetProviders, renderWithIngress, clone, inputs, one, ofType, renderCommitted, renderInvalid, stackValues, type Rendered } from "./support";

// The GKE target under mocks, through its example stacks (standard node pools in dev, Autopilot
// in prod): private nodes, Workload Identity, encryption, protection.

for (const stack of ["gke", "gke-autopilot"]) {
    describe(`the ${stack} example stack`, () => {
        let rendered: Rendered;
        before(async () => {
            rendered = await renderCommitted(stack);
        });

        it("runs private nodes in a VPC-native network with Cloud NAT, and encrypts secrets with a rotated Cloud KMS key", () => {
            const cluster = inputs(one(rendered, "gcp:container/cluster:Cluster"));
            assert.equal(cluster.privateClusterConfig.enablePrivateNodes, true);
            assert.equal(cluster.networkingMode, "VPC_NATIVE");
            assert.deepEqual(cluster.ipAllocationPolicy, { clusterSecondaryRangeName: "pods", servicesSecondaryRangeName: "services" });
            assert.equal(inputs(one(rendered, "gcp:compute/network:Network")).autoCreateSubnetworks, false);
            assert.equal(inputs(one(rendered, "gcp:compute/subnetwork:Subnetwork")).privateIpGoogleAccess, true);
            assert.equal(ofType(rendered, "gcp:compute/routerNat:RouterNat").length, 1);
            assert.equal(cluster.databaseEncryption.state, "ENCRYPTED");
            assert.equal(cluster.databaseEncryption.keyName, `${one(rendered, "gcp:kms/cryptoKey:CryptoKey").name}-id`);
            assert.equal(inputs(one(rendered, "gcp:kms/cryptoKey:CryptoKey")).rotationPeriod, "7776000s");
            assert.match(
                inputs(one(rendered, "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember")).member,
                /^serviceAccount:service-\d+@container-engine-robot\.iam\.gserviceaccount\.com$/,
            );
            assert.deepEqual(cluster.loggingConfig.enableComponents, ["SYSTEM_COMPONENTS", "WORKLOADS", "APISERVER"]);
        });

        it("runs nodes as a service account of their own with logging and monitoring roles only, reading the registry", () => {
            const grants = ofType(rendered, "gcp:projects/iAMMember:IAMMember")
                .map(inputs)
                .filter((grant) => grant.member.includes("-nodes@"));
            assert.deepEqual(grants.map((grant) => grant.role).sort(), [
                "roles/logging.logWriter",
                "roles/monitoring.metricWriter",
                "roles/monitoring.viewer",
                "roles/stackdriver.resourceMetadata.writer",
            ]);
            assert.equal(inputs(one(rendered, "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember")).role, "roles/artifactregistry.reader");
            for (const pool of ofType(rendered, "gcp:container/nodePool:NodePool")) {
                assert.match(inputs(pool).nodeConfig.serviceAccount, /-nodes@/);
            }
        });

        it("pushes to an Artifact Registry repository with immutable tags and cleanup", () => {
            const repository = inputs(one(rendered, "gcp:artifactregistry/repository:Repository"));
            assert.equal(repository.format, "DOCKER");
            assert.equal(repository.dockerConfig.immutableTags, true);
            assert.deepEqual(
                repository.cleanupPolicies.map((policy: any) => policy.action),
                ["DELETE", "KEEP"],
            );
            assert.match(inputs(one(rendered, "docker-build:index:Image")).tags[0], /^europe-west1-docker\.pkg\.dev\//);
        });

        it("registers every Kubernetes object with the cluster's provider and no resource with a default provider", () => {
            assertTargetProviders(rendered, "pulumi:providers:gcp");
            assert.equal(inputs(one(rendered, "pulumi:providers:gcp")).project, (stackValues(stack).target as any).project);
        });
    });
}

describe("the gke target", () => {
    it("serves the Ingress through GKE's load balancer, the api admitting Google's front ends", async () => {
        const rendered = await renderWithIngress("gke");
        const ingress = rendered.find("Ingress", "appstack") as any;
        assert.equal(ingress.spec.ingressClassName, "gce");
        assert.equal(ingress.metadata.annotations["kubernetes.io/ingress.allow-http"], "false");
        const sources = (rendered.find("NetworkPolicy", "appstack-api") as any).spec.ingress
            .flatMap((rule: any) => rule.from.map((peer: any) => peer.ipBlock?.cidr))
            .filter(Boolean);
        assert.deepEqual(sources.sort(), ["130.211.0.0/22", "35.191.0.0/16"]);
    });

    it("with node pools: Workload Identity, Dataplane V2, shielded autoscaled nodes that hide the node's metadata", async () => {
        const rendered = await renderCommitted("gke");
        const cluster = inputs(one(rendered, "gcp:container/cluster:Cluster"));
        assert.equal(cluster.workloadIdentityConfig.workloadPool, "acme-appstack-dev.svc.id.goog");
        assert.equal(cluster.datapathProvider, "ADVANCED_DATAPATH");
        assert.equal(cluster.enableShieldedNodes, true);
        assert.equal(cluster.removeDefaultNodePool, true);
        assert.equal(cluster.releaseChannel.channel, "REGULAR");
        const pool = inputs(one(rendered, "gcp:container/nodePool:NodePool"));
        assert.deepEqual(pool.autoscaling, { minNodeCount: 1, maxNodeCount: 3 });
        assert.deepEqual(pool.nodeConfig.shieldedInstanceConfig, { enableSecureBoot: true, enableIntegrityMonitoring: true });
        assert.equal(pool.nodeConfig.workloadMetadataConfig.mode, "GKE_METADATA");
        // dev: the control plane's public endpoint is open to the configured ranges only.
        assert.equal(cluster.privateClusterConfig.enablePrivateEndpoint, false);
        assert.deepEqual(
            cluster.masterAuthorizedNetworksConfig.cidrBlocks.map((block: any) => block.cidrBlock),
            ["203.0.113.0/24"],
        );
        assert.equal(cluster.deletionProtection, false);
        assert.equal(one(rendered, "gcp:container/cluster:Cluster").protect, false);
    });

    it("on Autopilot in prod: no node pools, a private endpoint only, deletion protection, everything kept protected", async () => {
        const rendered = await renderCommitted("gke-autopilot");
        const cluster = one(rendered, "gcp:container/cluster:Cluster");
        assert.equal(inputs(cluster).enableAutopilot, true);
        assert.deepEqual(ofType(rendered, "gcp:container/nodePool:NodePool"), []);
        assert.equal(inputs(cluster).privateClusterConfig.enablePrivateEndpoint, true);
        assert.equal(inputs(cluster).deletionProtection, true);
        for (const type of ["gcp:container/cluster:Cluster", "gcp:kms/cryptoKey:CryptoKey", "gcp:artifactregistry/repository:Repository"]) {
            assert.equal(one(rendered, type).protect, true, type);
        }
    });

    it("binds each workload that uses the bucket to a Google service account with the bucket's role, through Workload Identity", async () => {
        const rendered = await renderCommitted("gke-autopilot");
        const bindings = ofType(rendered, "gcp:serviceaccount/iAMMember:IAMMember").map(inputs);
        assert.deepEqual(bindings.map((b) => b.member).sort(), [
            "serviceAccount:acme-appstack-prod.svc.id.goog[appstack/appstack-api]",
            "serviceAccount:acme-appstack-prod.svc.id.goog[appstack/appstack-worker-extraction]",
        ]);
        assert.ok(bindings.every((b) => b.role === "roles/iam.workloadIdentityUser"));
        const bucketGrants = ofType(rendered, "gcp:storage/bucketIAMMember:BucketIAMMember").map(inputs);
        assert.deepEqual(bucketGrants.map((g) => g.member).sort(), [
            "serviceAccount:appstack-api@offline-project.iam.gserviceaccount.com",
            "serviceAccount:appstack-worker-extraction@offline-project.iam.gserviceaccount.com",
        ]);
        assert.equal(
            (rendered.find("ServiceAccount", "appstack-api").metadata.annotations as any)["iam.gke.io/gcp-service-account"],
            "appstack-api@offline-project.iam.gserviceaccount.com",
        );
        assert.equal((rendered.find("ServiceAccount", "appstack-jobs").metadata as any).annotations, undefined);
    });

    it("refuses overlapping ranges, pools out of order, both Autopilot and node pools, and a prod control plane open to all", async () => {
        const values = clone(stackValues("gke-autopilot")) as any;
        values.target.ranges = { nodes: "10.20.0.0/20", pods: "10.20.0.0/14", services: "10.24.0.0/20" };
        values.target.nodePools = [{ name: "general", machineType: "e2-standard-4", minSize: 4, maxSize: 2 }];
        values.target.publicEndpoint = { cidrs: ["0.0.0.0/0"] };
        const { error } = await renderInvalid(values);
        assert.deepEqual(error.problems.map((p) => p.path).sort(), [
            "target.nodePools",
            "target.nodePools[0].minSize",
            "target.publicEndpoint.cidrs[0]",
            "target.ranges.pods",
        ]);
    });
});
