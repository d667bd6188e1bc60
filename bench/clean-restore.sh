#!/bin/sh
# Issue 8 §2: how long the runner takes to put a real upstream package's tree back as it was
# before its first build (clean_build), against that step's build time, measured in the same run.
#
#   bench/clean-restore.sh [RUNS] [PACKAGE...]      default: 5 runs, GNU hello and GNU sed
#
# Per package (a Debian source package; its upstream tarball comes from `apt-get source
# --download-only`, a deb-src line is added when none is configured) and per restore method
# (archive: an extract-sources step re-extracts it; git: the tree is a git work tree; pristine:
# a plain tree, restored from the runner's pristine copy):
#   1. run 1, `bq2 sysroot-runner` builds the step for real (./configure, make -j2) and fails at
#      `make install` (the step's DESTDIR is a regular file): build time = configure + make as the
#      step log's `Finished in` lines give them; the pristine copy (if any) is taken here;
#   2. the dirty tree is saved; then RUNS hyperfine runs, each preceded (--prepare, not timed)
#      by putting the dirty tree back, of `bq2 sysroot-runner` with a missing patch added by an
#      override: it restores the tree (clean_build) and stops at the patch. The restore time is
#      the runner's own `Clean tree ... in N.NNNs` line (median over the runs); hyperfine's
#      time is the whole runner invocation (JVM start-up included).
# Goal: restore < 10% of the build time.
set -eu
. "$(dirname -- "$0")/lib.sh"
need hyperfine hyperfine
need jq jq
need git git
need apt-get apt

