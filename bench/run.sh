#!/usr/bin/env bash
# make bench: chimera against upstream llama.cpp (sid's llama-bench) on the same GGUF with the same settings, then
# chimera's own end-to-end costs. Results go to OUT; the tables are printed and written into docs/benchmarks/cpu.md.
#
#  1. builds chimera (make bench already did) and bench/report, a pure-Go helper that does the arithmetic;
#  2. resolves MODEL (default synthetic:270m-q8_0; chimera writes it into its cache once, with the real gemma3
#     vocabulary when scripts/fetch-tokenizer.sh could get it), so that both programs read the very same file, and
#     MORE_MODELS, measured in the same rounds (default: the same 270m Q8_0 with the synthetic 4,294-token
#     vocabulary, written once into .cache/bench/models/: there per-layer work and per-token overhead dominate a
#     token, where the 262k vocabulary's output matrix dominates it);
#  3. fetches sid's llama-bench (bench/upstream.sh: cached, download only; skipped with a message when sid is out of
#     reach) in two builds: haswell (AVX2, the ISA level chimera is compiled for) and ggml's pick for this CPU;
#  4. runs pp and tg in ROUNDS rounds. In a round every program runs once, with llama-bench's own method (a warm-up,
#     then REPS repetitions of each test), and the order rotates from round to round. The machine is shared: a
#     compile next door slows whatever runs at that moment. Running the programs back to back, in rotating order,
#     spreads such load over all of them, and ratios taken per round keep only what the programs themselves differ by;
#  5. extras (EXTRAS=0 skips): TTFT of a 1,000-token prompt and the per-token sampling cost (chimera generate
#     --json), the agent workflow's time split (chimera run --json), peak RSS of every process (/usr/bin/time -v);
#  6. prints the tables, and writes them into DOC between markers (text outside them, the analysis, is kept);
#  7. FACTS=0 skips: what `chimera facts` costs on a generated 3,800-file tree of artifacts (bench/facts.sh), into
#     FACTS_DOC (docs/benchmarks/facts.md; empty, as it is when DOC is: print only).
#
# Environment: MODEL, MORE_MODELS (space-separated; empty: MODEL alone), THREADS (all cores), ROUNDS (5), REPS (3), PP (512), TG (128), EXTRAS (1), UPSTREAM (1), FACTS (1),
# DOC (docs/benchmarks/cpu.md; empty: print only), OUT (.cache/bench/<UTC time>), IDLE_LOAD and IDLE_WAIT: wait up to
# IDLE_WAIT seconds (600) for the 1-minute load average to drop below IDLE_LOAD before measuring. BUSY=N starts N
# busy loops next to the rounds: how each program copes with a busy neighbour (a compile, another benchmark).
# Rerunning is cheap: the model, the upstream download and the Go builds are cached; only the measurements rerun.
set -euo pipefail
cd "$(dirname "$0")/.."

MODEL=${MODEL:-synthetic:270m-q8_0}
THREADS=${THREADS:-$(nproc)}
ROUNDS=${ROUNDS:-5}
REPS=${REPS:-3}
PP=${PP:-512}
TG=${TG:-128}
EXTRAS=${EXTRAS:-1}
BUSY=${BUSY:-0}
UPSTREAM=${UPSTREAM:-1}
FACTS=${FACTS:-1}
DOC=${DOC-docs/benchmarks/cpu.md}
OUT=${OUT:-.cache/bench/$(date -u +%Y%m%dT%H%M%SZ)}
busy_note=
if ((BUSY > 0)); then
  busy_note=" next to $BUSY busy loops"
fi
# Both programs get the same explicit settings (llama-bench's defaults). llama-bench sizes n_ctx to each test;
# chimera bench uses one context for both tests, so it gets the larger of the two.
BATCH=2048 UBATCH=512 FLASH_ATTN=auto CACHE_TYPE=f16
NUM_CTX=$((PP > TG ? PP : TG))

say() { echo "bench: $*" >&2; }

# The one set of CGO flags (anything else would rebuild llama.cpp).
eval "$(make -s env)"
if [[ -z ${MAKELEVEL:-} ]]; then # `make bench` has built these already
  make -s build tokenizer
fi
go build -o bin/benchreport ./bench/report

# A reused OUT starts empty: the report reads every file it finds there.
rm -rf "$OUT"/rounds "$OUT"/extras
mkdir -p "$OUT"/rounds "$OUT"/extras
# chimera records every bench and run in SQLite; these go to their own database, not the user's run history.
export CHIMERA_DB=$OUT/chimera.db

timev=()
if [[ -x /usr/bin/time ]]; then
  timev=(/usr/bin/time -v -o)
else
  say "/usr/bin/time not found (apt-get install time): peak RSS is not measured"
