import { strict as assert } from "node:assert";
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import * as path from "node:path";
import * as YAML from "yaml";
import { evaluateProgram, listStacks, manifestsOf, projectRoot, type Manifest } from "../../scripts/offline";
import { settingsOf, stackValues } from "../support";

// The rendered objects of every stack, applied to a real Kubernetes API server (the local control
// plane of scripts/local, with simulated nodes): the server must accept each object, its Pod
// Security admission must find nothing to object to, and the workloads must roll out.

const clusterScript = path.join(projectRoot, "scripts", "local", "cluster.sh");
let kubeconfig = "";
let kubectlPath = "";

function run(command: string, args: string[], input?: string): SpawnSyncReturns<string> {
    return spawnSync(command, args, { cwd: projectRoot, encoding: "utf8", input, maxBuffer: 64 * 1024 * 1024 });
}

function kubectl(args: string[], input?: string): SpawnSyncReturns<string> {
    return run(kubectlPath, ["--kubeconfig", kubeconfig, ...args], input);
}

function succeed(result: SpawnSyncReturns<string>, what: string): string {
    assert.equal(result.status, 0, `${what} failed:\n${result.stderr}${result.stdout}`);
    return result.stdout;
}

const toYaml = (objects: Manifest[]) => objects.map((m) => YAML.stringify(m, { version: "1.1" })).join("---\n");

/** The name of the ConfigMap of plain settings, which the provider names. */
function settingsName(manifests: Manifest[]): string {
    return manifests.find((m) => m.kind === "ConfigMap" && m.metadata.labels?.["app.kubernetes.io/component"] === "settings")!.metadata.name!;
}

