#!/usr/bin/env bash
# Submits a sweep as a Slurm job array of N shards and the job that collects them once every shard has ended.
#   submit.sh DIR N SWEEP-FLAGS...     e.g. submit.sh /shared/sweeps/gemma 4 -m gemma3:12b --num-gpu 0-49+7,all
# DIR is on storage that every node and the collect job see. Each task gets GPUS_PER_TASK GPUs (default 1; 0 for
# a CPU sweep); other sbatch options come from sbatch's own SBATCH_* variables (SBATCH_PARTITION, SBATCH_TIMELIMIT).
# The collect job runs whether the shards succeeded or not (afterany): where one failed, it names the cells missing
# and fails. SHARDS=K[,K...] then submits those shards again, each measuring only the cells its earlier runs did not
# finish, and a new collect job: SHARDS=3 submit.sh DIR N SWEEP-FLAGS... (the same N and flags).
# Prints the two job ids: "array JOB collect JOB".
set -euo pipefail
if [[ $# -lt 2 || ! $2 =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: [SHARDS=K,...] $0 DIR N SWEEP-FLAGS..." >&2
  exit 2
fi
mkdir -p "$1/log"
dir=$(cd "$1" && pwd)
n=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
gpus=()
if [[ ${GPUS_PER_TASK:-1} != 0 ]]; then
  gpus=(--gpus-per-task="${GPUS_PER_TASK:-1}")
fi
array=$(sbatch --parsable --array="${SHARDS:-1-$n}" "${gpus[@]}" --export="ALL,SHARD_COUNT=$n" \
  --output="$dir/log/shard-%a.out" "$here/sweep.sbatch" "$dir" "$@")
array=${array%%;*}
collect=$(sbatch --parsable --dependency="afterany:$array" --output="$dir/log/collect.out" \
  "$here/collect.sbatch" "$dir")
echo "array ${array} collect ${collect%%;*}"