runs=${1:-5}
[ $# -gt 0 ] && shift
pkgs=${*:-"hello sed"}

if ! grep -rqs '^Types: deb-src\|^deb-src ' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  echo "bench: adding a deb-src line (/etc/apt/sources.list.d/bq2-clean-restore-deb-src.sources)" >&2
  . /etc/os-release
  printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: %s\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
    "$VERSION_CODENAME" >/etc/apt/sources.list.d/bq2-clean-restore-deb-src.sources
  apt-get update -qq
fi

warm_launcher
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT INT TERM
machine_info
echo "fs:      $(df -T "$scratch" | awk 'NR == 2 {print $2}') ($scratch)"
echo "runs:    $runs"
echo

# Seconds from the step log's `Finished in 1.234s (exit=0)` / `Finished in 987.6ms (exit=0)`.
took() { sed -n 's/^Finished in \([0-9.]*\)\(m\{0,1\}\)s .*/\1 \2/p' | awk '{printf "%.3f\n", ($2 == "m") ? $1 / 1000 : $1}'; }

results="$scratch/results.txt"
: >"$results"

for pkg in $pkgs; do
  src="$scratch/src-$pkg"
  mkdir -p "$src"
  (cd "$src" && apt-get source --download-only "$pkg" >/dev/null 2>&1) || { echo "bench: apt-get source $pkg failed" >&2; exit 2; }
  orig=$(ls "$src"/*.orig.tar.* | grep -v '\.asc$' | head -n 1)
  top=$(tar -tf "$orig" | head -n 1 | cut -d/ -f1)
  version=$(basename "$orig" | sed 's/^[^_]*_\(.*\)\.orig\.tar\..*/\1/')
  for method in archive git pristine; do
    w="$scratch/$pkg-$method"
    rootfs="$w/rootfs"
    mkdir -p "$rootfs/var/lib" "$w/work" "$w/sources"
    : >"$w/not-a-dir"
    tree="$w/work/$top"
    cp "$orig" "$w/sources/"
    steps=''
    if [ "$method" = archive ]; then
      steps=$(jq -n --arg w "$w" --arg f "$(basename "$orig")" --arg top "$top" --arg v "$version" --arg n "$pkg" \
        '[{name: "unpack", strategy: "extract-sources", destdir: ($w + "/work"), sources_directory: ($w + "/sources"),
           configure_flags: [], patches: [], env: {}, clean_build: false,
           extract_sources: [{name: $n, version: $v, filename: $f, build_directory: $top}]}]')
    else
      tar -xf "$orig" -C "$w/work"
      if [ "$method" = git ]; then
        # The repository lives beside the tree (`.git` is a gitdir file, as in a git worktree): some
        # packages (GNU hello) take a `.git` folder for a development checkout and regenerate
        # their man pages with help2man.
        (cd "$tree" && git init -q --separate-git-dir "$w/gitdir" && git add -A -f && git -c user.name=bench -c user.email=bench@example.org commit -qm import)
      fi
      steps='[]'
    fi
    jq -n --argjson pre "$steps" --arg tree "$tree" --arg dd "$w/not-a-dir" \
      '{format_version: 2, phases: [{name: "bench", description: "clean-restore benchmark", namespace: "host",
        install_prefix: "/usr", env: {}, steps: ($pre + [{name: "build", strategy: "autotools", workdir: $tree,
        destdir: $dd, configure_flags: [], patches: [], env: {}, clean_build: true}])}]}' \
      >"$rootfs/var/lib/sysroot-build-plan.json"

    # 1. The real build (fails at make install).
    if "$bq2" sysroot-runner --rootfs "$rootfs" --jobs 2 --no-echo >"$w/run1.out" 2>&1; then
      echo "bench: run 1 of $pkg/$method did not fail at install; see $w/run1.out" >&2; exit 2
    fi
    log=$(ls "$rootfs"/var/lib/sysroot-build-logs/*-bench_build-*.log | tail -n 1)
    grep -q '^Step failed: Command failed .*: make .*install' "$log" || { echo "bench: run 1 of $pkg/$method failed before install: $log" >&2; tail -n 20 "$log" >&2; exit 2; }
    configure_s=$(grep '^Finished in .*(exit=0): ./configure' "$log" | took)
    make_s=$(grep '^Finished in .*(exit=0): make -j' "$log" | took)
    [ -n "$configure_s" ] && [ -n "$make_s" ] || { echo "bench: run 1 of $pkg/$method did not build: $log" >&2; tail -n 30 "$log" >&2; exit 2; }
    build_s=$(echo "$configure_s $make_s" | awk '{printf "%.3f", $1 + $2}')
    copy_s=$(grep '^Pristine copy of ' "$log" | sed 's/.*reflink=auto, \([0-9.]*\)s).*/\1/')
    files=$(find "$tree" -path "$tree/.git" -prune -o -print | wc -l)
    cp -a "$tree" "$w/built"

    # 2. Restores: clean_build restores, the missing patch stops the step right after.
    printf '{"phases": {"bench": {"steps": {"build": {"patches_add": ["%s/none.patch"]}}}}}\n' "$w" \
      >"$rootfs/var/lib/sysroot-build-overrides.json"
    before=$(ls "$rootfs"/var/lib/sysroot-build-logs/*-bench_build-*.log | wc -l)
    hyperfine --runs "$runs" --ignore-failure --style basic --export-json "$w/hf.json" \
      --prepare "rm -rf '$tree' && cp -a '$w/built' '$tree'" \
      "'$bq2' sysroot-runner --rootfs '$rootfs' --no-echo" >"$w/hf.out" 2>&1
    runner_s=$(jq '.results[0].median * 1000 | round / 1000' "$w/hf.json")
    restore_s=$(ls "$rootfs"/var/lib/sysroot-build-logs/*-bench_build-*.log | tail -n +"$((before + 1))" |
      while read -r l; do grep '^Clean tree (' "$l" | sed 's/.* in \([0-9.]*\)s$/\1/' | tail -n 1; done |
      sort -n | awk '{a[NR] = $1} END {if (NR % 2) print a[(NR + 1) / 2]; else printf "%.3f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2}')
    line=$(grep -h '^Clean tree (' "$(ls "$rootfs"/var/lib/sysroot-build-logs/*-bench_build-*.log | tail -n 1)")
    case "$line" in *"$tree"*) ;; *) echo "bench: no restore line in the last run of $pkg/$method" >&2; exit 2 ;; esac
    copy_col=—
    [ -n "$copy_s" ] && copy_col="$copy_s s"
    pct=$(echo "$restore_s $build_s" | awk '{printf "%.2f", 100 * $1 / $2}')
    met=$(echo "$pct" | awk '{print ($1 < 10) ? "yes" : "no"}')
    printf '| %s %s | %s | %s | %s s (configure %s + make %s) | **%s s** | %s%% | %s | %s s | %s |\n' \
      "$pkg" "$version" "$method" "$files" "$build_s" "$configure_s" "$make_s" "$restore_s" "$pct" \
      "$copy_col" "$runner_s" "$met" | tee -a "$results"
    echo "    $line" | sed "s|$w|<w>|g"
  done
done

echo
echo "| package | method | entries in the tree after the build | build (run 1, same run) | restore (median of $runs) | restore / build | pristine copy (once, run 1) | whole runner invocation (hyperfine median) | < 10%? |"
echo "|---|---|---|---|---|---|---|---|---|"
cat "$results"
