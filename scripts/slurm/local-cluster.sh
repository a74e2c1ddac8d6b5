#!/usr/bin/env bash
# A real single-node Slurm (and its munge) living entirely under DIR, for tests and trials: nothing in /etc.
#   local-cluster.sh start DIR   starts munged, slurmctld and slurmd, waits for the node to be idle and prints
#                                the line to source (export SLURM_CONF=DIR/slurm.conf) before sbatch/squeue
#   local-cluster.sh stop DIR    cancels the jobs and stops the daemons that start started (by their pid files)
# SLURMCTLD_PORT and SLURMD_PORT choose the ports (default 6817 and 6818).
# munged wants every directory above its socket searchable by all (a test's t.TempDir() is not).
# Needs Debian's slurmctld, slurmd, slurm-client and munge; see /work/shared/notes/slurm.md for the pitfalls.
set -euo pipefail
usage() { echo "usage: $0 start|stop DIR" >&2; exit 2; }
[[ $# == 2 ]] || usage
cmd=$1
mkdir -p "$2"
dir=$(cd "$2" && pwd)
export SLURM_CONF=$dir/slurm.conf

start() {
  mkdir -p "$dir"/{munge,spool,state,log}
  chmod 755 "$dir/munge" # munged refuses a socket directory of mode 700
  head -c 1024 /dev/urandom >"$dir/munge/munge.key"
  chmod 400 "$dir/munge/munge.key"
  munged --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket.2" \
    --pid-file="$dir/munge/munged.pid" --log-file="$dir/log/munged.log" --seed-file="$dir/munge/munge.seed"

  local host cpus
  host=$(hostname -s)
  cpus=$(nproc)
  cat >"$SLURM_CONF" <<CONF
ClusterName=chimera-local
SlurmctldHost=$host
SlurmctldPort=${SLURMCTLD_PORT:-6817}
SlurmdPort=${SLURMD_PORT:-6818}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket.2
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
MailProg=/bin/true
ReturnToService=2
# A failed afterok dependency would otherwise pend forever, and so would an impossible request.
DependencyParameters=kill_invalid_depend
EnforcePartLimits=ALL
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=local Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
  slurmctld -f "$SLURM_CONF"
  slurmd -f "$SLURM_CONF"
  for _ in $(seq 100); do
    if [[ $(sinfo -h -o %T 2>/dev/null) == idle ]]; then
      echo "export SLURM_CONF=$SLURM_CONF"
      return
    fi
    sleep 0.2
  done
  echo "local-cluster: the node did not become idle in 20 s; logs in $dir/log" >&2
  exit 1
}

# stop signals each daemon by its pid file and waits for it to exit, so that a second cluster can start at once.
stop() {
  [[ -f $SLURM_CONF ]] && scancel --full --quiet --user="$(id -un)" 2>/dev/null || true
  local pids=() f
  for f in slurmd.pid slurmctld.pid; do
    if [[ -f $dir/$f ]]; then pids+=("$(cat "$dir/$f")"); fi
  done
  terminate "${pids[@]}"
  if [[ -f $dir/munge/munged.pid ]]; then
    terminate "$(cat "$dir/munge/munged.pid")"
  fi
}

terminate() {
  local pid
  for pid in "$@"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "$@"; do
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  done
}

case $cmd in
  start) start ;;
  stop) stop ;;
  *) usage ;;
esac
