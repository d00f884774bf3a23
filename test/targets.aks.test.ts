import { strict as assert } from "node:assert";
import { assertTargetProviders, renderWithIngress, clone, inputs, one, ofType, renderCommitted, renderInvalid, stackValues, type Rendered } from "./support";

// The AKS target under mocks, through its example stacks: Entra ID only, Workload Identity,
// network policy, encryption, private API server in prod, ACR pulled by the kubelet identity.

for (const stack of ["aks", "aks-prod"]) {
    describe(`the ${stack} example stack`, () => {
        let rendered: Rendered;
        let cluster: any;
        before(async () => {
            rendered = await renderCommitted(stack);
            cluster = inputs(one(rendered, "azure-native:containerservice:ManagedCluster"));
        });

        it("lets people in through Entra ID with Azure RBAC only: local accounts off", () => {
            assert.equal(cluster.disableLocalAccounts, true);
            assert.equal(cluster.aadProfile.managed, true);
            assert.equal(cluster.aadProfile.enableAzureRBAC, true);
            assert.deepEqual(cluster.aadProfile.adminGroupObjectIDs, (stackValues(stack).target as any).adminGroupObjectIds);
        });

        it("issues OIDC tokens for Workload Identity, enforces NetworkPolicy with Cilium, and encrypts secrets with a Key Vault key", () => {
            assert.equal(cluster.oidcIssuerProfile.enabled, true);
            assert.equal(cluster.securityProfile.workloadIdentity.enabled, true);
            assert.equal(cluster.networkProfile.networkPolicy, "cilium");
            assert.equal(cluster.networkProfile.networkPluginMode, "overlay");
            assert.equal(cluster.securityProfile.azureKeyVaultKms.enabled, true);
            assert.match(cluster.securityProfile.azureKeyVaultKms.keyId, /\.vault\.azure\.net\/keys\//);
            const vault = inputs(one(rendered, "azure-native:keyvault:Vault")).properties;
            assert.equal(vault.enablePurgeProtection, true);
            assert.equal(vault.enableRbacAuthorization, true);
        });

        it("autoscales every pool, gives no node a public address, and keeps the system pool for the cluster when the app has pools", () => {
            const pools = cluster.agentPoolProfiles as any[];
            assert.ok(pools.every((pool) => pool.enableAutoScaling === true && pool.enableNodePublicIP === false && pool.minCount <= pool.maxCount));
            assert.equal(pools.filter((pool) => pool.mode === "System").length, 1);
            const hasUserPools = pools.some((pool) => pool.mode === "User");
            assert.equal(pools.find((pool) => pool.mode === "System").nodeTaints !== undefined, hasUserPools);
        });

        it("lets the kubelet identity pull from the registry, whose admin user stays off", () => {
            const registry = one(rendered, "azure-native:containerregistry:Registry");
            assert.equal(inputs(registry).adminUserEnabled, false);
            const grants = ofType(rendered, "azure-native:authorization:RoleAssignment").map(inputs);
            const pull = grants.find((g) => g.roleDefinitionId.endsWith("/7f951dda-4ed3-4680-a7ca-43fe172d538d"));
            assert.equal(pull.scope, `${registry.name}-id`);
            assert.ok(
                grants.some((g) => g.roleDefinitionId.endsWith("/8311e382-0749-4cb8-b61a-304f252e45ec")),
                "AcrPush for the pushers",
            );
        });

        it("registers every Kubernetes object with the cluster's provider and no resource with a default provider", () => {
            assertTargetProviders(rendered, "pulumi:providers:azure-native");
        });
    });
}

describe("the aks target", () => {
    it("serves the Ingress through the application routing add-on, the api admitting its namespace", async () => {
        const rendered = await renderWithIngress("aks");
        const ingress = rendered.find("Ingress", "appstack") as any;
        assert.equal(ingress.spec.ingressClassName, "webapprouting.kubernetes.azure.com");
        assert.equal(ingress.metadata.annotations["nginx.ingress.kubernetes.io/force-ssl-redirect"], "true");
        const peers = (rendered.find("NetworkPolicy", "appstack-api") as any).spec.ingress.flatMap((rule: any) => rule.from);
        assert.ok(peers.some((peer: any) => peer.namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"] === "app-routing-system"));
    });

    it("in prod: a private API server, the paid tier, and the cluster, vault, key and registry protected; in dev the office's ranges only", async () => {
        const prod = await renderCommitted("aks-prod");
        const dev = await renderCommitted("aks");
        const prodCluster = one(prod, "azure-native:containerservice:ManagedCluster");
        assert.deepEqual(inputs(prodCluster).apiServerAccessProfile, { enablePrivateCluster: true });
        assert.equal(inputs(prodCluster).sku.tier, "Standard");
        for (const type of [
            "azure-native:containerservice:ManagedCluster",
            "azure-native:keyvault:Vault",
            "azure-native:keyvault:Key",
            "azure-native:containerregistry:Registry",
        ]) {
            assert.equal(one(prod, type).protect, true, type);
            assert.equal(one(dev, type).protect, false, type);
        }
        assert.deepEqual(inputs(one(dev, "azure-native:containerservice:ManagedCluster")).apiServerAccessProfile, { authorizedIPRanges: ["203.0.113.0/24"] });
    });

    it("federates each workload that uses the Blob container with an identity of its own, named on its ServiceAccount and asked for by its pods", async () => {
        const prod = await renderCommitted("aks-prod");
        const credentials = ofType(prod, "azure-native:managedidentity:FederatedIdentityCredential").map(inputs);
        assert.deepEqual(credentials.map((c) => c.subject).sort(), [
            "system:serviceaccount:appstack:appstack-api",
            "system:serviceaccount:appstack:appstack-worker-extraction",
        ]);
        assert.ok(credentials.every((c) => c.audiences[0] === "api://AzureADTokenExchange" && c.issuer.startsWith("https://")));
        for (const name of ["appstack-api", "appstack-worker-extraction"]) {
            assert.match((prod.find("ServiceAccount", name).metadata.annotations as any)["azure.workload.identity/client-id"], /^[0-9a-f-]{36}$/);
            const deployment = prod.find("Deployment", name) as any;
            assert.equal(deployment.spec.template.metadata.labels["azure.workload.identity/use"], "true");
            assert.equal(deployment.spec.selector.matchLabels["azure.workload.identity/use"], undefined);
        }
        const blobGrants = ofType(prod, "azure-native:authorization:RoleAssignment")
            .map(inputs)
            .filter((g) => g.roleDefinitionId.endsWith("/ba92f5b4-2d11-453d-a403-e96b0029c9fe"));
        assert.equal(blobGrants.length, 2);
        assert.ok(blobGrants.every((g) => g.roleDefinitionId.startsWith("/subscriptions/")));
    });

    it("refuses a node subnet outside the VNet, pods inside it, pools out of order, and a prod API server open to all", async () => {
        const values = clone(stackValues("aks-prod")) as any;
        values.target.ranges = { vnet: "10.40.0.0/16", nodes: "10.41.0.0/20", pods: "10.40.128.0/17", services: "172.16.0.0/16" };
        values.target.userPools[0] = { ...values.target.userPools[0], minSize: 9, maxSize: 3 };
        values.target.publicEndpoint = { cidrs: ["0.0.0.0/0"] };
        const { error } = await renderInvalid(values);
        assert.deepEqual(error.problems.map((p) => p.path).sort(), [
            "target.publicEndpoint.cidrs[0]",
            "target.ranges.nodes",
            "target.ranges.pods",
            "target.userPools[0].minSize",
        ]);
    });

    it("asks for a registry of the config to push a build to, since ACR issues no credential without its admin user", async () => {
        const values = clone(stackValues("aks")) as any;
        values.image = { build: {} };
        const { error } = await renderInvalid(values);
        assert.deepEqual(
            error.problems.map((p) => p.path),
            ["image.registry"],
        );
    });
});
