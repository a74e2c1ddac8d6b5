#!/usr/bin/env bash
# Before/after for a change to chimera: two chimera binaries and upstream llama-bench (haswell build) on the same
# GGUF, one llama-bench test each, in rotating order round after round, with the per-round ratios printed. Built
# for checks too small for `make bench` (a quick look at one test on one model); docs/benchmarks/cpu.md cites it.
#
#   git worktree add /tmp/before <rev> && (cd /tmp/before && make build) # the binary to compare against
#   bench/ab.sh /tmp/before/bin/chimera bin/chimera /path/model.gguf     # tg64, 3 rounds
#   TEST=pp512 ROUNDS=5 bench/ab.sh ...
#
# Environment: TEST (tgN | ppN, default tg64), ROUNDS (3), REPS (3), THREADS (all cores). Run it under
# `flock /tmp/chimera-bench.lock` on a shared machine.
set -euo pipefail
cd "$(dirname "$0")/.."
if (($# != 3)); then
  echo "usage: bench/ab.sh BEFORE_BINARY AFTER_BINARY MODEL.gguf" >&2
  exit 2
fi
before=$1 after=$2 model=$3
TEST=${TEST:-tg64}
ROUNDS=${ROUNDS:-3}
REPS=${REPS:-3}
THREADS=${THREADS:-$(nproc)}
case $TEST in
pp[0-9]*) sizes=(-p "${TEST#pp}" -n 0) ctx=${TEST#pp} ;;
tg[0-9]*) sizes=(-p 0 -n "${TEST#tg}") ctx=${TEST#tg} ;;
*) echo "bench/ab: TEST is ppN or tgN, got $TEST" >&2 && exit 2 ;;
esac
go build -o bin/benchreport ./bench/report
upstream=$(bench/upstream.sh) || upstream=
db=$(mktemp -d)
trap 'rm -rf "$db"' EXIT

# tps RUNNER: the test's avg_ts for one run of RUNNER (before, after or upstream).
tps() {
  case $1 in
  before | after)
    local bin=$before
    [[ $1 == after ]] && bin=$after
    "$bin" --db "$db/$1.db" bench -m "$model" "${sizes[@]}" -r "$REPS" --threads "$THREADS" --num-ctx "$((ctx > 16 ? ctx : 16))" -o json ;;
  upstream) "$upstream/llama-bench-v3" -m "$model" "${sizes[@]}" -r "$REPS" -t "$THREADS" -o json ;;
  esac 2>/dev/null | bin/benchreport line /dev/stdin | sed 's/^[a-z0-9]* //; s/ tok\/s//'
}

runners=(before after)
[[ -n $upstream ]] && runners+=(upstream)
echo "$TEST, $THREADS threads, $REPS repetitions, $ROUNDS rounds; tok/s per runner, then after ÷ before and after ÷ upstream"
for ((r = 0; r < ROUNDS; r++)); do
  declare -A got=()
  line="round $((r + 1)):"
  for ((k = 0; k < ${#runners[@]}; k++)); do
    runner=${runners[$(((r + k) % ${#runners[@]}))]}
    got[$runner]=$(tps "$runner")
    line+="  $runner ${got[$runner]}"
  done
  line+="  |  after÷before $(awk -v a="${got[after]}" -v b="${got[before]}" 'BEGIN { printf "%.2f", a / b }')"
  if [[ -n $upstream ]]; then
    line+="  after÷upstream $(awk -v a="${got[after]}" -v b="${got[upstream]}" 'BEGIN { printf "%.2f", a / b }')"
  fi
  echo "$line"
done
