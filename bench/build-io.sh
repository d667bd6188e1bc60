#!/usr/bin/env bash
# Issue 13 (docs/fleet.md, "scale on paper"): what one rootfs build writes to its storage.
# Builds a fresh demo rootfs with `bq2 iterate --all-phases` under tree_io.py (the I/O of the
# whole process tree, detached runner included) and prints the bytes written, the write calls,
# the steps run and what the rootfs grew by (du -sb), its logs and session journals.
# Usage: bench/build-io.sh [RUNS]     Needs python3.
set -euo pipefail
here=$(cd -- "$(dirname -- "$0")" && pwd)
. "$here/lib.sh"
need python3 python3
runs=${1:-3}
work=$(mktemp -d "${TMPDIR:-/tmp}/bq2-bench-io.XXXXXX")
trap 'rm -rf "$work"' EXIT
warm_launcher
machine_info
for i in $(seq "$runs"); do
  "$bq2" demo --write-only --dir "$work/d$i" >/dev/null
  r=$work/d$i/rootfs
  before=$(du -sb "$r" | cut -f1)
  io=$(python3 "$here/tree_io.py" "$bq2" iterate --all-phases --rootfs "$r" --quiet --jobs 1 2>&1 >/dev/null | tail -n 1)
  steps=$(cat "$r"/var/lib/sysroot-build-sessions/*/events.jsonl | grep -c '"type":"step_finished"' || true)
  echo "run $i: $io steps_run=$steps rootfs_before=$before rootfs_after=$(du -sb "$r" | cut -f1)" \
    "logs=$(du -sb "$r/var/lib/sysroot-build-logs" | cut -f1) sessions=$(du -sb "$r/var/lib/sysroot-build-sessions" | cut -f1)"
done
