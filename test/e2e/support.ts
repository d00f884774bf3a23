import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import type { Stack } from "@pulumi/pulumi/automation";
import { ensureGeneratedSecrets, projectName, stateDir } from "../../scripts/engine";
import { projectRoot } from "../../scripts/offline";
import { generatedSecretPaths } from "../../scripts/secrets";

// What the engine tests share: their stack (the local stack's config in a namespace of its own)
// and kubectl on the local control plane.

const scripts = path.join(projectRoot, "scripts", "local");

/** The e2e stack: a copy of Pulumi.local.yaml that the tests edit, beside the engine's state. */
export const e2eStack = {
    name: "e2e",
    namespace: "appstack-e2e",
    file: path.join(stateDir, "e2e", "Pulumi.e2e.yaml"),
    /** The stack file as the local stack has it, in the e2e namespace; the workspace's copy is dropped. */
    reset(): void {
        const document = YAML.parse(fs.readFileSync(path.join(projectRoot, "Pulumi.local.yaml"), "utf8")) as { config: Record<string, unknown> };
        document.config["appstack:namespace"] = this.namespace;
        fs.mkdirSync(path.dirname(this.file), { recursive: true });
        fs.writeFileSync(this.file, YAML.stringify(document));
        fs.rmSync(path.join(stateDir, "engine", `Pulumi.${this.name}.yaml`), { force: true });
    },
    generateSecrets(stack: Stack): Promise<string[]> {
        return ensureGeneratedSecrets(stack, generatedSecretPaths(this.file));
    },
    /** Every secret value of the stack's config, decrypted. */
    async secretValues(stack: Stack): Promise<string[]> {
        const config = await stack.getAllConfig();
        const leaves = (value: unknown): string[] =>
            value && typeof value === "object" ? Object.values(value).flatMap(leaves) : typeof value === "string" && value.length >= 8 ? [value] : [];
        return Object.entries(config)
            .filter(([key, value]) => key.startsWith(`${projectName}:`) && value.secret)
            .flatMap(([, value]) => {
                try {
                    return leaves(JSON.parse(value.value));
                } catch {
                    return [value.value];
                }
            })
            .filter((value) => !/^\[|^\{/.test(value));
    },
};

interface Item {
    kind: string;
    metadata: { name: string; namespace?: string; generation: number };
    spec: { replicas?: number };
    status: { replicas?: number; availableReplicas?: number; readyReplicas?: number; unavailableReplicas?: number; succeeded?: number };
}

export type Kubectl = ReturnType<typeof localCluster>;

/** Starts the local control plane and returns kubectl on it, in the e2e namespace. */
export function localCluster() {
    const sh = (args: string[]) => {
        const result = spawnSync("bash", args, { cwd: projectRoot, encoding: "utf8" });
        assert.equal(result.status, 0, `${args.join(" ")} failed:\n${result.stderr}${result.stdout}`);
        return result.stdout.trim();
    };
    sh([path.join(scripts, "cluster.sh"), "up"]);
    const kubeconfig = sh([path.join(scripts, "cluster.sh"), "kubeconfig"]);
    const kubectlPath = path.join(sh([path.join(scripts, "tools.sh"), "-q", "--print-bin-dir"]), "kubectl");
    const raw = (args: string[]) => spawnSync(kubectlPath, ["--kubeconfig", kubeconfig, ...args], { encoding: "utf8", maxBuffer: 64 << 20 });
    const run = (args: string[]): string => {
        const result = raw(["-n", e2eStack.namespace, ...args]);
        assert.equal(result.status, 0, `kubectl ${args.join(" ")} failed:\n${result.stderr}`);
        return result.stdout;
    };
    const list = (kinds: string): Item[] => (JSON.parse(run(["get", kinds, "-o", "json"])) as { items: Item[] }).items;
    return {
        run,
        workloads: () => list("deployments,statefulsets,jobs"),
        jobNames: () => list("jobs").map((item) => item.metadata.name),
        /**
         * Each Deployment's capacity lost: desired replicas not available. (Its status's
         * unavailableReplicas counts the surge pod of a roll too, which is capacity added, not lost.)
         */
        deploymentsShort: () =>
            list("deployments").map((item) => ({
                name: item.metadata.name,
                short: Math.max(0, (item.spec.replicas ?? 1) - (item.status.availableReplicas ?? 0)),
            })),
        readyReplicas: (deployment: string) => (JSON.parse(run(["get", "deployment", deployment, "-o", "json"])) as Item).status.readyReplicas ?? 0,
        generations: () =>
            list("deployments,statefulsets,jobs,cronjobs,configmaps,secrets,services")
                .map((item) => `${item.kind}/${item.metadata.name}@${item.metadata.generation ?? 0}`)
                .sort(),
        /** Every object of these kinds in the e2e namespace, and the namespace itself. */
        objectsOf: (kinds: string[]) => {
            const namespaced = [...new Set(kinds)].filter((kind) => kind !== "Namespace");
            const items = list(namespaced.join(",")).filter((item) => !isClusterDefault(item));
            const namespace: { kind: string; name: string; namespace?: string }[] = kinds.includes("Namespace")
                ? [{ kind: "Namespace", name: e2eStack.namespace }]
                : [];
            return [...namespace, ...items.map((item) => ({ kind: item.kind, name: item.metadata.name, namespace: item.metadata.namespace }))];
        },
        namespaceExists: (name: string) => raw(["get", "namespace", name]).status === 0,
        /** Objects with these labels in the e2e namespace, or cluster-scoped, anywhere the API lists them. */
        leftovers: (selector: string) => {
            const kinds =
                "all,configmaps,secrets,networkpolicies,ingresses,serviceaccounts,roles,rolebindings,pvc,resourcequotas,limitranges,poddisruptionbudgets";
            const result = raw([
                "get",
                kinds,
                "-A",
                "-l",
                selector,
                "-o",
                'jsonpath={range .items[*]}{.metadata.namespace}/{.kind}/{.metadata.name}{"\\n"}{end}',
            ]);
            return result.stdout.split("\n").filter((line) => line.startsWith(`${e2eStack.namespace}/`) || line.startsWith("/"));
        },
        /** Polls until `done` holds; fails after a minute. */
        async waitFor(done: () => boolean): Promise<void> {
            for (let tries = 0; tries < 300; tries++) {
                if (done()) return;
                await new Promise((resolve) => setTimeout(resolve, 200));
            }
            assert.fail("waited a minute for the engine to start changing the cluster");
        },
    };
}

/** What Kubernetes itself puts in every namespace. */
function isClusterDefault(item: Item): boolean {
    return (item.kind === "ConfigMap" && item.metadata.name === "kube-root-ca.crt") || (item.kind === "ServiceAccount" && item.metadata.name === "default");
}
