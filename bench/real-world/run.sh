#!/usr/bin/env bash
# Benchmark of issue 8 §6: `bq2 iterate --assistant rules --all-phases` on real upstream packages
# (Debian source packages, upstream *.orig.tar.*), each built in bootstrap-like configurations:
#   strict  host gcc with what newer compilers make default (see realbench.py STRICT_CFLAGS)
#   musl    CC="musl-gcc -static"
#   cross   --host=aarch64-linux-gnu, CC=aarch64-linux-gnu-gcc (CMake: CMAKE_SYSTEM_NAME/PROCESSOR)
# Every package x config is its own rootfs with its own one-step plan, so one escalation never
# blocks another run. Results: OUT/results.{md,tsv,json}; see bench/real-world/README.md.
set -euo pipefail

here=$(cd -- "$(dirname -- "$0")" && pwd)
repo=$(cd -- "$here/../.." && pwd)
bq2="$repo/bin/bq2"

usage() {
  cat <<EOF
Usage: bench/real-world/run.sh [--only PKG]... [--configs strict,musl,cross] [--jobs N]
                               [--out DIR] [--offline DIR] [--packages FILE] [--timeout SEC]
  --only PKG       run only this package (repeatable, or comma separated); names from packages.tsv
  --configs LIST   configurations to run (default strict,musl,cross)
  --jobs N         package x config runs at the same time (default 2); make/cmake get
                   -j max(1, nproc / N)
  --out DIR        work and result folder (default: $repo/target/real-world); runs/ is
                   recreated per selected run, sources/ is a download cache
  --offline DIR    take the tarballs from DIR (NAME_VERSION.orig.tar.* or NAME-VERSION.tar.*,
                   by the debian-source column) and download nothing
  --packages FILE  package list (default: $here/packages.tsv)
  --timeout SEC    per run: no new runner is started after SEC seconds (default 420)
EOF
}

only=() configs=strict,musl,cross jobs=2 out="$repo/target/real-world" offline="" timeout=420
packages="$here/packages.tsv"
while [ $# -gt 0 ]; do
  case $1 in
    --only) IFS=, read -r -a more <<<"$2"; only+=("${more[@]}"); shift 2 ;;
    --configs) configs=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --offline) offline=$(cd -- "$2" && pwd); shift 2 ;;
    --packages) packages=$2; shift 2 ;;
    --timeout) timeout=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run.sh: unknown argument $1" >&2; usage >&2; exit 2 ;;
  esac
done
[[ $jobs =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --jobs needs a positive number, not $jobs" >&2; exit 2; }
make_jobs=$(( $(nproc) / jobs )); [ "$make_jobs" -ge 1 ] || make_jobs=1

need() { command -v "$1" >/dev/null 2>&1 || { echo "run.sh: $1 is missing (Debian: apt-get install $2)" >&2; exit 2; }; }
need python3 python3
need tar tar
need make make
need cmake cmake
IFS=, read -r -a config_list <<<"$configs"
for c in "${config_list[@]}"; do
  case $c in
    strict) need gcc gcc ;;
    musl) need musl-gcc musl-tools ;;
    cross) need aarch64-linux-gnu-gcc gcc-aarch64-linux-gnu ;;
    *) echo "run.sh: unknown config $c (strict, musl, cross)" >&2; exit 2 ;;
  esac
done

