# A throwaway single-node Slurm cluster in a temp folder (sourced by bench/fleet.sh, bash).
# munged, slurmctld and slurmd run in the foreground of background jobs, so their pids are ours;
# slurm_stop ends them by those pids. Every file (key, config, state, spool, logs, sockets) is
# under $1. Needs root (slurmd), munge and slurm-wlm (Debian: apt-get install slurm-wlm munge).

# A TCP port nothing listens on (the kernel's own choice would need a helper program).
free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 30000))
    ss -Htln "sport = :$p" 2>/dev/null | grep -q . || { echo "$p"; return; }
  done
}

slurm_start() {
  local d=$1 host cpus mem i
  mkdir -p "$d/state" "$d/spool" "$d/munge"
  chmod 0700 "$d/munge"
  dd if=/dev/urandom of="$d/munge/munge.key" bs=1024 count=1 status=none
  chmod 0400 "$d/munge/munge.key"
  munged -F --force --key-file="$d/munge/munge.key" --socket="$d/munge/munge.sock" \
    --pid-file="$d/munge/munged.pid" --log-file="$d/munge/munged.log" --seed-file="$d/munge/seed" \
    >"$d/munge/munged.out" 2>&1 &
  slurm_pids="$!"
  for i in $(seq 100); do [ -S "$d/munge/munge.sock" ] && break; sleep 0.1; done
  [ -S "$d/munge/munge.sock" ] || { echo "bench: munged did not start; $d/munge/munged.log:" >&2; cat "$d/munge/munged.log" >&2; return 1; }
  host=$(hostname -s)
  cpus=$(nproc)
  mem=$(awk '/MemTotal/ {printf "%d", $2 / 1024 * 0.9}' /proc/meminfo)
  cat >"$d/slurm.conf" <<CONF
ClusterName=bq2bench
SlurmctldHost=$host
SlurmctldPort=$(free_port)
SlurmdPort=$(free_port)
AuthType=auth/munge
AuthInfo=socket=$d/munge/munge.sock
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$d/state
SlurmdSpoolDir=$d/spool
SlurmctldPidFile=$d/slurmctld.pid
SlurmdPidFile=$d/slurmd.pid
SlurmctldLogFile=$d/slurmctld.log
SlurmdLogFile=$d/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
SchedulerParameters=sched_interval=1
MinJobAge=600
NodeName=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=bench Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
  export SLURM_CONF=$d/slurm.conf
  slurmctld -D -i >"$d/slurmctld.out" 2>&1 &
  slurm_pids="$slurm_pids $!"
  slurmd -D >"$d/slurmd.out" 2>&1 &
  slurm_pids="$slurm_pids $!"
  for i in $(seq 300); do
    [ "$(sinfo -h -o %T 2>/dev/null)" = idle ] && return 0
    sleep 0.1
  done
  echo "bench: the Slurm node did not become idle; $d/slurmctld.log and $d/slurmd.log:" >&2
  tail -n 20 "$d/slurmctld.log" "$d/slurmd.log" >&2
  return 1
}

# Ends the daemons we started, by pid (slurmd first), and waits for them.
slurm_stop() {
  local p
  for p in $(echo "$slurm_pids" | tr ' ' '\n' | tac); do kill "$p" 2>/dev/null || true; done
  for p in $slurm_pids; do wait "$p" 2>/dev/null || true; done
  slurm_pids=
}
