#!/bin/sh
# Makes this machine a k3s node of the given release and configuration: the first install, a
# join (the configuration names the server to join) and an upgrade are the same convergence.
# What is already as asked is left alone, and k3s is restarted only when something changed, so a
# second run with the same input does nothing.
#
# Input (environment):
#   K3S_ROLE          server | agent
#   K3S_VERSION       the release, e.g. v1.33.5+k3s1
#   K3S_DOWNLOAD_URL  folder of the releases (binary, checksums, images), one subfolder each
#   K3S_CONFIG        contents of /etc/rancher/k3s/config.yaml (holds the join token)
#   K3S_AIRGAP_IMAGES true: also fetch the release's image archive
#   ROOT              prefix of every path written (tests run in a temporary root)
set -eu

: "${K3S_ROLE:?}" "${K3S_VERSION:?}" "${K3S_DOWNLOAD_URL:?}" "${K3S_CONFIG:?}"
root="${ROOT:-}"
images="${K3S_AIRGAP_IMAGES:-false}"
bin="$root/usr/local/bin"
etc="$root/etc/rancher/k3s"
data="$root/var/lib/rancher/k3s"
units="$root/etc/systemd/system"

case "$K3S_ROLE" in
    server) unit=k3s type=notify ;;
    agent) unit=k3s-agent type=exec ;;
    *) echo "K3S_ROLE is server or agent, not $K3S_ROLE" >&2; exit 2 ;;
esac
case "$(uname -m)" in
    x86_64 | amd64) arch=amd64 suffix= ;;
    aarch64 | arm64) arch=arm64 suffix=-arm64 ;;
    *) echo "no k3s release for $(uname -m)" >&2; exit 2 ;;
esac

changed=false
# Folders such as /usr/local/bin, where missing, are made as the system makes them; each file that
# holds a secret gets its own mode below, set before it is moved into place.
umask 022
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# put FILE MODE: the standard input becomes FILE, unless FILE already holds exactly that.
put() {
    cat >"$work/next"
    chmod "$2" "$work/next"
    if [ -f "$1" ] && cmp -s "$work/next" "$1"; then
        rm -f "$work/next"
    else
        mkdir -p "$(dirname "$1")"
        mv "$work/next" "$1"
        changed=true
    fi
}

fetch() {
    curl --fail --silent --show-error --location --retry 3 --output "$2" "$1"
}

release="$K3S_DOWNLOAD_URL/$(printf '%s' "$K3S_VERSION" | sed 's/+/%2B/')"
installed="$("$bin/k3s" --version 2>/dev/null | sed -n 's/^k3s version \([^ ]*\).*/\1/p' || true)"
if [ "$installed" != "$K3S_VERSION" ]; then
    fetch "$release/sha256sum-$arch.txt" "$work/sums"
    fetch "$release/k3s$suffix" "$work/k3s"
    expected="$(awk -v file="k3s$suffix" '$2 == file { print $1 }' "$work/sums")"
    actual="$(sha256sum "$work/k3s" | cut -d ' ' -f 1)"
    if [ -z "$expected" ] || [ "$expected" != "$actual" ]; then
        echo "k3s$suffix of $K3S_VERSION does not match its checksum" >&2
        exit 1
    fi
    mkdir -p "$bin"
    chmod 0755 "$work/k3s"
    mv "$work/k3s" "$bin/k3s"
    changed=true
fi

if [ "$images" = true ]; then
    archive="$data/agent/images/k3s-airgap-images-$arch-$(printf '%s' "$K3S_VERSION" | tr '+' '-').tar.zst"
    if [ ! -f "$archive" ]; then
        mkdir -p "$(dirname "$archive")"
        fetch "$release/k3s-airgap-images-$arch.tar.zst" "$work/images"
        rm -f "$data"/agent/images/k3s-airgap-images-*
        mv "$work/images" "$archive"
        changed=true
    fi
fi

printf '%s\n' "$K3S_CONFIG" | put "$etc/config.yaml" 0600

if [ "$K3S_ROLE" = server ]; then
    mkdir -p "$data/server/logs"
    chmod 0700 "$data/server/logs"
    # What the API server records: who read or changed what, without the contents of Secrets and
    # tokens (metadata only), and nothing of the health checks that would drown the rest.
    put "$data/server/audit-policy.yaml" 0600 <<'POLICY'
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  - level: None
    nonResourceURLs: ["/healthz*", "/livez*", "/readyz*", "/version"]
  - level: None
    users: ["system:kube-proxy"]
    verbs: ["watch"]
  - level: Metadata
    resources:
      - group: ""
        resources: ["secrets", "configmaps", "serviceaccounts/token"]
      - group: authentication.k8s.io
        resources: ["tokenreviews"]
  - level: None
    verbs: ["get", "list", "watch"]
  - level: RequestResponse
    resources:
      - group: rbac.authorization.k8s.io
  - level: Metadata
POLICY
    # Pod Security admission for namespaces that carry no label of their own: baseline is
    # enforced, restricted is warned about and audited. The app's namespace enforces restricted
    # by its label.
    put "$etc/pod-security.yaml" 0600 <<'PSA'
apiVersion: apiserver.config.k8s.io/v1
kind: AdmissionConfiguration
plugins:
  - name: PodSecurity
    configuration:
      apiVersion: pod-security.admission.config.k8s.io/v1
      kind: PodSecurityConfiguration
      defaults:
        enforce: baseline
        enforce-version: latest
        audit: restricted
        audit-version: latest
        warn: restricted
        warn-version: latest
      exemptions:
        namespaces: [kube-system]
PSA
fi

put "$units/$unit.service" 0644 <<UNIT
[Unit]
Description=k3s $K3S_ROLE
Documentation=https://docs.k3s.io
Wants=network-online.target
After=network-online.target

[Service]
Type=$type
ExecStartPre=-/sbin/modprobe br_netfilter
ExecStartPre=-/sbin/modprobe overlay
ExecStart=/usr/local/bin/k3s $K3S_ROLE
KillMode=process
Delegate=yes
LimitNOFILE=1048576
LimitNPROC=infinity
LimitCORE=infinity
TasksMax=infinity
TimeoutStartSec=0
Restart=always
RestartSec=5s

[Install]
WantedBy=multi-user.target
UNIT

if [ "$changed" = true ]; then
    systemctl daemon-reload
    systemctl enable "$unit.service"
    systemctl restart "$unit.service"
elif ! systemctl is-active --quiet "$unit.service"; then
    systemctl start "$unit.service"
fi
