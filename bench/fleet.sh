#!/usr/bin/env bash
# Issue 13: wall time of three demo rootfs through `bq2 fleet submit` on a throwaway single-node
# Slurm cluster (until `bq2 fleet status` says every rootfs complete and its job ended), against
# the same three built one after another with `bq2 iterate --all-phases --rootfs ...`, in the
# same hyperfine run (fresh demo rootfs before every run of either). Also times the polling a
# controller does: `squeue` and `sacct` as `bq2 fleet status` calls them, and `bq2 fleet status`
# and `bq2 fleet summary` on the three rootfs.
# Usage: bench/fleet.sh [RUNS] [N_ROOTFS]     (default 3 runs, 3 rootfs)
# Env: BENCH_JOBS (make jobs of each runner, default 1), BENCH_CPUS (sbatch --cpus-per-task, default 1).
# Needs root, bash, hyperfine, slurm-wlm, munge, ss (iproute2). Results: docs/benchmarks.md.
set -euo pipefail
here=$(cd -- "$(dirname -- "$0")" && pwd)
. "$here/lib.sh"
. "$here/slurm-cluster.sh"
need hyperfine hyperfine
need sbatch slurm-wlm
need slurmctld slurm-wlm
need slurmd slurm-wlm
need munged munge
need ss iproute2
runs=${1:-3}
n=${2:-3}
jobs=${BENCH_JOBS:-1}
cpus=${BENCH_CPUS:-1}

work=$(mktemp -d "${TMPDIR:-/tmp}/bq2-bench-fleet.XXXXXX")
slurm_pids=
cleanup() {
  # Jobs first (their autopilots stop cleanly), then the daemons we started, by pid.
  if [ -n "$slurm_pids" ]; then
    scancel --full --partition=bench 2>/dev/null || true
    slurm_stop
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

warm_launcher
machine_info
slurm_start "$work/slurm"
echo "slurm:   $(sinfo --version), node $(hostname -s) with $(nproc) CPUs, jobs --cpus $cpus, runners --jobs $jobs"

roots=()
for i in $(seq "$n"); do roots+=("$work/demo$i/rootfs"); done

# Fresh demo rootfs (plan, no state): every run of either command starts from the same files.
cat >"$work/prepare.sh" <<PREP
#!/usr/bin/env bash
set -e
rm -rf $work/demo* $work/bq2-fleet.json $work/bq2-fleet.json.lock
for i in \$(seq $n); do "$bq2" demo --write-only --dir "$work/demo\$i" >/dev/null; done
PREP

# One after another: what one machine does without a scheduler.
cat >"$work/sequential.sh" <<SEQ
#!/usr/bin/env bash
set -e
for r in ${roots[*]}; do "$bq2" iterate --all-phases --rootfs "\$r" --quiet --jobs $jobs >/dev/null; done
SEQ

# Through the fleet: submit, then poll `bq2 fleet status --json` until every rootfs is complete
# and its job has ended (its autopilot wrote its journal and exited). Poll interval 1 s.
cat >"$work/fleet.sh" <<FLEET
#!/usr/bin/env bash
set -e
cd $work
"$bq2" fleet submit --engine slurm --cpus $cpus --jobs $jobs ${roots[*]} >/dev/null
while :; do
  s=\$("$bq2" fleet status --json)
  done_=\$(printf '%s' "\$s" | grep -c '"next_phase" *: *"complete"' || true)
  ended=\$(printf '%s' "\$s" | grep -c '"state" *: *"COMPLETED"' || true)
  [ "\$done_" -eq $n ] && [ "\$ended" -eq $n ] && break
  if printf '%s' "\$s" | grep -qE '"state" *: *"(FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY)'; then
    echo "fleet: a job ended unfinished:" >&2; printf '%s\n' "\$s" >&2; exit 1
  fi
  sleep 1
done
FLEET
chmod +x "$work/prepare.sh" "$work/sequential.sh" "$work/fleet.sh"

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
hyperfine --runs "$runs" --prepare "$work/prepare.sh" \
  --export-json "$work/wall.json" --export-markdown "$work/wall.md" \
  -n "sequential: $n x bq2 iterate --all-phases" "$work/sequential.sh" \
  -n "fleet: bq2 fleet submit + status until complete" "$work/fleet.sh"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
cat "$work/wall.md"

# What a controller pays per poll, on the fleet of the last run (complete; its jobs still listed
# by squeue for MinJobAge), and on a fleet of MANY copies of its first rootfs (same jobs, cycled),
# so the cost per rootfs is the difference. sacct is not timed: this cluster has no slurmdbd,
# and `fleet status` asks sacct only for jobs squeue no longer lists.
cd "$work"
many=${BENCH_MANY:-30}
mapfile -t ids < <(grep -oE '"job_id" *: *"[0-9]+"' bq2-fleet.json | grep -oE '[0-9]+')
mkdir -p "$work/many"
{
  printf '{"version": 1, "engine": "slurm", "builds": ['
  for i in $(seq "$many"); do
    cp -a "${roots[0]}" "$work/many/r$i"
    [ "$i" -gt 1 ] && printf ','
    printf '{"rootfs": "%s", "name": "bq2-r%d", "job_id": "%s", "submitted": "%s", "options": ["--jobs", "%s"], "log": "%s"}' \
      "$work/many/r$i" "$i" "${ids[$(( (i - 1) % ${#ids[@]} ))]}" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$jobs" "$work/many/r$i/fleet.out"
  done
  printf ']}\n'
} >"$work/many.json"
hyperfine -N --runs 20 --warmup 2 --export-markdown "$work/poll.md" \
  -n "squeue --states=all (as fleet status)" "squeue --noheader --states=all --format=%i|%T|%M|%r|%j" \
  -n "bq2 fleet status ($n rootfs)" "$bq2 fleet status --fleet $work/bq2-fleet.json" \
  -n "bq2 fleet status ($many rootfs)" "$bq2 fleet status --fleet $work/many.json" \
  -n "bq2 fleet summary ($n rootfs)" "$bq2 fleet summary --fleet $work/bq2-fleet.json" \
  -n "bq2 fleet summary ($many rootfs)" "$bq2 fleet summary --fleet $work/many.json"
cat "$work/poll.md"
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "bytes of one demo rootfs after its build (du -sb): $(du -sb "${roots[0]}" | cut -f1)," \
  "of which logs $(du -sb "${roots[0]}/var/lib/sysroot-build-logs" | cut -f1)," \
  "sessions $(du -sb "${roots[0]}/var/lib/sysroot-build-sessions" | cut -f1)"
