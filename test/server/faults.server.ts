import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { projectRoot } from "../../scripts/offline";

// The local control plane when a start cannot succeed: a port another process holds, a component
// that exits. Each must end in an error that names the cause, before anything is started or at
// the moment the component exits (not after kwokctl's minutes of waiting), with none of the
// cluster's processes left running, and the next start must work.

const clusterScript = path.join(projectRoot, "scripts", "local", "cluster.sh");
// Apart from the control plane of the other server tests.
const portBase = Number(process.env.APPSTACK_LOCAL_PORT_BASE ?? 27400) + 100;
const components = ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok-controller"];

function listening(server: net.Server, port: number): Promise<void> {
    return new Promise((resolve, reject) => server.once("error", reject).listen(port, "127.0.0.1", resolve));
}

describe("the local control plane, when a start fails", () => {
    let state = "";
    const cluster = (...args: string[]) =>
        spawnSync("bash", [clusterScript, ...args], {
            cwd: projectRoot,
            encoding: "utf8",
            env: { ...process.env, APPSTACK_LOCAL_STATE: state, APPSTACK_LOCAL_PORT_BASE: String(portBase) },
        });
    /** Every process whose command line names the state directory. */
    const processes = () => spawnSync("pgrep", ["-af", "--", state], { encoding: "utf8" }).stdout.trim();
    const clusterDir = () => path.join(state, "kwok", "clusters", "appstack-local");
    const servers: net.Server[] = [];
    const sockets: net.Socket[] = [];

    before(() => {
        assert.equal(spawnSync("ss", ["-V"]).status, 0, "ss (iproute2) is not installed: cluster.sh checks the ports with it");
    });
    beforeEach(() => {
        state = fs.mkdtempSync(path.join(os.tmpdir(), "appstack-local-"));
    });
    afterEach(() => {
        sockets.splice(0).forEach((socket) => socket.destroy());
        servers.splice(0).forEach((server) => server.close());
        cluster("down", "--purge");
        fs.rmSync(state, { recursive: true, force: true });
    });

    it("stops before starting anything when a port it needs is listened on, naming the port and its holder", async () => {
        const port = portBase + 43;
        servers.push(net.createServer());
        await listening(servers[0], port);
        const up = cluster("up");
        assert.equal(up.status, 1);
        assert.match(up.stderr, new RegExp(`port ${port} \\(kube-apiserver\\) is in use by PID ${process.pid} \\([^)]+\\); nothing was started`));
        assert.match(up.stderr, /choose another base with APPSTACK_LOCAL_PORT_BASE=N/);
        assert.doesNotMatch(up.stderr, /creating the control plane/);
        assert.equal(processes(), "");
        assert.ok(!fs.existsSync(path.join(state, "kwok")), "no cluster was created");
    });

    it("stops as well when the port is the local end of another program's connection", async () => {
        // How a busy machine takes a port in its ephemeral range: an outbound connection's own end.
        const port = portBase + 79;
        servers.push(net.createServer());
        await listening(servers[0], 0);
        const client = net.connect({ host: "127.0.0.1", port: (servers[0].address() as net.AddressInfo).port, localAddress: "127.0.0.1", localPort: port });
        sockets.push(client);
        await new Promise((resolve, reject) => client.once("connect", resolve).once("error", reject));
        const up = cluster("up");
        assert.equal(up.status, 1);
        assert.match(up.stderr, new RegExp(`port ${port} \\(etcd\\) is in use by PID ${process.pid} \\([^)]+\\); nothing was started`));
        assert.equal(processes(), "");
    });

    /**
     * Puts a kube-apiserver in the cluster that answers kwokctl's version check and cannot run
     * (kwokctl runs the binaries from the cluster's bin directory, and keeps one it finds there);
     * returns what it replaced.
     */
    const breakApiServer = (): string | undefined => {
        const binary = path.join(clusterDir(), "bin", "kube-apiserver");
        const replaced = fs.existsSync(binary) ? fs.readlinkSync(binary) : undefined;
        fs.mkdirSync(path.dirname(binary), { recursive: true });
        fs.rmSync(binary, { force: true });
        fs.writeFileSync(
            binary,
            '#!/bin/sh\n[ "$1" = version ] && { echo "Kubernetes v1.36.3"; exit 0; }\necho "kube-apiserver: cannot start (a broken binary)" >&2\nexit 1\n',
            { mode: 0o755 },
        );
        return replaced;
    };

    it("stops everything when a component exits during a create, names its log with its last lines, and the next up creates the cluster anew", () => {
        breakApiServer();
        const failed = cluster("up");
        assert.equal(failed.status, 1);
        const log = path.join(clusterDir(), "logs", "kube-apiserver.log");
        assert.ok(failed.stderr.includes(`kube-apiserver exited while the control plane started; its log: ${log}`), failed.stderr);
        assert.match(failed.stderr, /last lines of .*kube-apiserver\.log:\nkube-apiserver: cannot start \(a broken binary\)\n/);
        assert.match(failed.stderr, /stopped what this start had started/);
        assert.equal(processes(), "");

        const again = cluster("up");
        assert.equal(again.status, 0, again.stderr);
        assert.match(again.stderr, /removing what a failed create left/);
        const running = processes();
        for (const component of components) {
            assert.match(running, new RegExp(`/bin/${component} `), component);
        }
    });

    it("keeps the state of a cluster whose restart fails, and starts it again once the cause is gone", () => {
        assert.equal(cluster("up").status, 0);
        const down = cluster("down");
        assert.equal(down.status, 0, down.stderr);
        // A few lines, not one per object: exactly one here.
        assert.deepEqual(down.stderr.trim().split("\n"), [`cluster: stopped; state kept in ${state} (the next up starts it again; down --purge deletes it)`]);
        assert.equal(processes(), "");

        const binary = breakApiServer()!;
        const failed = cluster("up");
        assert.equal(failed.status, 1);
        assert.match(failed.stderr, /kube-apiserver exited while the control plane started; its log: .*kube-apiserver\.log/);
        assert.match(failed.stderr, /cannot start \(a broken binary\)/);
        assert.equal(processes(), "");
        assert.ok(fs.existsSync(path.join(clusterDir(), "kwok.yaml")) && fs.existsSync(path.join(clusterDir(), "etcd")), "the state is kept");

        fs.rmSync(path.join(clusterDir(), "bin", "kube-apiserver"));
        fs.symlinkSync(binary, path.join(clusterDir(), "bin", "kube-apiserver"));
        const again = cluster("up");
        assert.equal(again.status, 0, again.stderr);
        assert.match(again.stderr, /starting the control plane again/);
    });

    it("refuses a port base the existing cluster does not use, instead of ignoring it", () => {
        assert.equal(cluster("up").status, 0);
        const other = spawnSync("bash", [clusterScript, "up"], {
            cwd: projectRoot,
            encoding: "utf8",
            env: { ...process.env, APPSTACK_LOCAL_STATE: state, APPSTACK_LOCAL_PORT_BASE: String(portBase + 1000) },
        });
        assert.equal(other.status, 1);
        assert.match(
            other.stderr,
            new RegExp(`APPSTACK_LOCAL_PORT_BASE is ${portBase + 1000}, but the control plane in .* was created with port base ${portBase}`),
        );
    });
});
