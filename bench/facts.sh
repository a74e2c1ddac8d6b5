#!/usr/bin/env bash
# What `chimera facts` costs on a large tree of benchmark artifacts (docs/benchmarks/facts.md); the last step of
# `make bench` (bench/run.sh), or alone:
#
#  1. builds chimera (unless make did), bench/report and bench/factstree;
#  2. writes the tree: bench/factstree's deterministic 3,800-file sweep (CSV, JSON, JSONL, Markdown and llama-bench
#     logs in gpu80_ctx512_temp0p8-style setting folders, replicate runs, failed requests, out-of-memory cells);
#  3. runs `chimera facts` on it FACTS_ROUNDS times under /usr/bin/time -v, one round after the other;
#  4. prints wall time, CPU time and peak RSS against the goal (within 5 s and 300 MB) and writes them into
#     FACTS_DOC between markers (text outside them is kept). Missing the goal is reported, not an error: only a
#     failing `chimera facts` fails the step.
#
#   bench/facts.sh                        # about 15 s on 2 cores today; rewrites the generated block of facts.md
#   FACTS_ROUNDS=5 FACTS_DOC= bench/facts.sh
#
# Environment: FACTS_ROUNDS (3), FACTS_DOC (docs/benchmarks/facts.md; empty: print only), FACTS_OUT
# (.cache/bench/facts-<UTC time>; a reused one starts empty). The machine is shared: run it under
# `flock /tmp/chimera-bench.lock`.
set -euo pipefail
cd "$(dirname "$0")/.."

FACTS_ROUNDS=${FACTS_ROUNDS:-3}
FACTS_DOC=${FACTS_DOC-docs/benchmarks/facts.md}
FACTS_OUT=${FACTS_OUT:-.cache/bench/facts-$(date -u +%Y%m%dT%H%M%SZ)}

say() { echo "bench facts: $*" >&2; }

# 1. The binaries, with the one set of cgo flags.
if [[ ! -x /usr/bin/time ]]; then
  say "needs /usr/bin/time (apt-get install time) for wall time and peak RSS"
  exit 1
fi
eval "$(make -s env)"
if [[ -z ${MAKELEVEL:-} ]]; then # `make bench` has built chimera already
  make -s build
fi
# The commit the binary was built from, taken now: others may commit while the rounds run.
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [[ -n $(git status --porcelain --untracked-files=no 2>/dev/null) ]]; then
  commit+=" with uncommitted changes"
fi
go build -o bin/benchreport ./bench/report
go build -o bin/factstree ./bench/factstree

# 2. The tree.
rm -rf "$FACTS_OUT"
mkdir -p "$FACTS_OUT"
tree=$FACTS_OUT/tree
bin/factstree -manifest "$FACTS_OUT"/tree.json "$tree"
say "tree: $(find "$tree" -type f | wc -l) files, $(du -sh "$tree" | cut -f1) on disk, in $tree"

# 3. The rounds.
cmd=(bin/chimera facts --data "$tree")
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
for ((round = 1; round <= FACTS_ROUNDS; round++)); do
  base=$FACTS_OUT/r$(printf %02d "$round")
  if ! /usr/bin/time -v -o "$base.time" "${cmd[@]}" >"$base.txt" 2>"$base.log"; then
    say "chimera facts failed in round $round (${cmd[*]}):"
    tail -20 "$base.log" "$base.time" >&2
    exit 1
  fi
  say "round $round/$FACTS_ROUNDS: $(bin/benchreport facts-line "$base")"
done

# 4. The machine, then the table.
{
  echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "cpu_model=$(lscpu | sed -n 's/^Model name: *//p' | head -1)"
  echo "cores=$(nproc) (nproc)"
  echo "memory=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
  echo "chimera_build=$commit, $(go env GOVERSION), CGO_CFLAGS=$CGO_CFLAGS"
  echo "command=/usr/bin/time -v ${cmd[*]/#$tree/\$TREE}"
  echo "load_start=$load_start"
  echo "load_end=$(cut -d' ' -f1-3 /proc/loadavg)"
} >"$FACTS_OUT"/meta.env

echo
bin/benchreport facts "$FACTS_OUT" ${FACTS_DOC:+"$FACTS_DOC"}
echo
say "raw results in $FACTS_OUT${FACTS_DOC:+; table written to $FACTS_DOC}"
