import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { projectRoot } from "../scripts/offline";

// The bare-metal target's host scripts, run on this machine in a temporary root: the releases come
// from a folder standing in for the download location (a k3s that only tells its version), and
// systemctl (and, for the scripts run on the first server, k3s's kubectl) are stubs that record
// what they are asked. What runs on a real host beyond that (k3s itself, systemd, a cluster) is
// not exercised here.

const scripts = path.join(projectRoot, "components/targets/baremetal");
const arch = os.arch() === "arm64" ? { name: "arm64", suffix: "-arm64" } : { name: "amd64", suffix: "" };

interface Host {
    root: string;
    releases: string;
    calls: string;
    /** The stubs first, then the machine's own tools (sh, curl, sha256sum). */
    path: string;
}

function newHost(): Host {
    const top = fs.mkdtempSync(path.join(os.tmpdir(), "appstack-host-"));
    const stubs = path.join(top, "stubs");
    const host = {
        root: path.join(top, "root"),
        releases: path.join(top, "releases"),
        calls: path.join(top, "systemctl.log"),
        path: `${stubs}:${process.env.PATH}`,
    };
    for (const dir of [host.root, stubs, path.join(host.root, "etc/systemd/system"), path.join(host.root, "usr/local/bin"), path.join(host.root, "var/lib")]) {
        fs.mkdirSync(dir, { recursive: true });
    }
    fs.writeFileSync(
        path.join(stubs, "systemctl"),
        `#!/bin/sh\necho "$*" >>"${host.calls}"\n[ "$1" != is-active ] || [ -f "${top}/active" ]\ncase "$1" in start | restart) touch "${top}/active" ;; esac\n`,
        { mode: 0o755 },
    );
    fs.writeFileSync(path.join(stubs, "pkill"), "#!/bin/sh\nexit 1\n", { mode: 0o755 });
    return host;
}

function publish(host: Host, version: string): void {
    const folder = path.join(host.releases, version);
    fs.mkdirSync(folder, { recursive: true });
    const binary = `#!/bin/sh\necho "k3s version ${version} (offline)"\n`;
    fs.writeFileSync(path.join(folder, `k3s${arch.suffix}`), binary);
    fs.writeFileSync(path.join(folder, `k3s-airgap-images-${arch.name}.tar.zst`), `images of ${version}`);
    const sum = createHash("sha256").update(binary).digest("hex");
    fs.writeFileSync(path.join(folder, `sha256sum-${arch.name}.txt`), `${sum}  k3s${arch.suffix}\n0000  k3s-other\n`);
}

function run(host: Host, script: string, env: Record<string, string>) {
    const result = spawnSync("sh", [path.join(scripts, script)], { env: { PATH: host.path, HOME: os.tmpdir(), ROOT: host.root, ...env }, encoding: "utf8" });
    assert.equal(result.status, 0, `${script}: ${result.stderr}`);
    return result;
}

function install(host: Host, version: string, role = "server", config = "token: offline") {
    return run(host, "install.sh", {
        K3S_ROLE: role,
        K3S_VERSION: version,
        K3S_DOWNLOAD_URL: `file://${host.releases}`,
        K3S_CONFIG: config,
        K3S_AIRGAP_IMAGES: "true",
    });
}

/** Every file and folder under the root, with its contents and modification time. */
function tree(root: string): Record<string, string> {
    const entries: Record<string, string> = {};
    for (const entry of fs.readdirSync(root, { recursive: true, withFileTypes: true })) {
        const file = path.join(entry.parentPath, entry.name);
        const stat = fs.statSync(file);
        entries[path.relative(root, file)] = entry.isDirectory()
            ? "dir"
            : `${stat.mtimeMs} ${(stat.mode & 0o777).toString(8)} ${fs.readFileSync(file, "utf8")}`;
    }
    return entries;
}

function calls(host: Host): string[] {
    return fs.existsSync(host.calls) ? fs.readFileSync(host.calls, "utf8").trim().split("\n") : [];
}

