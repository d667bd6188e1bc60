#!/bin/sh
# Benchmark 2 (issue 2): `bq2 sysroot-status` wall time, cold JVM (a new process each run, as
# a person or a script calls it), against `cat state.json`, in the same hyperfine run.
# The state holds N completed steps with fingerprints (status re-checks every fingerprint).
# Besides the launcher it times the JVM option variants that were tried, so their effect is
# measured on the same machine in the same run. Goal: launcher median under 300 ms.
# Usage: bench/status-startup.sh [RUNS] [N]
set -eu
. "$(dirname -- "$0")/lib.sh"
need hyperfine hyperfine
runs=${1:-20}
n=${2:-200}
work=$(mktemp -d "${TMPDIR:-/tmp}/bq2-bench-status.XXXXXX")
trap 'rm -rf "$work"' EXIT
lib="$work/rootfs/var/lib"
mkdir -p "$lib"
write_trivial_plan "$lib/sysroot-build-plan.json" "$n"
warm_launcher
"$bq2" sysroot-runner --rootfs "$work/rootfs" >/dev/null 2>&1
jar="$bench_root/target/bq2.jar"
state="$lib/sysroot-build-state.json"
# The launcher's status archive: remove it and time the one run that creates it.
rm -f "$bench_root/target/cds/sysroot-status.jsa"
first=$( { /usr/bin/time -f %e "$bq2" sysroot-status --rootfs "$work/rootfs" >/dev/null; } 2>&1 )
machine_info
echo "state:   $n completed steps ($(wc -c <"$state") bytes)"
echo "first run after a build (creates the status CDS archive): ${first} s"
base="-Xlog:cds=off -Xlog:cds+dynamic=off -jar $jar sysroot-status --rootfs $work/rootfs"
fast="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
hyperfine -N --warmup 2 --runs "$runs" --export-csv "$work/s.csv" \
  -n "cat state.json" "cat $state" \
  -n "bq2 sysroot-status (launcher)" "$bq2 sysroot-status --rootfs $work/rootfs" \
  -n "java -Xshare:off" "java -Xshare:off $base" \
  -n "java (JDK default CDS only)" "java $base" \
  -n "java $fast" "java $fast $base" \
  -n "java $fast + status CDS archive" "java $fast -XX:SharedArchiveFile=$bench_root/target/cds/sysroot-status.jsa $base" \
  -n "java $fast + status CDS + -XX:-UsePerfData -Xss512k" "java $fast -XX:-UsePerfData -Xss512k -XX:SharedArchiveFile=$bench_root/target/cds/sysroot-status.jsa $base"
echo
echo "medians (ms):"
awk -F, 'NR > 1 { gsub(/"/, "", $1); printf "  %8.1f  (min %6.1f, user %6.1f, sys %5.1f)  %s\n", $4 * 1000, $7 * 1000, $5 * 1000, $6 * 1000, $1 }
  NR == 3 { l = $4 }
  END { printf "launcher median %.0f ms; goal < 300 ms: %s\n", l * 1000, l < 0.3 ? "MET" : "MISSED" }' "$work/s.csv"
