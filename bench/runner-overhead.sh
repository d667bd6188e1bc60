#!/bin/sh
# Benchmark 1 (issues 2 and 11): runner overhead per step, ours against the existing (native,
# Crystal) tool on the same plan and files, in the same hyperfine run.
# The plan has N `makefile-classic` steps whose Makefile.bq2 does nothing, so each step starts the
# same two `make` processes under either runner; an sh loop running those 2N makes is the floor.
# Per-step overhead = (median runner wall - median sh loop wall) / N, for each runner.
# Goals: ours under 5 ms a step (issue 2); ours close to the native tool's (issue 11).
# Usage: [BQ2_NATIVE_DIR=DIR] bench/runner-overhead.sh [RUNS] [N]
set -eu
. "$(dirname -- "$0")/lib.sh"
need hyperfine hyperfine
need make make
runs=${1:-10}
n=${2:-100}
find_native
work=$(mktemp -d "${TMPDIR:-/tmp}/bq2-bench-runner.XXXXXX")
trap 'rm -rf "$work"' EXIT
hw="$work/hw"
rootfs="$hw/seed-rootfs/bq2-rootfs"
lib="$rootfs/var/lib"
wd="$work/src"
mkdir -p "$lib"
: >"$rootfs/.bq2-rootfs"
write_make_plan "$lib/sysroot-build-plan.json" "$n" "$wd"
warm_launcher
clean="rm -rf $lib/sysroot-build-state.json $lib/sysroot-build-logs $lib/sysroot-build-reports $lib/sysroot-build-status.txt"
# One unmeasured run of each, checked: every step completes (so both really ran the plan).
$clean
"$bq2" sysroot-runner --rootfs "$rootfs" >"$work/ours.log" 2>&1 || { cat "$work/ours.log" >&2; exit 1; }
set --
if [ -n "$native_runner" ]; then
  $clean
  "$native_runner" --workdir="$hw" >"$work/native.log" 2>&1 || { tail -n 20 "$work/native.log" >&2; exit 1; }
  set -- -n "native sysroot-runner ($n steps)" "$native_runner --workdir=$hw"
fi
machine_info
echo "steps:   $n makefile-classic (2 x make each), runs: $runs"
jobs=$(nproc)
loop="cd $wd && for i in \$(seq $n); do make -f Makefile.bq2 -j$jobs >/dev/null && make -f Makefile.bq2 install >/dev/null || exit 1; done"
# Each run starts from no state (all N steps run), no logs, no reports.
hyperfine -N --warmup 1 --runs "$runs" --export-csv "$work/r.csv" --prepare "sh -c '$clean'" \
  -n "sh loop ($n x 2 make)" "sh -c '$loop'" \
  "$@" \
  -n "bq2 sysroot-runner ($n steps)" "$bq2 sysroot-runner --rootfs $rootfs"
# CSV columns: command,mean,stddev,median,user,system,min,max (seconds)
awk -F, -v n="$n" -v native="$native_runner" 'NR > 1 { m[NR] = $4; mn[NR] = $7 }
  END {
    s = m[2]; o = native == "" ? m[3] : m[4]
    printf "sh loop median %.3f s; bq2 runner median %.3f s", s, o
    if (native != "") printf "; native runner median %.3f s", m[3]
    printf "\nbq2 per-step overhead (medians): %.2f ms (min-based %.2f ms); goal < 5 ms: %s\n",
      (o - s) / n * 1000, ((native == "" ? mn[3] : mn[4]) - mn[2]) / n * 1000, (o - s) / n * 1000 < 5 ? "MET" : "MISSED"
    if (native != "") {
      printf "native per-step overhead (medians): %.2f ms (min-based %.2f ms)\n", (m[3] - s) / n * 1000, (mn[3] - mn[2]) / n * 1000
      printf "total ours / native: %.2fx\n", o / m[3]
    }
  }' "$work/r.csv"
