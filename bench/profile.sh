#!/usr/bin/env bash
# Where the time goes: perf profiles of one llama-bench test for chimera and for sid's llama-bench builds on the same
# file, then a Go CPU profile (pprof) of chimera's own benchmark. Not part of `make bench` (perf slows what it
# watches); run it by hand when bench/run.sh shows a gap:
#
#   bench/profile.sh                 # tg128
#   TEST=pp512 bench/profile.sh
#
# perf sees inside llama.cpp and ggml (chimera is not stripped; sid's libraries keep their exported symbols). The Go
# profiler cannot: it samples Go threads only, and time inside C shows as runtime.cgocall. What pprof does show is
# whether anything on the Go side (the binding, sampling glue, GC) costs time.
#
# Environment: TEST (tg128 | pp512 | tgN | ppN), MODEL, THREADS (all cores), REPS (3), OUT (.cache/bench/profile-<time>).
set -euo pipefail
cd "$(dirname "$0")/.."

TEST=${TEST:-tg128}
MODEL=${MODEL:-synthetic:270m-q8_0}
THREADS=${THREADS:-$(nproc)}
REPS=${REPS:-3}
OUT=${OUT:-.cache/bench/profile-$(date -u +%Y%m%dT%H%M%SZ)}

case $TEST in
pp[0-9]*) n=${TEST#pp} sizes=(-p "$n" -n 0) gobench=PP512 ;;
tg[0-9]*) n=${TEST#tg} sizes=(-p 0 -n "$n") gobench=TG128 ;;
*) echo "bench/profile: TEST is ppN or tgN, got $TEST" >&2 && exit 2 ;;
esac
if ! command -v perf >/dev/null; then
  echo "bench/profile: perf not found (apt-get install linux-perf)" >&2
  exit 1
fi

eval "$(make -s env)"
if [[ -z ${MAKELEVEL:-} ]]; then
  make -s build
fi
go build -o bin/benchreport ./bench/report
mkdir -p "$OUT"
export CHIMERA_DB=$OUT/chimera.db
bin/chimera models show --json "$MODEL" >"$OUT"/model.json
model=$(bin/benchreport model-path "$OUT"/model.json)
upstream=$(bench/upstream.sh) || upstream=

# profile NAME CMD...: records CMD, prints its throughput line and its hottest symbols (self time).
profile() {
  local name=$1
  shift
  echo "== $name (load $(cut -d' ' -f1 /proc/loadavg)): $*"
  perf record -q -F 999 -g -o "$OUT/$name.perf" -- "$@" >"$OUT/$name.json" 2>"$OUT/$name.log"
  echo "   $(bin/benchreport line "$OUT/$name.json")"
  perf report -i "$OUT/$name.perf" --no-children --sort dso,sym --stdio -g none --percent-limit 1 2>/dev/null |
    grep '%' | cut -c1-120 | tee "$OUT/$name.top"
}

profile chimera bin/chimera bench -m "$MODEL" "${sizes[@]}" -r "$REPS" --threads "$THREADS" --num-ctx "$((n > 16 ? n : 16))" -o json
if [[ -n $upstream ]]; then
  for variant in v3 best; do
    profile "upstream-$variant" "$upstream/llama-bench-$variant" -m "$model" "${sizes[@]}" -r "$REPS" -t "$THREADS" -o json
  done
fi

# The Go side: chimera's go benchmark for the same test, under the Go profiler.
echo "== go test -bench $gobench/270m, pprof -top"
CHIMERA_BENCH_MODEL=$model CHIMERA_BENCH_THREADS=$THREADS go test -run '^$' -bench "^Benchmark$gobench\$/270m" \
  -benchtime "${REPS}x" -cpuprofile "$OUT"/go-cpu.pprof -o "$OUT"/runner.test ./pipeline/runner | grep -E '^Benchmark'
go tool pprof -top -nodecount 15 "$OUT"/runner.test "$OUT"/go-cpu.pprof 2>/dev/null | tee "$OUT"/go-cpu.top
echo "bench/profile: profiles in $OUT (perf report -i $OUT/chimera.perf)"
