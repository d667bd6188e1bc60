#!/bin/sh
# Benchmark 2 (issues 2 and 11): `sysroot-status` wall time, a new process each run (as a person
# or a script calls it), side by side on the same files, in the same hyperfine run:
#   - the existing (native, Crystal) tool's sysroot-status, the anchor (BQ2_NATIVE_DIR, see lib.sh);
#   - `bq2 sysroot-status` through the launcher's fast path (the status file the runner left:
#     no JVM starts);
#   - `bq2 sysroot-status` through Java (the status file removed before each run).
# Goal (issue 11): fast path median within 3x of the native tool's.
# Then the JVM option variants tried for the Java path (issue 2), against `cat state.json`.
# The state holds N completed steps with fingerprints (status re-checks every fingerprint).
# Usage: [BQ2_NATIVE_DIR=DIR] [BENCH_VARIANTS=0] bench/status-startup.sh [RUNS] [N]
# (BENCH_VARIANTS=0: only the native / fast path / Java comparison)
set -eu
. "$(dirname -- "$0")/lib.sh"
need hyperfine hyperfine
runs=${1:-20}
n=${2:-200}
find_native
work=$(mktemp -d "${TMPDIR:-/tmp}/bq2-bench-status.XXXXXX")
trap 'rm -rf "$work"' EXIT
hw="$work/hw"
rootfs="$hw/seed-rootfs/bq2-rootfs"
lib="$rootfs/var/lib"
mkdir -p "$lib"
: >"$rootfs/.bq2-rootfs"
write_trivial_plan "$lib/sysroot-build-plan.json" "$n"
warm_launcher
"$bq2" sysroot-runner --rootfs "$rootfs" >/dev/null 2>&1
jar="$bench_root/target/bq2.jar"
state="$lib/sysroot-build-state.json"
cache="$lib/sysroot-build-status.txt"
# The runner left the status file; prove the fast path answers (a java that does not exist).
BQ2_JAVA=/nonexistent/java "$bq2" sysroot-status --rootfs "$rootfs" >"$work/fast.out" || {
  echo "bench: the fast path did not answer after the runner's run" >&2
  exit 1
}
rm -f "$cache"
"$bq2" sysroot-status --rootfs "$rootfs" >"$work/java.out"
cmp -s "$work/fast.out" "$work/java.out" || { echo "bench: fast path and Java differ" >&2; exit 1; }
machine_info
echo "state:   $n completed steps ($(wc -c <"$state") bytes)"
echo "fast path output = Java output: yes ($(wc -l <"$work/java.out") lines)"
set --
if [ -n "$native_status" ]; then
  # The native tool prints the same keys through its logger: compare the values.
  "$native_status" --workdir="$hw" 2>&1 | sed 's/^.* - //' >"$work/native.out"
  if cmp -s "$work/native.out" "$work/java.out"; then echo "native output = ours (logger prefix removed): yes"
  else echo "native output differs from ours:"; diff "$work/native.out" "$work/java.out" || :; fi
  set -- --prepare true -n "native sysroot-status" "$native_status --workdir=$hw"
fi
hyperfine -N --warmup 2 --runs "$runs" --export-csv "$work/n.csv" "$@" \
  --prepare true -n "bq2 sysroot-status (fast path: no JVM)" "$bq2 sysroot-status --rootfs $rootfs" \
  --prepare "rm -f $cache" -n "bq2 sysroot-status (Java: status file removed)" "$bq2 sysroot-status --rootfs $rootfs"
echo
echo "medians (ms):"
awk -F, -v native="$native_status" 'NR > 1 { gsub(/"/, "", $1); m[NR] = $4; mn[NR] = $7; c[NR] = $5 + $6
    printf "  %8.1f  (min %6.1f, user %6.1f, sys %5.1f)  %s\n", $4 * 1000, $7 * 1000, $5 * 1000, $6 * 1000, $1 }
  END {
    if (native == "") { printf "fast path median %.1f ms (no native rows)\n", m[2] * 1000; exit }
    printf "fast path / native: %.2fx; Java / native: %.2fx; goal fast path <= 3x: %s\n",
      m[3] / m[2], m[4] / m[2], m[3] / m[2] <= 3 ? "MET" : "MISSED"
    # On a loaded machine wall medians mostly measure waiting for a CPU; these two do not.
    printf "fast path / native by min wall: %.2fx; by CPU (user+sys, mean): %.2fx\n", mn[3] / mn[2], c[3] / c[2]
  }' "$work/n.csv"

[ "${BENCH_VARIANTS:-1}" = 0 ] && exit 0
echo
echo "JVM option variants of the Java path (issue 2):"
# The launcher's status archive: remove it and time the one run that creates it.
rm -f "$bench_root/target/cds/sysroot-status.jsa" "$cache"
first=$( { /usr/bin/time -f %e "$bq2" sysroot-status --rootfs "$rootfs" >/dev/null; } 2>&1 )
echo "first run after a build (creates the status CDS archive): ${first} s"
base="-Xlog:cds=off -Xlog:cds+dynamic=off -jar $jar sysroot-status --rootfs $rootfs"
fast="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
hyperfine -N --warmup 2 --runs "$runs" --export-csv "$work/s.csv" \
  -n "cat state.json" "cat $state" \
  -n "java -Xshare:off" "java -Xshare:off $base" \
  -n "java (JDK default CDS only)" "java $base" \
  -n "java $fast" "java $fast $base" \
  -n "java $fast + status CDS archive" "java $fast -XX:SharedArchiveFile=$bench_root/target/cds/sysroot-status.jsa $base" \
  -n "java $fast + status CDS + -XX:-UsePerfData -Xss512k" "java $fast -XX:-UsePerfData -Xss512k -XX:SharedArchiveFile=$bench_root/target/cds/sysroot-status.jsa $base"
echo
echo "medians (ms):"
awk -F, 'NR > 1 { gsub(/"/, "", $1); printf "  %8.1f  (min %6.1f, user %6.1f, sys %5.1f)  %s\n", $4 * 1000, $7 * 1000, $5 * 1000, $6 * 1000, $1 }' "$work/s.csv"
