#!/bin/sh
# Benchmark 3 (issue 3): autopilot overhead per iteration with the rules proposer, i.e. the
# time from a runner's exit (its exit file's mtime) to the next runner's start (`started_at`
# of the next run record). Workload: `bq2 demo` (offline, built-in rules), REPEAT times.
# The runner's own JVM start is after `started_at` and so not part of the gap.
# Goal: median under 300 ms.
# Usage: bench/autopilot-gap.sh [REPEAT]
set -eu
. "$(dirname -- "$0")/lib.sh"
need python3 python3
repeat=${1:-3}
work=$(mktemp -d "${TMPDIR:-/tmp}/bq2-bench-autopilot.XXXXXX")
trap 'rm -rf "$work"' EXIT
warm_launcher
machine_info
dirs=""
i=1
while [ "$i" -le "$repeat" ]; do
  start=$(date +%s.%N)
  "$bq2" demo --dir "$work/demo$i" >"$work/demo$i.out" 2>&1 || {
    echo "bench: bq2 demo failed (exit $?); its output:" >&2
    tail -n 30 "$work/demo$i.out" >&2
    exit 1
  }
  end=$(date +%s.%N)
  echo "demo $i: $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }') s wall," \
    "$(ls "$work/demo$i/rootfs/var/lib/sysroot-build-logs/"*.run.json | wc -l) runner starts"
  dirs="$dirs $work/demo$i/rootfs/var/lib/sysroot-build-logs"
  i=$((i + 1))
done
# shellcheck disable=SC2086
python3 "$(dirname -- "$0")/autopilot_gaps.py" $dirs
