#!/bin/sh
# Benchmark 1 (issue 2): runner overhead per step.
# A plan of N trivial `shell` steps (content "true") run by `bq2 sysroot-runner`, against the
# same N commands run by one sh loop, measured in the same hyperfine run.
# Per-step overhead = (median runner wall - median sh loop wall) / N. Goal: under 5 ms.
# Usage: bench/runner-overhead.sh [RUNS] [N]
set -eu
. "$(dirname -- "$0")/lib.sh"
need hyperfine hyperfine
runs=${1:-10}
n=${2:-200}
work=$(mktemp -d "${TMPDIR:-/tmp}/bq2-bench-runner.XXXXXX")
trap 'rm -rf "$work"' EXIT
lib="$work/rootfs/var/lib"
mkdir -p "$lib"
write_trivial_plan "$lib/sysroot-build-plan.json" "$n"
warm_launcher
# One unmeasured run so that the runner's class data sharing archive exists.
"$bq2" sysroot-runner --rootfs "$work/rootfs" >/dev/null 2>&1
machine_info
echo "steps:   $n, runs: $runs"
# Each runner run starts from no state (all N steps run) and no step logs.
hyperfine -N --warmup 1 --runs "$runs" --export-csv "$work/r.csv" \
  --prepare "rm -rf $lib/sysroot-build-state.json $lib/sysroot-build-logs" \
  -n "bq2 sysroot-runner ($n shell steps)" "$bq2 sysroot-runner --rootfs $work/rootfs" \
  -n "sh loop ($n x /bin/sh -e -c true)" "sh -c 'for i in \$(seq $n); do /bin/sh -e -c true; done'"
# CSV columns: command,mean,stddev,median,user,system,min,max (seconds)
awk -F, -v n="$n" 'NR == 2 { r = $4; rmin = $7 } NR == 3 { s = $4; smin = $7 }
  END {
    per = (r - s) / n * 1000
    printf "runner median %.3f s, sh loop median %.3f s\n", r, s
    printf "per-step overhead (medians): %.2f ms (min-based: %.2f ms); goal < 5 ms: %s\n",
      per, (rmin - smin) / n * 1000, per < 5 ? "MET" : "MISSED"
  }' "$work/r.csv"
