import { strict as assert } from "node:assert";
import {
    assertTargetProviders,
    renderWithIngress,
    clone,
    inputs,
    one,
    ofType,
    render,
    renderCommitted,
    renderInvalid,
    stackValues,
    type Rendered,
} from "./support";

// The EKS target under mocks, through the example stacks: what it creates and the settings that
// keep it private, encrypted and recoverable.

for (const stack of ["eks", "eks-prod"]) {
    describe(`the ${stack} example stack`, () => {
        let rendered: Rendered;
        before(async () => {
            rendered = await renderCommitted(stack);
        });

        it("places nodes in private subnets only, which route out through NAT", () => {
            const subnets = new Map(ofType(rendered, "aws:ec2/subnet:Subnet").map((subnet) => [`${subnet.name}-id`, inputs(subnet)]));
            for (const group of ofType(rendered, "aws:eks/nodeGroup:NodeGroup")) {
                for (const id of inputs(group).subnetIds) {
                    assert.match(id, /-private-/);
                    assert.equal(subnets.get(id).mapPublicIpOnLaunch, false);
                }
            }
            assert.deepEqual(
                inputs(one(rendered, "aws:eks/cluster:Cluster")).vpcConfig.subnetIds.filter((id: string) => !id.includes("-private-")),
                [],
            );
            const privateRoutes = ofType(rendered, "aws:ec2/routeTable:RouteTable").filter((table) => table.name.includes("-private-"));
            assert.ok(privateRoutes.length > 0 && privateRoutes.every((table) => inputs(table).routes[0].natGatewayId !== undefined));
        });

        it("encrypts Kubernetes secrets with a rotated KMS key, logs every control-plane stream, authenticates by access entries", () => {
            const cluster = inputs(one(rendered, "aws:eks/cluster:Cluster"));
            const key = one(rendered, "aws:kms/key:Key");
            assert.deepEqual(cluster.encryptionConfig.resources, ["secrets"]);
            assert.match(cluster.encryptionConfig.provider.keyArn, new RegExp(key.name));
            assert.equal(inputs(key).enableKeyRotation, true);
            assert.deepEqual(cluster.enabledClusterLogTypes, ["api", "audit", "authenticator", "controllerManager", "scheduler"]);
            assert.equal(cluster.accessConfig.authenticationMode, "API");
            const admins = (stackValues(stack).target as any).admins as string[];
            assert.deepEqual(
                ofType(rendered, "aws:eks/accessEntry:AccessEntry").map((entry) => inputs(entry).principalArn),
                admins,
            );
            assert.ok(
                ofType(rendered, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation").every((a) =>
                    inputs(a).policyArn.endsWith("/AmazonEKSClusterAdminPolicy"),
                ),
            );
        });

        it("requires IMDSv2 with one hop and encrypted root volumes on every node", () => {
            for (const template of ofType(rendered, "aws:ec2/launchTemplate:LaunchTemplate")) {
                assert.deepEqual(inputs(template).metadataOptions, { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 });
                assert.equal(inputs(template).blockDeviceMappings[0].ebs.encrypted, "true");
            }
        });

        it("pushes to an ECR repository that scans, never overwrites a tag, and expires old images", () => {
            const repository = inputs(one(rendered, "aws:ecr/repository:Repository"));
            assert.equal(repository.imageTagMutability, "IMMUTABLE");
            assert.equal(repository.imageScanningConfiguration.scanOnPush, true);
            assert.equal(repository.encryptionConfigurations[0].encryptionType, "KMS");
            const rules = JSON.parse(inputs(one(rendered, "aws:ecr/lifecyclePolicy:LifecyclePolicy")).policy).rules;
            assert.deepEqual(
                rules.map((rule: any) => rule.selection.tagStatus),
                ["untagged", "any"],
            );
            const image = inputs(one(rendered, "docker-build:index:Image"));
            assert.match(image.tags[0], /\.dkr\.ecr\.eu-west-1\.amazonaws\.com\//);
            // The push credentials come from the registry's token, secret whole.
            assert.deepEqual(image.registries, [{ address: "[secret]", username: "[secret]", password: "[secret]" }]);
        });

        it("registers every Kubernetes object with the cluster's provider and no resource with a default provider", () => {
            assertTargetProviders(rendered, "pulumi:providers:aws");
            assert.equal(inputs(one(rendered, "pulumi:providers:aws")).region, (stackValues(stack).target as any).region);
        });

        it("makes the encrypted gp3 class the default for volumes", () => {
            const storageClass = rendered.find("StorageClass", "gp3") as any;
            assert.equal(storageClass.metadata.annotations["storageclass.kubernetes.io/is-default-class"], "true");
            assert.deepEqual(storageClass.parameters, { type: "gp3", encrypted: "true" });
            for (const set of rendered.manifests.filter((m) => m.kind === "StatefulSet") as any[]) {
                assert.equal(set.spec.volumeClaimTemplates[0].spec.storageClassName, "gp3");
            }
        });
    });
}

describe("the eks target in prod and in dev", () => {
    it("keys each admin's access entry by the principal: removing one leaves the others' alone", async () => {
        const values = clone(stackValues("eks")) as any;
        const [first, second] = ["arn:aws:iam::123456789012:role/platform-admins", "arn:aws:iam::123456789012:user/ops"];
        values.target.admins = [first, second];
        const both = await render("eks", values);
        values.target.admins = [second];
        const one = await render("eks", values);
        const entries = (rendered: Rendered) => ofType(rendered, "aws:eks/accessEntry:AccessEntry").map((entry) => entry.urn);
        assert.deepEqual(
            entries(one),
            entries(both).filter((urn) => urn.endsWith("::appstack-admin-123456789012-user-ops")),
        );
        // The entries once keyed by their place in the list are found under their new names.
        assert.deepEqual(
            ofType(both, "aws:eks/accessEntry:AccessEntry").map((entry) => entry.aliases?.map((alias) => alias.split("::").pop())),
            [["appstack-admin-0"], ["appstack-admin-1"]],
        );
    });

    it("serves the Ingress through the AWS Load Balancer Controller, the api admitting the VPC's range", async () => {
        const rendered = await renderWithIngress("eks", { mode: "none" });
        const ingress = rendered.find("Ingress", "appstack") as any;
        assert.equal(ingress.spec.ingressClassName, "alb");
        assert.equal(ingress.metadata.annotations["alb.ingress.kubernetes.io/target-type"], "ip");
        assert.equal(ingress.metadata.annotations["alb.ingress.kubernetes.io/ssl-redirect"], undefined, "TLS annotations only with TLS");
        const api = rendered.find("NetworkPolicy", "appstack-api") as any;
        assert.ok(api.spec.ingress.some((rule: any) => rule.from.some((peer: any) => peer.ipBlock?.cidr === "10.20.0.0/16")));
    });

    it("keeps the API server private, one NAT per zone, and the cluster, key and registry protected in prod only", async () => {
        const prod = await renderCommitted("eks-prod");
        const dev = await renderCommitted("eks");
        const prodCluster = one(prod, "aws:eks/cluster:Cluster");
        assert.equal(inputs(prodCluster).vpcConfig.endpointPublicAccess, false);
        assert.equal(inputs(prodCluster).vpcConfig.endpointPrivateAccess, true);
        assert.equal(inputs(prodCluster).deletionProtection, true);
        assert.equal(ofType(prod, "aws:ec2/natGateway:NatGateway").length, 3);
        assert.equal(ofType(dev, "aws:ec2/natGateway:NatGateway").length, 1);
        for (const type of ["aws:eks/cluster:Cluster", "aws:kms/key:Key", "aws:ecr/repository:Repository"]) {
            assert.equal(one(prod, type).protect, true, type);
            assert.equal(one(dev, type).protect, false, type);
        }
        assert.deepEqual(inputs(one(dev, "aws:eks/cluster:Cluster")).vpcConfig.publicAccessCidrs, ["203.0.113.0/24"]);
    });

    it("gives each workload that uses the S3 bucket its own Pod Identity role with the bucket's policy, and no keys", async () => {
        const prod = await renderCommitted("eks-prod");
        const associations = ofType(prod, "aws:eks/podIdentityAssociation:PodIdentityAssociation").map(inputs);
        assert.deepEqual(associations.map((a) => a.serviceAccount).sort(), ["appstack-api", "appstack-worker-extraction"]);
        assert.ok(associations.every((a) => a.namespace === "appstack"));
        const roles = ofType(prod, "aws:iam/role:Role").filter((role) => role.name.endsWith("-identity"));
        assert.equal(roles.length, 2);
        assert.ok(roles.every((role) => JSON.parse(inputs(role).assumeRolePolicy).Statement[0].Principal.Service === "pods.eks.amazonaws.com"));
        const policies = ofType(prod, "aws:iam/rolePolicy:RolePolicy").map((policy) => JSON.parse(inputs(policy).policy));
        assert.ok(policies.every((policy) => policy.Statement.some((s: any) => s.Action.includes("s3:GetObject"))));
        assert.ok(!prod.manifests.some((m: any) => m.kind === "Secret" && m.metadata.name.includes("objectstore")), "no S3 keys");
        // The managed stores are created with the cluster's AWS provider, in its VPC.
        const aws = one(prod, "pulumi:providers:aws");
        assert.ok(prod.resources.filter((r) => r.type.startsWith("aws:rds/")).every((r) => r.provider.startsWith(`${aws.urn}::`)));
    });

    it("with Auto Mode runs no node groups or add-ons and lets EKS provision the volumes", async () => {
        const values = clone(stackValues("eks")) as any;
        values.target = { ...values.target, autoMode: true, nodeGroups: undefined };
        delete values.target.nodeGroups;
        const rendered = await render("eks", values);
        const cluster = inputs(one(rendered, "aws:eks/cluster:Cluster"));
        assert.equal(cluster.computeConfig.enabled, true);
        assert.equal(cluster.storageConfig.blockStorage.enabled, true);
        assert.equal(cluster.kubernetesNetworkConfig.elasticLoadBalancing.enabled, true);
        assert.equal(cluster.bootstrapSelfManagedAddons, false);
        assert.deepEqual(ofType(rendered, "aws:eks/nodeGroup:NodeGroup"), []);
        assert.deepEqual(ofType(rendered, "aws:eks/addon:Addon"), []);
        assert.equal((rendered.find("StorageClass", "gp3") as any).provisioner, "ebs.csi.eks.amazonaws.com");
    });

    it("refuses node groups out of order, zones of another region, a choice of both Auto Mode and node groups, and a prod API server open to all", async () => {
        const values = clone(stackValues("eks-prod")) as any;
        values.target.zones = ["eu-west-1a", "us-east-1b"];
        values.target.autoMode = true;
        values.target.nodeGroups[0] = { ...values.target.nodeGroups[0], minSize: 5, maxSize: 4, desiredSize: 9 };
        values.target.publicEndpoint = { cidrs: ["0.0.0.0/0"] };
        const { error, registered } = await renderInvalid(values);
        assert.deepEqual(error.problems.map((p) => p.path).sort(), [
            "target.nodeGroups",
            "target.nodeGroups[0].desiredSize",
            "target.nodeGroups[0].minSize",
            "target.publicEndpoint.cidrs[0]",
            "target.zones[1]",
        ]);
        assert.ok(
            registered.every((r) => r.type === "pulumi:pulumi:Stack"),
            "nothing registered",
        );
    });
});
