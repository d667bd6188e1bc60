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
