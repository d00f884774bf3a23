import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as YAML from "yaml";
import { listExampleStacks, listStacks, projectRoot, readStackConfigValues } from "./offline";

// npm run scan: renders every committed and example stack, runs kubeconform (strict, against the
// official schemas), kube-score and checkov over each render, and fails on any finding that
// scripts/scan-suppressions.yaml does not suppress, and on any suppression that no longer matches.

interface Finding {
    tool: string;
    check: string;
    stack: string;
    environment: string;
    object: string;
    message: string;
}

interface Suppression {
    tool: string;
    check: string;
    reason: string;
    /** Only in stacks of these environments; every stack when absent. */
    environments?: string[];
    /** Only on these objects, as Kind/name; every object when absent. */
    objects?: string[];
    /** Only findings whose message contains this. */
    message?: string;
}

function suppresses(suppression: Suppression, finding: Finding): boolean {
    return (
        suppression.tool === finding.tool &&
        suppression.check === finding.check &&
        (!suppression.environments || suppression.environments.includes(finding.environment)) &&
        (!suppression.objects || suppression.objects.includes(finding.object)) &&
        (!suppression.message || finding.message.includes(suppression.message))
    );
}

/** Runs a scanner that reports findings through its exit code and its JSON on stdout. */
function runJson(command: string, args: string[]): any {
    const result = spawnSync(command, args, { encoding: "utf8", maxBuffer: 256 * 1024 * 1024, env: { ...process.env, LOG_LEVEL: "ERROR" } });
    try {
        return JSON.parse(result.stdout);
    } catch {
        throw new Error(`${path.basename(command)} gave no report (exit ${result.status}):\n${result.stderr || result.stdout}`);
    }
}

type Found = Omit<Finding, "environment">;

/** The stack a rendered file belongs to: renders are written to <out>/<stack>/manifests/. */
function stackOf(out: string, file: string): string {
    return path.relative(out, path.resolve(out, file)).split(path.sep)[0];
}

/** Each stack's objects, one file an object (the render also writes them all in one file, all.yaml). */
function manifestDirs(out: string, stacks: string[]): string[] {
    return stacks.map((stack) => path.join(out, stack, "manifests"));
}

function kubeconform(tools: string, out: string, stacks: string[]): Found[] {
    const report = runJson(path.join(tools, "bin", "kubeconform"), [
        "-strict",
        "-output",
        "json",
        "-schema-location",
        path.join(tools, "schemas", "{{ .ResourceKind }}{{ .KindSuffix }}.json"),
        ...manifestDirs(out, stacks),
    ]);
    return (report.resources ?? [])
        .filter((resource: any) => resource.status !== "statusValid")
        .map((resource: any) => ({
            tool: "kubeconform",
            check: "schema",
            stack: stackOf(out, resource.filename),
            object: `${resource.kind}/${resource.name}`,
            message: resource.msg ?? resource.status,
        }));
}

/** kube-score relates objects to each other (Services, PDBs, HPAs), so it reads one stack at a time. */
function kubeScore(tools: string, out: string, stack: string, kubernetesVersion: string): Found[] {
    const manifests = path.join(out, stack, "manifests");
    const files = fs.readdirSync(manifests).map((file) => path.join(manifests, file));
    const report = runJson(path.join(tools, "bin", "kube-score"), [
        "score",
        "--output-format",
        "json",
        "--kubernetes-version",
        `v${kubernetesVersion}`,
        ...files,
    ]);
    return report.flatMap((scored: any) =>
        scored.checks
            .filter((check: any) => !check.skipped && check.grade < 10)
            .flatMap((check: any) =>
                (check.comments ?? [{}]).map((comment: any) => ({
                    tool: "kube-score",
                    check: check.check.id,
                    stack,
                    object: `${scored.type_meta.kind}/${scored.object_meta.name}`,
                    message: [comment.path, comment.summary].filter(Boolean).join(": "),
                })),
            ),
    );
}

