# Shared helpers for the bench scripts (sourced, POSIX sh).
bench_root=$(cd -- "$(dirname -- "$0")/.." && pwd)
bq2="$bench_root/bin/bq2"

need() {
  command -v "$1" >/dev/null 2>&1 || {
    echo "bench: $1 is missing; install it (Debian: apt-get install $2)" >&2
    exit 2
  }
}

# Builds the jar (and the class data sharing archive) once, outside every measurement.
warm_launcher() {
  "$bq2" --version >/dev/null
  "$bq2" --version >/dev/null
}

# Writes a plan of N trivial shell steps (one phase) to FILE.
write_trivial_plan() {
  file=$1 n=$2
  {
    printf '{\n  "format_version": 2,\n  "phases": [\n    {\n'
    printf '      "name": "bench",\n      "description": "bench: %s trivial shell steps",\n' "$n"
    printf '      "namespace": "host",\n      "install_prefix": "/",\n      "env": {},\n      "steps": [\n'
    i=1
    while [ "$i" -le "$n" ]; do
      sep=,; [ "$i" -eq "$n" ] && sep=
      printf '        {"name": "s%03d", "strategy": "shell", "configure_flags": [], "patches": [], "env": {}, "clean_build": false, "content": "true"}%s\n' "$i" "$sep"
      i=$((i + 1))
    done
    printf '      ]\n    }\n  ]\n}\n'
  } >"$file"
}

machine_info() {
  echo "date:    $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "nproc:   $(nproc)"
  echo "cpu:     $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')"
  echo "ram:     $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
  echo "jdk:     $(java -version 2>&1 | head -n 1)"
  echo "load:    $(cut -d' ' -f1-3 /proc/loadavg)"
}

# Writes a plan of N `makefile-classic` steps (one host phase) to FILE, all in WORKDIR, which
# gets a Makefile.bq2 whose targets do nothing: both runners then start the same two `make`
# processes a step, so a run measures what the runner itself adds. Both tools know this strategy.
write_make_plan() {
  file=$1 n=$2 wd=$3
  mkdir -p "$wd"
  printf 'all:\n\t@:\ninstall:\n\t@:\n' >"$wd/Makefile.bq2"
  {
    printf '{\n  "format_version": 2,\n  "phases": [\n    {\n'
    printf '      "name": "bench",\n      "description": "bench: %s makefile-classic steps",\n' "$n"
    printf '      "namespace": "host",\n      "install_prefix": "/",\n      "env": {},\n      "steps": [\n'
    i=1
    while [ "$i" -le "$n" ]; do
      sep=,; [ "$i" -eq "$n" ] && sep=
      printf '        {"name": "m%03d", "strategy": "makefile-classic", "workdir": "%s", "configure_flags": [], "patches": [], "env": {}, "clean_build": false}%s\n' "$i" "$wd" "$sep"
      i=$((i + 1))
    done
    printf '      ]\n    }\n  ]\n}\n'
  } >"$file"
}

# The existing (Crystal) tool as the anchor: BQ2_NATIVE_DIR holds its busybox-style links
# sysroot-status and sysroot-runner (build it with ../shared/tools/crystal-bq2/build.sh).
# It wants a host workdir HW whose rootfs is HW/seed-rootfs/bq2-rootfs with a .bq2-rootfs marker.
# Sets native_status / native_runner, or leaves them empty when the tool is not there.
find_native() {
  native_status= native_runner=
  d=${BQ2_NATIVE_DIR:-}
  if [ -n "$d" ] && [ -x "$d/sysroot-status" ] && [ -x "$d/sysroot-runner" ]; then
    native_status=$d/sysroot-status native_runner=$d/sysroot-runner
  else
    echo "bench: BQ2_NATIVE_DIR is not set (or lacks sysroot-status/sysroot-runner): no native rows" >&2
  fi
}
