#!/usr/bin/env bash
# The tests' single-node Kubernetes (v1.20.2: etcd, API server, controller-manager, scheduler and a
# kubelet on a private dockerd; see scripts/k8s/README.md).
#
#   scripts/kube-cluster.sh start DIR | stop DIR      (same env on both: ports and bridge, see kube.sh)
#
# Uses the prebuilt cluster in ../shared/k8s beside the clone when it is there. A clean clone without
# it builds the same binaries from Debian bookworm's source package `kubernetes` (scripts/k8s/build.sh,
# ~6 min on 2 cores, once) into a cache outside the repository, RUNNER_TRAY_K8S_CACHE
# (default /var/cache/runner-tray/k8s), and runs scripts/k8s/kube.sh from there.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
bins=(kube-apiserver kube-controller-manager kube-scheduler kubelet pause)

complete() { local b; for b in "${bins[@]}"; do [ -s "$1/$b.xz" ] || return 1; done; [ -x "$1/kube.sh" ] && [ -f "$1/runc-wrap" ]; }

shared=${RUNNER_TRAY_SHARED_K8S:-$root/../shared/k8s}
if complete "$shared"; then exec "$shared/kube.sh" "$@"; fi

cache=${RUNNER_TRAY_K8S_CACHE:-/var/cache/runner-tray/k8s}
mkdir -p "$cache"
(
  flock 9   # two test runs on a clean machine build once
  if ! complete "$cache"; then
    echo "kube-cluster: no prebuilt cluster at $shared; building Kubernetes v1.20.2 from Debian's source package into $cache (about 6 minutes, once)" >&2
    P="$cache/build" bash "$here/k8s/build.sh" all >&2
    for b in "${bins[@]}"; do cp "$cache/build/bin/$b.xz" "$cache/$b.xz.tmp" && mv "$cache/$b.xz.tmp" "$cache/$b.xz"; done
    rm -rf "$cache/build"   # sources, Go cache and objects: ~2 GB, not needed to run
  fi
  # kube.sh finds the binaries and runc-wrap beside itself; keep the project's copies current there.
  install -m 755 "$here/k8s/kube.sh" "$cache/kube.sh"
  install -m 755 "$here/k8s/runc-wrap" "$cache/runc-wrap"
) 9>"$cache/.lock"
exec "$cache/kube.sh" "$@"