# package list: name, debian source, build system
names=() srcs=() builds=()
while IFS=$'\t' read -r name src build _; do
  [[ -z $name || $name == \#* ]] && continue
  if [ ${#only[@]} -gt 0 ]; then
    keep=n; for o in "${only[@]}"; do [ "$o" = "$name" ] && keep=y; done
    [ $keep = y ] || continue
  fi
  names+=("$name") srcs+=("$src") builds+=("$build")
done <"$packages"
if [ ${#only[@]} -gt 0 ]; then
  for o in "${only[@]}"; do
    found=n; for n in "${names[@]}"; do [ "$n" = "$o" ] && found=y; done
    [ $found = y ] || { echo "run.sh: --only $o: no such package in $packages" >&2; exit 2; }
  done
fi
[ ${#names[@]} -gt 0 ] || { echo "run.sh: no packages selected" >&2; exit 2; }

mkdir -p "$out/sources" "$out/runs"
out=$(cd -- "$out" && pwd)

# Source packages: enable deb-src for this machine's suite when no deb-src entry exists.
enable_deb_src() {
  if grep -rqsE '^(deb-src|Types:.*deb-src)' /etc/apt/sources.list /etc/apt/sources.list.d/; then return; fi
  . /etc/os-release
  [ -n "${VERSION_CODENAME:-}" ] || { echo "run.sh: no VERSION_CODENAME in /etc/os-release; add a deb-src entry by hand" >&2; exit 2; }
  [ "$(id -u)" = 0 ] || { echo "run.sh: no deb-src entry in /etc/apt; run as root once (or add one) so apt-get source works" >&2; exit 2; }
  echo "run.sh: adding /etc/apt/sources.list.d/bq2-bench-deb-src.sources (deb-src $VERSION_CODENAME main)"
  cat >/etc/apt/sources.list.d/bq2-bench-deb-src.sources <<EOF
# Added by bq2 bench/real-world/run.sh: source packages for the real-upstream benchmark.
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: $VERSION_CODENAME
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  apt-get update -qq
}

tarball_of() {  # src -> path of the upstream tarball, or empty
  local dir=$1 src=$2 f
  for f in "$dir/${src}"_*.orig.tar.* "$dir/${src}"-*.tar.*; do
    case $f in *.asc|*.sig|*\**) continue ;; esac
    [ -f "$f" ] && { echo "$f"; return; }
  done
}

if [ -z "$offline" ]; then
  need apt-get apt
  missing=()
  for src in "${srcs[@]}"; do [ -n "$(tarball_of "$out/sources" "$src")" ] || missing+=("$src"); done
  if [ ${#missing[@]} -gt 0 ]; then
    enable_deb_src
    need dpkg-source dpkg-dev
    for src in "${missing[@]}"; do
      echo "run.sh: apt-get source --download-only $src"
      # Debian may fail on its own .debian.tar (not needed); the upstream tarball is what counts.
      (cd "$out/sources" && apt-get source --download-only -qq "$src" >/dev/null 2>&1) || true
      [ -n "$(tarball_of "$out/sources" "$src")" ] ||
        echo "run.sh: no upstream tarball for $src after apt-get source (its runs are skipped);" \
          "try: cd $out/sources && apt-get source --download-only $src" >&2
    done
  fi
  srcdir="$out/sources"
else
  srcdir=$offline
fi

"$bq2" --version >/dev/null  # build the jar once, outside every run
cat >"$out/machine.json" <<EOF
{"date": "$(date -u +%Y-%m-%dT%H:%M:%SZ)", "nproc": $(nproc), "cpu": "$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //; s/"//g')",
 "gcc": "$(gcc -dumpfullversion 2>/dev/null)", "musl": "$(dpkg-query -W -f='${Version}' musl 2>/dev/null || true)",
 "cross_gcc": "$(aarch64-linux-gnu-gcc -dumpfullversion 2>/dev/null || true)", "cmake": "$(cmake --version | head -n1 | sed 's/cmake version //')",
 "bq2_commit": "$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || true)", "jobs": $jobs, "make_jobs": $make_jobs}
EOF

run_one() {  # name src build config
  local name=$1 src=$2 build=$3 config=$4
  local r="$out/runs/$name-$config" tb top start end rc
  rm -rf "$r"
  mkdir -p "$r/rootfs/workspace" "$r/fsroot"
  tb=$(tarball_of "$srcdir" "$src")
  if [ -z "$tb" ]; then
    echo "{\"package\": \"$name\", \"config\": \"$config\", \"build\": \"$build\", \"exit_code\": null, \"wall_s\": 0, \"error\": \"no tarball for $src in $srcdir\"}" >"$r/run.json"
    echo "[$name/$config] no upstream tarball for $src in $srcdir; skipped"
    return
  fi
  top=$( { tar tf "$tb" || true; } | head -n1 | cut -d/ -f1)
  tar xf "$tb" -C "$r/rootfs/workspace"
  python3 "$here/realbench.py" plan "$r/rootfs" "$name" "$build" "$config" "$top"
  # The runner that iterate starts gets --plan/--state-path/--overrides/--report-dir but no
  # --log-dir, so its step logs would go to the host's /var/lib/sysroot-build-logs, shared by every
  # run (and by anything else on the machine). A per-run user config (BQ2_CONFIG, one default per
  # long option) keeps them in this run's rootfs.
  printf 'log-dir=%s\n' "$r/rootfs/var/lib/sysroot-build-logs" >"$r/bq2.properties"
  start=$(date +%s.%N)
  rc=0
  (cd "$r" && BQ2_CONFIG="$r/bq2.properties" "$bq2" iterate --rootfs "$r/rootfs" --fs-root "$r/fsroot" --session-dir "$r/session" \
      --assistant rules --all-phases --quiet --jobs "$make_jobs" --stall-timeout 5m \
      --deadline "$(date -u -d "+$timeout seconds" +%Y-%m-%dT%H:%M:%SZ)" \
      </dev/null >"$r/iterate.out" 2>&1) || rc=$?
  end=$(date +%s.%N)
  printf '{"package": "%s", "config": "%s", "build": "%s", "tarball": "%s", "exit_code": %d, "wall_s": %.1f}\n' \
    "$name" "$config" "$build" "$(basename "$tb")" "$rc" "$(echo "$end - $start" | bc)" >"$r/run.json"
  echo "[$name/$config] bq2 iterate exit $rc in $(echo "$end - $start" | bc | cut -d. -f1) s"
}

need bc bc
t0=$(date +%s)
: >"$out/selection"
for i in "${!names[@]}"; do
  for c in "${config_list[@]}"; do
    echo "${names[$i]}-$c" >>"$out/selection"
    while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
    run_one "${names[$i]}" "${srcs[$i]}" "${builds[$i]}" "$c" &
  done
done
wait
echo "run.sh: all runs done in $(( $(date +%s) - t0 )) s; results in $out/results.md"
# Summarises the runs listed in OUT/selection (this invocation's), not older ones in runs/.
python3 "$here/realbench.py" summarize "$out"