fi
# timed FILE CMD...: runs CMD under /usr/bin/time -v, writing its report to FILE.time.
timed() {
  local file=$1
  shift
  if ((${#timev[@]})); then "${timev[@]}" "$file.time" "$@"; else "$@"; fi
}

# 2. The model files. chimera is given MODEL itself (so that a synthetic model stays labelled as one) and resolves it
# to this same file; llama-bench is given the file. Every other model's results go to their own directory.
small_vocab=.cache/bench/models/synthetic-270m-q8_0-synthvocab.gguf
if [[ ! -v MORE_MODELS && ! -s $small_vocab ]]; then
  mkdir -p "$(dirname "$small_vocab")"
  bin/chimera models synth --shape 270m --type q8_0 --vocab synthetic --out "$small_vocab" >&2
fi
MORE_MODELS=${MORE_MODELS-$small_vocab}
read -ra more_models <<<"$MORE_MODELS"
rm -rf "$OUT"/more
model_refs=("$MODEL" "${more_models[@]}")
model_dirs=("$OUT")
for ((i = 1; i < ${#model_refs[@]}; i++)); do
  model_dirs+=("$OUT/more/$i")
done
model_files=()
for ((i = 0; i < ${#model_refs[@]}; i++)); do
  mkdir -p "${model_dirs[$i]}"/rounds
  bin/chimera models show --json "${model_refs[$i]}" >"${model_dirs[$i]}"/model.json
  model_files+=("$(bin/benchreport model-path "${model_dirs[$i]}"/model.json)")
  say "model ${model_refs[$i]}: ${model_files[$i]}"
done

# 3. Upstream.
upstream=
if [[ $UPSTREAM == 1 ]]; then
  if upstream=$(bench/upstream.sh); then
    say "upstream llama-bench $(cat "$upstream"/VERSION)"
  else
    upstream=
    say "upstream llama.cpp unavailable: measuring chimera alone"
  fi
fi

if [[ -n ${IDLE_LOAD:-} ]]; then
  deadline=$((SECONDS + ${IDLE_WAIT:-600}))
  while awk -v max="$IDLE_LOAD" '{ exit !($1 >= max) }' /proc/loadavg && ((SECONDS < deadline)); do
    say "waiting for the load average to drop below $IDLE_LOAD: $(cut -d' ' -f1-3 /proc/loadavg)"
    sleep 15
  done
fi
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
if awk '{ exit !($1 > 1.0) }' /proc/loadavg; then
  say "the machine is busy (load $load_start): expect wide ranges; the per-round ratios still compare like with like"
fi

# 4. Interleaved rounds.
measure() { # round runner model-index
  local round=$1 runner=$2 m=$3 base cmd
  base=${model_dirs[$m]}/rounds/r$(printf %02d "$round")-$runner
  case $runner in
  chimera)
    cmd=(bin/chimera bench -m "${model_refs[$m]}" -p "$PP" -n "$TG" -r "$REPS" --threads "$THREADS" --num-ctx "$NUM_CTX"
      --batch "$BATCH" --ubatch "$UBATCH" --flash-attn "$FLASH_ATTN" --cache-type "$CACHE_TYPE" -o json) ;;
  upstream-*)
    cmd=("$upstream/llama-bench-${runner#upstream-}" -m "${model_files[$m]}" -p "$PP" -n "$TG" -r "$REPS" -t "$THREADS"
      -b "$BATCH" -ub "$UBATCH" -fa "$FLASH_ATTN" -ctk "$CACHE_TYPE" -ctv "$CACHE_TYPE" -o json) ;;
  esac
  cut -d' ' -f1 /proc/loadavg >"$base.load"
  # The load average counts the benchmark's own threads (and lags by a minute), so it cannot tell whether someone
  # else used the CPU meanwhile. The machine's busy time from /proc/stat before and after, minus the process's own
  # user+sys time from /usr/bin/time, can: bench/report turns it into cores used by others, and hypervisor steal.
  head -1 /proc/stat >"$base.stat"
  if ! timed "$base" "${cmd[@]}" >"$base.json" 2>"$base.log"; then
    say "$runner failed in round $round (${cmd[*]}):"
    tail -20 "$base.log" >&2
    exit 1
  fi
  head -1 /proc/stat >>"$base.stat"
  printf 'bench: round %d/%d  model %d  %-13s  %s  (%s)\n' "$round" "$ROUNDS" "$m" "$runner" \
    "$(bin/benchreport line "$base.json")" "$(bin/benchreport others "$base")" >&2
}
runners=(chimera)
if [[ -n $upstream ]]; then
  runners+=(upstream-v3 upstream-best)
fi
busy_pids=()
stop_busy() {
  for pid in "${busy_pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  busy_pids=()
}
trap stop_busy EXIT
for ((i = 0; i < BUSY; i++)); do
  bash -c 'while :; do :; done' &
  busy_pids+=($!)
done
say "pp$PP and tg$TG, $ROUNDS rounds × ${#model_refs[@]} models × (${runners[*]}), warm-up + $REPS repetitions each, $THREADS threads$busy_note"
for ((round = 1; round <= ROUNDS; round++)); do
  for ((m = 0; m < ${#model_refs[@]}; m++)); do
    for ((k = 0; k < ${#runners[@]}; k++)); do
      measure "$round" "${runners[$(((round - 1 + k) % ${#runners[@]}))]}" "$m"
    done
  done
done
stop_busy

# 5. chimera's end-to-end costs.
if [[ $EXTRAS == 1 ]]; then
  # 999 common words, each one token in gemma3's vocabulary: with BOS, a 1,000-token raw prompt (the report prints
  # the count chimera actually got, which differs with the synthetic vocabulary).
  awk 'BEGIN { n = split("the of and to in is that for it as was with be by on not he this are or his from at " \
    "which but have an they you were her she there one all we their been has", w, " ")
    for (i = 0; i < 999; i++) printf "%s%s", (i ? " " : ""), w[i % n + 1] }' >"$OUT"/extras/prompt-1000.txt
  for i in 1 2 3; do
    say "generate $i/3: 1,000-token prompt, 128 tokens"
    timed "$OUT/extras/generate-$i" bin/chimera generate -m "$MODEL" --raw --prompt-file "$OUT"/extras/prompt-1000.txt \
      --num-predict 128 --threads "$THREADS" --json >"$OUT/extras/generate-$i.json" 2>"$OUT/extras/generate-$i.log"
  done
  say "run: the agent workflow on examples/artifacts"
  timed "$OUT"/extras/run bin/chimera run -m "$MODEL" --threads "$THREADS" --json --out "$OUT"/extras/run-out \
    >"$OUT"/extras/run.json 2>"$OUT"/extras/run.log
fi

# 6. Describe the machine and the builds, then the tables.
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [[ -n $(git status --porcelain --untracked-files=no 2>/dev/null) ]]; then
  commit+=" with uncommitted changes"
fi
{
  echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
  lscpu_field() { lscpu | sed -n "s/^$1: *//p" | head -1; }
  # Which of the ISA extensions that matter to ggml the CPU has (chimera is built for AVX2; upstream picks).
  isa=$(grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n' | grep -xE 'avx2|avx512f|avx512_vnni|avx512_bf16|avx_vnni|amx_tile' | paste -sd' ')
  echo "cpu_model=$(lscpu_field 'Model name'), family $(lscpu_field 'CPU family') model $(lscpu_field 'Model'); $isa"
  echo "cores=$(nproc) online ($(lscpu_field 'Socket(s)') socket, $(lscpu_field 'Core(s) per socket') cores per socket, $(lscpu_field 'Thread(s) per core') thread per core)"
  echo "memory=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
  echo "kernel=$(uname -r)"
  echo "os=$(sed -n 's/^PRETTY_NAME="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' /etc/os-release)"
  echo "chimera_commit=$commit"
  echo "chimera_build=$(go env GOVERSION), llama.cpp ec98e2002 (ollama v0.17.4), CGO_CFLAGS=$CGO_CFLAGS"
  echo "chimera_system_info=$(bin/chimera -v devices 2>&1 | sed -n 's/^system: //p' | head -1 | sed 's/[ |]*$//')"
  if [[ -n $upstream ]]; then
    echo "upstream_version=llama-bench $(cat "$upstream"/VERSION); Debian sid $(paste -sd, "$upstream"/PACKAGES | sed 's/,/, /g')"
  fi
  echo "settings=$THREADS threads$busy_note, batch $BATCH, ubatch $UBATCH, flash attention $FLASH_ATTN, KV cache $CACHE_TYPE, mmap; n_ctx: llama-bench the test size, chimera $NUM_CTX"
  echo "rounds=$ROUNDS"
  echo "reps=$REPS"
  echo "load_start=$load_start"
  echo "load_end=$(cut -d' ' -f1-3 /proc/loadavg)"
} >"$OUT"/meta.env

echo
bin/benchreport table "$OUT" ${DOC:+"$DOC"}
echo
say "raw results in $OUT${DOC:+; tables written to $DOC}"

# 7. chimera facts on a large tree: its own page.
if [[ $FACTS == 1 ]]; then
  FACTS_OUT=$OUT/facts FACTS_DOC=${FACTS_DOC-${DOC:+docs/benchmarks/facts.md}} bench/facts.sh
fi