describe("the bare-metal host scripts", () => {
    it("install a server from the download location, checked against its checksum, and start it", () => {
        const host = newHost();
        publish(host, "v1.33.5+k3s1");
        install(host, "v1.33.5+k3s1");
        const files = tree(host.root);
        assert.match(files["usr/local/bin/k3s"], /^\S+ 755 #!\/bin\/sh/);
        assert.match(files["etc/rancher/k3s/config.yaml"], /^\S+ 600 token: offline\n$/);
        assert.match(files["etc/systemd/system/k3s.service"], /Type=notify\n[\s\S]*ExecStart=\/usr\/local\/bin\/k3s server\n/);
        assert.ok(files["var/lib/rancher/k3s/server/audit-policy.yaml"] && files["etc/rancher/k3s/pod-security.yaml"]);
        assert.ok(files[`var/lib/rancher/k3s/agent/images/k3s-airgap-images-${arch.name}-v1.33.5-k3s1.tar.zst`]);
        assert.deepEqual(calls(host), ["daemon-reload", "enable k3s.service", "restart k3s.service"]);
    });

    it("change nothing on a second run with the same input, and only restart a stopped service", () => {
        const host = newHost();
        publish(host, "v1.33.5+k3s1");
        install(host, "v1.33.5+k3s1", "agent");
        const before = tree(host.root);
        fs.rmSync(host.releases, { recursive: true });
        install(host, "v1.33.5+k3s1", "agent");
        assert.deepEqual(tree(host.root), before, "nothing written, nothing downloaded");
        assert.match(before["etc/systemd/system/k3s-agent.service"], /Type=exec\nExecStartPre=[\s\S]*ExecStart=\/usr\/local\/bin\/k3s agent\n/);
        assert.deepEqual(calls(host), ["daemon-reload", "enable k3s-agent.service", "restart k3s-agent.service", "is-active --quiet k3s-agent.service"]);
    });

    it("upgrade to a new release, and apply a new configuration, by a restart", () => {
        const host = newHost();
        publish(host, "v1.33.5+k3s1");
        publish(host, "v1.34.1+k3s1");
        install(host, "v1.33.5+k3s1");
        install(host, "v1.34.1+k3s1", "server", "token: offline\nnode-label: [a=b]");
        const files = tree(host.root);
        assert.match(files["usr/local/bin/k3s"], /v1\.34\.1\+k3s1/);
        assert.match(files["etc/rancher/k3s/config.yaml"], /node-label/);
        assert.deepEqual(
            Object.keys(files).filter((file) => file.includes("airgap-images")),
            [`var/lib/rancher/k3s/agent/images/k3s-airgap-images-${arch.name}-v1.34.1-k3s1.tar.zst`],
            "the old release's images removed",
        );
        assert.deepEqual(calls(host).slice(3), ["daemon-reload", "enable k3s.service", "restart k3s.service"]);
    });

    it("refuse a binary that does not match its checksum, and leave the host as it was", () => {
        const host = newHost();
        publish(host, "v1.33.5+k3s1");
        fs.appendFileSync(path.join(host.releases, "v1.33.5+k3s1", `k3s${arch.suffix}`), "tampered\n");
        const before = tree(host.root);
        const result = spawnSync("sh", [path.join(scripts, "install.sh")], {
            env: {
                PATH: host.path,
                ROOT: host.root,
                K3S_ROLE: "server",
                K3S_VERSION: "v1.33.5+k3s1",
                K3S_DOWNLOAD_URL: `file://${host.releases}`,
                K3S_CONFIG: "token: offline",
            },
            encoding: "utf8",
        });
        assert.notEqual(result.status, 0);
        assert.match(result.stderr, /does not match its checksum/);
        assert.deepEqual(tree(host.root), before);
    });

    it("uninstall leaves nothing of k3s behind, and does nothing on a host without it", () => {
        const host = newHost();
        const empty = Object.keys(tree(host.root));
        publish(host, "v1.33.5+k3s1");
        install(host, "v1.33.5+k3s1");
        run(host, "uninstall.sh", {});
        assert.deepEqual(Object.keys(tree(host.root)), empty);
        assert.ok(calls(host).includes("disable --now k3s.service"));
        const uninstalled = calls(host).length;
        run(host, "uninstall.sh", {});
        assert.deepEqual(Object.keys(tree(host.root)), empty);
        assert.equal(calls(host).length, uninstalled, "no service touched");
    });

    /** A k3s whose kubectl answers `get node` with `answer` (exit status 1 when null) and records every call. */
    function withKubectl(host: Host, answer: string | null): void {
        const stubs = host.path.split(":")[0];
        const reply = answer === null ? "exit 1" : `printf '%s' '${answer}'`;
        fs.writeFileSync(path.join(stubs, "k3s"), `#!/bin/sh\necho "$*" >>"${host.calls}"\nif [ "$2" = get ]; then ${reply}; fi\n`, { mode: 0o755 });
    }

    it("wait for a node until it is Ready on the release asked for, and fail naming what it runs", () => {
        const host = newHost();
        withKubectl(host, "v1.33.5+k3s1 True");
        run(host, "wait-ready.sh", { NODE: "agent-a", K3S_VERSION: "v1.33.5+k3s1" });
        assert.match(calls(host)[0], /^kubectl get node agent-a -o jsonpath=/);
        withKubectl(host, "v1.33.4+k3s1 True");
        const stale = spawnSync("sh", [path.join(scripts, "wait-ready.sh")], {
            env: { PATH: host.path, NODE: "agent-a", K3S_VERSION: "v1.33.5+k3s1", TIMEOUT: "0" },
            encoding: "utf8",
        });
        assert.equal(stale.status, 1);
        assert.match(stale.stderr, /node agent-a is not Ready on v1\.33\.5\+k3s1 \(kubelet version and Ready: v1\.33\.4\+k3s1 True\)/);
    });

    it("drain a node and delete it from the cluster, and pass over a node the cluster no longer has", () => {
        const host = newHost();
        withKubectl(host, "");
        run(host, "drain.sh", { NODE: "server-b" });
        assert.deepEqual(calls(host), [
            "kubectl get node server-b",
            "kubectl drain server-b --ignore-daemonsets --delete-emptydir-data --timeout=600s",
            "kubectl delete node server-b --wait=true",
        ]);
        const gone = newHost();
        withKubectl(gone, null);
        run(gone, "drain.sh", { NODE: "server-b" });
        assert.deepEqual(calls(gone), ["kubectl get node server-b"]);
    });
});