describe("a real API server", () => {
    before(() => {
        const up = run("bash", [clusterScript, "up"]);
        succeed(up, "cluster.sh up");
        kubeconfig = succeed(run("bash", [clusterScript, "kubeconfig"]), "cluster.sh kubeconfig").trim();
        kubectlPath = path.join(
            succeed(run("bash", [path.join(projectRoot, "scripts", "local", "tools.sh"), "-q", "--print-bin-dir"]), "tools.sh").trim(),
            "kubectl",
        );
        // The Prometheus Operator's CRDs, so that the monitors and rules a stack renders are checked
        // against the operator's own schemas (server-side: the CRDs are too large for client-side apply).
        const crdDir = succeed(run("bash", [path.join(projectRoot, "scripts", "monitoring-crds.sh")]), "monitoring-crds.sh").trim();
        const crds = ["servicemonitors", "podmonitors", "prometheusrules"].map((kind) => path.join(crdDir, `monitoring.coreos.com_${kind}.yaml`));
        succeed(
            kubectl(["apply", "--server-side", "--field-manager=appstack-test", ...crds.flatMap((file) => ["-f", file])]),
            "apply of the Prometheus Operator's CRDs",
        );
        succeed(
            kubectl([
                "wait",
                "--for=condition=Established",
                "--timeout=60s",
                "crd/servicemonitors.monitoring.coreos.com",
                "crd/podmonitors.monitoring.coreos.com",
                "crd/prometheusrules.monitoring.coreos.com",
            ]),
            "CRDs established",
        );
    });

    after(() => {
        run("bash", [clusterScript, "down"]);
    });

    for (const stack of listStacks()) {
        describe(`the ${stack} stack`, () => {
            let manifests: Manifest[];
            let namespace: string;

            before(async () => {
                // With a secret, so that the rendered Secrets (keys kept, values masked) are applied too.
                const evaluation = await evaluateProgram(stack, settingsOf(stackValues(stack), { secrets: { SECRET_KEY: "server-test-value" } }));
                manifests = manifestsOf(evaluation.resources);
                namespace = manifests.find((m) => m.kind === "Namespace")!.metadata.name!;
            });

            after(() => {
                kubectl(["delete", "namespace", namespace, "--wait=true", "--timeout=120s"]);
            });

            it("is accepted whole, with no Pod Security warning", () => {
                const namespaces = manifests.filter((m) => m.kind === "Namespace");
                const rest = manifests.filter((m) => m.kind !== "Namespace");
                succeed(kubectl(["apply", "--server-side", "--field-manager=appstack-test", "-f", "-"], toYaml(namespaces)), "apply namespace");
                const applied = kubectl(["apply", "--server-side", "--field-manager=appstack-test", "-f", "-"], toYaml(rest));
                succeed(applied, "apply");
                assert.doesNotMatch(applied.stderr, /PodSecurity|Warning/i);
                const created = succeed(
                    kubectl([
                        "get",
                        "all,configmap,secret,networkpolicy,pdb,ingress,serviceaccount,resourcequota,limitrange,servicemonitor,podmonitor,prometheusrule",
                        "-n",
                        namespace,
                        "-o",
                        "name",
                    ]),
                    "get",
                );
                for (const manifest of rest) {
                    assert.match(created, new RegExp(`/${manifest.metadata.name}\\n`), `${manifest.kind} ${manifest.metadata.name} is missing`);
                }
            });

            it("rolls out every Deployment and completes the migrations Job", () => {
                succeed(kubectl(["wait", "--for=condition=Available", "deployment", "--all", "-n", namespace, "--timeout=180s"]), "wait for deployments");
                succeed(kubectl(["wait", "--for=condition=Complete", "job", "--all", "-n", namespace, "--timeout=180s"]), "wait for jobs");
                const pods = JSON.parse(succeed(kubectl(["get", "pods", "-n", namespace, "-o", "json"]), "get pods")) as {
                    items: { spec: { nodeName?: string } }[];
                };
                assert.ok(pods.items.length > 0 && pods.items.every((pod) => pod.spec.nodeName), "every pod is scheduled");
            });

            it("refuses to change the data of a settings object: a change must replace it", () => {
                const configMap = manifests.find((m) => m.kind === "ConfigMap" && m.metadata.name === settingsName(manifests))!;
                assert.equal(configMap.immutable, true);
                const changed = { ...configMap, data: { ...(configMap.data as object), ADDED: "1" } };
                const result = kubectl(["apply", "--server-side", "--field-manager=appstack-test", "-f", "-"], YAML.stringify(changed));
                assert.notEqual(result.status, 0);
                assert.match(result.stderr, /immutable/i);
            });

            it("binds every data store's claim and makes its server Ready", function () {
                const statefulSets = manifests.filter((m) => m.kind === "StatefulSet");
                if (statefulSets.length === 0) {
                    this.skip();
                }
                succeed(
                    kubectl(["wait", "--for=jsonpath={.status.readyReplicas}=1", "statefulset", "--all", "-n", namespace, "--timeout=180s"]),
                    "wait for stateful sets",
                );
                const claims = JSON.parse(succeed(kubectl(["get", "pvc", "-n", namespace, "-o", "json"]), "get claims")) as {
                    items: { metadata: { name: string }; status: { phase: string } }[];
                };
                const expected = statefulSets
                    .flatMap((sts: any) => sts.spec.volumeClaimTemplates.map((claim: any) => `${claim.metadata.name}-${sts.metadata.name}-0`))
                    .sort();
                assert.deepEqual(claims.items.map((claim) => claim.metadata.name).sort(), expected);
                for (const claim of claims.items) {
                    assert.equal(claim.status.phase, "Bound", claim.metadata.name);
                }
                const pods = JSON.parse(
                    succeed(
                        kubectl(["get", "pods", "-n", namespace, "-l", "app.kubernetes.io/component in (postgres,redis,objectstore,search)", "-o", "json"]),
                        "get pods",
                    ),
                ) as {
                    items: { status: { conditions?: { type: string; status: string }[] } }[];
                };
                assert.equal(pods.items.length, statefulSets.length);
                assert.ok(pods.items.every((pod) => pod.status.conditions?.some((c) => c.type === "Ready" && c.status === "True")));
            });

            it("takes a render with a changed setting applied onto the old objects: new settings beside the old, every reader pointing at them", async () => {
                const values = stackValues(stack);
                const settings = { ...((values.settings as Record<string, string> | undefined) ?? {}), LOG_LEVEL: "critical" };
                const changed = manifestsOf(
                    (await evaluateProgram(stack, settingsOf({ ...values, settings }, { secrets: { SECRET_KEY: "server-test-value" } }))).resources,
                );
                const [oldName, newName] = [settingsName(manifests), settingsName(changed)];
                assert.notEqual(newName, oldName);
                succeed(
                    kubectl(["apply", "--server-side", "--field-manager=appstack-test", "-f", "-"], toYaml(changed.filter((m) => m.kind !== "Namespace"))),
                    "apply of the changed render",
                );
                const configMaps = succeed(kubectl(["get", "configmap", "-n", namespace, "-o", "name"]), "get configmaps");
                assert.match(configMaps, new RegExp(`^configmap/${oldName}$`, "m"), "the old settings stay until nothing reads them");
                assert.match(configMaps, new RegExp(`^configmap/${newName}$`, "m"));
                const readers = changed.filter((m) => JSON.stringify(m.spec ?? {}).includes(`"name":"${newName}"`));
                assert.ok(readers.length > 0);
                for (const reader of readers) {
                    const live = JSON.parse(
                        succeed(
                            kubectl(["get", reader.kind.toLowerCase(), reader.metadata.name!, "-n", namespace, "-o", "json"]),
                            `get ${reader.metadata.name}`,
                        ),
                    );
                    assert.ok(JSON.stringify(live.spec).includes(`"name":"${newName}"`), `${reader.kind} ${reader.metadata.name} reads the new settings`);
                }
                const migrations = changed.find((m) => m.kind === "ConfigMap" && m.metadata.name === "appstack-migrate");
                if (migrations) {
                    // Of a fixed name, so that the Job keeps its template: updated where it is.
                    assert.equal(
                        succeed(
                            kubectl(["get", "configmap", "appstack-migrate", "-n", namespace, "-o", "jsonpath={.data.LOG_LEVEL}"]),
                            "get the migrations' settings",
                        ),
                        "critical",
                    );
                }
            });

            it("refuses a pod that breaks the restricted profile", () => {
                const rootPod = {
                    apiVersion: "v1",
                    kind: "Pod",
                    metadata: { name: "runs-as-root", namespace },
                    spec: { containers: [{ name: "shell", image: "busybox:1.37", securityContext: { runAsUser: 0 } }] },
                };
                const result = kubectl(["apply", "-f", "-"], JSON.stringify(rootPod));
                assert.notEqual(result.status, 0);
                assert.match(result.stderr, /violates PodSecurity "restricted:latest"/);
            });
        });
    }
});