function checkov(tools: string, out: string): Found[] {
    // One run over every stack: checkov answers one JSON document per directory it is given.
    const others = ["--skip-path", "all\\.yaml$", "--skip-path", "\\.json$"];
    const report = runJson(path.join(tools, "venv", "bin", "checkov"), [
        "--directory",
        out,
        ...others,
        "--framework",
        "kubernetes",
        "--output",
        "json",
        "--skip-download",
        "--quiet",
    ]);
    return [report].flat().flatMap((run: any) =>
        (run.results?.failed_checks ?? []).map((failed: any) => {
            // checkov names a resource Kind.namespace.name.
            const [kind, ...rest] = String(failed.resource).split(".");
            return {
                tool: "checkov",
                check: failed.check_id,
                stack: stackOf(out, failed.file_abs_path),
                object: `${kind}/${rest.pop()}`,
                message: failed.check_name,
            };
        }),
    );
}

function main(): number {
    const started = Date.now();
    const seconds: Record<string, number> = {};
    const timed = <T>(what: string, run: () => T): T => {
        const at = Date.now();
        const result = run();
        seconds[what] = (seconds[what] ?? 0) + (Date.now() - at) / 1000;
        return result;
    };
    const tools = timed("tools", () =>
        execFileSync("bash", [path.join(projectRoot, "scripts", "scan-tools.sh")], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim(),
    );
    const kubernetesVersion = /^KUBERNETES_VERSION=v(\d+\.\d+)/m.exec(fs.readFileSync(path.join(projectRoot, "scripts", "local", "versions.env"), "utf8"))![1];
    const suppressions = YAML.parse(fs.readFileSync(path.join(projectRoot, "scripts", "scan-suppressions.yaml"), "utf8")) as Suppression[];
    const stacks = [...listStacks(), ...listExampleStacks()];
    const environments = new Map(stacks.map((stack) => [stack, String(readStackConfigValues(stack)["appstack:environment"])]));
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "appstack-scan-"));
    let found: Found[];
    try {
        for (const stack of stacks) {
            const dir = path.join(out, stack);
            timed("render", () =>
                execFileSync(process.execPath, [path.join(projectRoot, "bin", "scripts", "render.js"), "--stack", stack, "--out", dir], {
                    stdio: ["ignore", "ignore", "inherit"],
                }),
            );
        }
        found = [
            ...timed("kubeconform", () => kubeconform(tools, out, stacks)),
            ...timed("kube-score", () => stacks.flatMap((stack) => kubeScore(tools, out, stack, kubernetesVersion))),
            ...timed("checkov", () => checkov(tools, out)),
        ];
    } finally {
        fs.rmSync(out, { recursive: true, force: true });
    }
    const findings: Finding[] = found.map((finding) => ({ ...finding, environment: environments.get(finding.stack) ?? "unknown" }));

    const open = findings.filter((finding) => !suppressions.some((suppression) => suppresses(suppression, finding)));
    const stale = suppressions.filter((suppression) => !findings.some((finding) => suppresses(suppression, finding)));
    const times = Object.entries(seconds).map(([what, s]) => `${what} ${s.toFixed(1)} s`);
    console.log(
        `Scanned ${stacks.length} stacks: ${findings.length} findings, ${findings.length - open.length} suppressed, ${open.length} open (${((Date.now() - started) / 1000).toFixed(1)} s: ${times.join(", ")})`,
    );
    for (const finding of open) {
        console.log(`  ${finding.tool} ${finding.check} in ${finding.stack}: ${finding.object}: ${finding.message}`);
    }
    for (const suppression of stale) {
        console.log(
            `  the suppression of ${suppression.tool} ${suppression.check} (${suppression.reason.slice(0, 60)}...) matches no finding: remove it from scripts/scan-suppressions.yaml`,
        );
    }
    return open.length + stale.length === 0 ? 0 : 1;
}

process.exit(main());
