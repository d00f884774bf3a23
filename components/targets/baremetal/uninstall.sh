#!/bin/sh
# Removes k3s from this machine: the service, its containers and mounts, its network devices and
# every file the install wrote. Run on a machine without k3s it does nothing.
#
# Input (environment):
#   ROOT  prefix of every path removed (tests run in a temporary root)
set -eu

root="${ROOT:-}"
data="$root/var/lib/rancher/k3s"

for unit in k3s k3s-agent; do
    if [ -f "$root/etc/systemd/system/$unit.service" ]; then
        systemctl disable --now "$unit.service" || true
        rm -f "$root/etc/systemd/system/$unit.service"
        systemctl daemon-reload
    fi
done

# The containers outlive the service (KillMode=process lets upgrades keep pods running).
if [ -d "$data" ]; then
    pkill -f "containerd-shim.*$data" || true
fi
for mounts in "$root/run/k3s" "$root/var/lib/kubelet/pods" "$data"; do
    if [ -r /proc/self/mounts ]; then
        awk -v prefix="$mounts/" 'index($2, prefix) == 1 { print $2 }' /proc/self/mounts | sort -r | while read -r mount; do
            umount -l "$mount" || true
        done
    fi
done
if [ -z "$root" ]; then
    for device in cni0 flannel.1 flannel-v6.1 kube-ipvs0 flannel-wg flannel-wg-v6; do
        ! ip link show "$device" >/dev/null 2>&1 || ip link delete "$device"
    done
fi

rm -rf "$root/usr/local/bin/k3s" "$root/etc/rancher/k3s" "$data" "$root/var/lib/kubelet" "$root/run/k3s" "$root/run/flannel" "$root/var/lib/cni" "$root/etc/cni/net.d"
rmdir "$root/etc/rancher" "$root/var/lib/rancher" 2>/dev/null || true
