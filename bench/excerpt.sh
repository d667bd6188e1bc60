#!/bin/sh
# Benchmark 4 (issue 3): excerpt extraction from a 1 GiB step log with a bounded heap.
# Two logs, each made by a real failing `shell` step of the runner (so the failure report is
# real too): "error" ends with a compiler error and make's summary near the end; "no-error"
# has no decisive line at all (worst case: the scan runs to its 64 MiB budget).
# For each: LogExcerpt.read timed in process (-Xmx32m), the whole `bq2 diagnose` command
# (-Xmx32m, new JVM each run), and `tail -n 200 LOG | grep -E 'error|Error'` in the same
# hyperfine run. Goal: under 1 s.
# Usage: bench/excerpt.sh [RUNS] [SIZE_MIB]
set -eu
. "$(dirname -- "$0")/lib.sh"
need hyperfine hyperfine
runs=${1:-10}
mib=${2:-1024}
work=$(mktemp -d "${TMPDIR:-/tmp}/bq2-bench-excerpt.XXXXXX")
trap 'rm -rf "$work"' EXIT
warm_launcher
jar="$bench_root/target/bq2.jar"
javac -d "$work/classes" -cp "$jar" "$(dirname -- "$0")/java/ExcerptTiming.java"
machine_info
# The log generator is a script file, so that the runner's own "Running ..." lines in the log
# (which quote the step's command) contain no error text.
cat >"$work/gen.sh" <<'GEN'
# gen.sh MIB error|no-error: ~MIB of compile lines, (a compiler error), 50 more lines, exit 1
yes 'gcc -O2 -Wall -c -o obj/module_0042.o src/module_0042.c -Iinclude -DNDEBUG -DPACKAGE_VERSION="1.2.3"' |
  head -c $(($1 * 1048576))
if [ "$2" = error ]; then
  printf '%s\n' "In file included from src/parse.c:3:" "src/parse.c: In function 'parse_line':" \
    "src/parse.c:88:12: error: implicit declaration of function 'strlcpy' [-Werror=implicit-function-declaration]" \
    "   88 |     return strlcpy(dst, src, n);" "cc1: all warnings being treated as errors" \
    "make[1]: *** [Makefile:41: obj/parse.o] Error 1" "make[1]: Leaving directory '/build/demo'" \
    "make: *** [Makefile:12: all] Error 2"
fi
yes 'make[1]: Nothing to be done for install-data-am.' | head -n 50
exit 1
GEN
for kind in error no-error; do
  root="$work/$kind/rootfs"
  mkdir -p "$root/var/lib"
  cat >"$root/var/lib/sysroot-build-plan.json" <<JSON
{"format_version": 2, "phases": [{"name": "bench", "description": "bench: one huge failing log",
 "namespace": "host", "install_prefix": "/", "env": {}, "steps": [
 {"name": "huge-log", "strategy": "shell", "configure_flags": [], "patches": [], "env": {},
  "clean_build": false, "content": "sh $work/gen.sh $mib $kind"}]}]}
JSON
  "$bq2" sysroot-runner --rootfs "$root" --no-echo >"$work/$kind.runner.out" 2>&1 && {
    echo "bench: the step was expected to fail" >&2; exit 1; }
  report=$(ls "$root/var/lib/sysroot-build-reports/"*.json | head -n 1)
  log=$(ls "$root/var/lib/sysroot-build-logs/"*.log | head -n 1)
  echo
  echo "== $kind: $(du -m "$log" | cut -f1) MiB log"
  java -Xmx32m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp "$jar:$work/classes" ExcerptTiming "$log" 10
  BQ2_JAVA_OPTS=-Xmx32m "$bq2" diagnose --report "$report" | head -n 4
  BQ2_JAVA_OPTS=-Xmx32m hyperfine -N --warmup 1 --runs "$runs" --export-csv "$work/$kind.csv" \
    -n "bq2 diagnose (-Xmx32m)" "$bq2 diagnose --report $report" \
    -n "tail -n 200 | grep -E 'error|Error'" "sh -c \"tail -n 200 '$log' | grep -E 'error|Error' || true\""
  awk -F, -v k="$kind" 'NR == 2 { d = $4 } NR == 3 { t = $4 }
    END { printf "%s: bq2 diagnose median %.0f ms, tail|grep median %.1f ms; goal < 1 s: %s\n",
      k, d * 1000, t * 1000, d < 1 ? "MET" : "MISSED" }' "$work/$kind.csv"
done
