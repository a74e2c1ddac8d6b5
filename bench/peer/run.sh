#!/usr/bin/env bash
# make bench-peer: chimera's agent workflow against Ollama v0.17.4 (the version chimera pins) on the same GGUF with
# the same settings. Results go to OUT; the tables are printed and written into docs/benchmarks/peer-ollama.md.
#
#  1. builds chimera (make bench-peer already did), bench/report (for its model-path helper) and
#     bench/peer/replay, the Go client that replays calls on Ollama and does the arithmetic;
#  2. builds Ollama (bench/peer/build-ollama.sh: cached; skipped with a message, exit 0, when it cannot be built);
#  3. resolves MODEL (default synthetic:270m-q8_0, with the real gemma3 vocabulary when `make tokenizer` got it)
#     and creates it in a private Ollama store from the very same file (Modelfile `FROM <gguf>`);
#  4. runs ROUNDS rounds, alternating who goes first. chimera: `chimera run -m MODEL --threads THREADS --json`
#     under /usr/bin/time -v. Ollama: a fresh server on 127.0.0.1 (a free port), the replay of the newest chimera
#     run's calls (this round's, or the previous round's when Ollama goes first: a run's calls exist only once it
#     has made them), the peak RSS of the server and its runner, then the server is stopped;
#  5. checks that both sides did equal work, prints the tables and writes them into DOC between markers (text
#     outside them, the analysis, is kept). Unequal work fails the run and leaves DOC alone.
#
# Environment: MODEL, THREADS (all cores), ROUNDS (4), DOC (docs/benchmarks/peer-ollama.md; empty: print only),
# OUT (.cache/peer/results/<UTC time>). The machine is shared: run it under `flock /tmp/chimera-bench.lock`.
set -euo pipefail
cd "$(dirname "$0")/../.."

MODEL=${MODEL:-synthetic:270m-q8_0}
THREADS=${THREADS:-$(nproc)}
ROUNDS=${ROUNDS:-4}
DOC=${DOC-docs/benchmarks/peer-ollama.md}
OUT=${OUT:-.cache/peer/results/$(date -u +%Y%m%dT%H%M%SZ)}
NAME=chimera-peer # the model's name in the private Ollama store

say() { echo "bench-peer: $*" >&2; }
fail() { # message, log
  say "$1; the last lines of $2:"
  tail -20 "$2" >&2
  exit 1
}

# 1. chimera and the helpers, with the one set of cgo flags.
eval "$(make -s env)"
if [[ -z ${MAKELEVEL:-} ]]; then # `make bench-peer` has built these already
  make -s build tokenizer
fi
go build -o bin/benchreport ./bench/report
go build -o bin/peer-replay ./bench/peer/replay
if [[ ! -x /usr/bin/time ]]; then
  say "needs /usr/bin/time (apt-get install time) for chimera's wall time and peak RSS"
  exit 1
fi

# 2. Ollama.
status=0
peer=$(bench/peer/build-ollama.sh) || status=$?
if ((status == 3)); then
  say "skipped: Ollama cannot be built here (the reason is above); nothing was measured"
  exit 0
elif ((status != 0)); then
  exit "$status"
fi
ollama=$peer/ollama/bin/ollama

rm -rf "$OUT"/rounds
mkdir -p "$OUT"/rounds "$peer"/models "$peer"/home
cp "$peer"/FETCHED "$OUT"/FETCHED
export CHIMERA_DB=$OUT/chimera.db # the rounds' runs, apart from the user's history

# 3. The model, one file for both.
bin/chimera models show --json "$MODEL" >"$OUT"/model.json
model=$(bin/benchreport model-path "$OUT"/model.json)
say "model $MODEL: $model"

# A free port on the loopback interface: one nothing answers on.
free_port() {
  local port
  for port in $(shuf -i 20000-60000 -n 100); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
  say "no free port found on 127.0.0.1"
  exit 1
}
host=127.0.0.1:$(free_port)
# Ollama's settings: its own HOME (it writes a key pair there) and model store, the loopback address only, one
# sequence, one model kept loaded, and the attention and KV cache chimera uses (flash attention, which chimera's
# "auto" turns on for the CPU; f16). OLLAMA_DEBUG=1 makes the runner log how many prompt tokens it found cached.
ollama_env=(HOME="$peer"/home OLLAMA_HOST="$host" OLLAMA_MODELS="$peer"/models OLLAMA_NUM_PARALLEL=1
  OLLAMA_MAX_LOADED_MODELS=1 OLLAMA_KEEP_ALIVE=-1 OLLAMA_FLASH_ATTENTION=1 OLLAMA_KV_CACHE_TYPE=f16 OLLAMA_DEBUG=1)

server_pid=
start_server() { # log
  env "${ollama_env[@]}" "$ollama" serve >"$1" 2>&1 &
  server_pid=$!
  for _ in $(seq 100); do
    if curl -fsS "http://$host/api/version" >/dev/null 2>&1; then
      return
    fi
    kill -0 "$server_pid" 2>/dev/null || fail "ollama serve exited" "$1"
    sleep 0.2
  done
  fail "ollama serve did not answer on $host within 20 s" "$1"
}
stop_server() {
  if [[ -n $server_pid ]]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=
  fi
}
trap stop_server EXIT

# The peak resident set (VmHWM) of the server and of the runners it started, read while they still run.
vmhwm() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
record_rss() { # file
  local runner=0 pid
  for pid in $(pgrep -P "$server_pid"); do
    runner=$((runner + $(vmhwm "$pid")))
  done
  ((runner > 0)) || fail "no runner process found under ollama serve ($server_pid)" "${1%.rss}.log"
  printf 'server_kib=%s\nrunner_kib=%s\n' "$(vmhwm "$server_pid")" "$runner" >"$1"
}

printf 'FROM %s\n' "$model" >"$OUT"/Modelfile
start_server "$OUT"/create-server.log
env "${ollama_env[@]}" "$ollama" create "$NAME" -f "$OUT"/Modelfile >"$OUT"/create.log 2>&1 ||
  fail "ollama create $NAME (FROM $model) failed" "$OUT"/create.log
stop_server

# 4. The rounds.
chimera_cmd=(bin/chimera run -m "$MODEL" --threads "$THREADS" --json --out "$OUT"/chimera-out)
replay_cmd=(bin/peer-replay calls -db "$CHIMERA_DB" -url "http://$host" -model "$NAME")
measure_chimera() { # base
  /usr/bin/time -v -o "$1-chimera.time" "${chimera_cmd[@]}" >"$1-chimera.json" 2>"$1-chimera.log" ||
    fail "chimera run failed (${chimera_cmd[*]})" "$1-chimera.log"
}
measure_ollama() { # base
  start_server "$1-server.log"
  "${replay_cmd[@]}" >"$1-ollama.json" 2>"$1-ollama.log" || fail "the replay on Ollama failed" "$1-ollama.log"
  record_rss "$1-ollama.rss"
  stop_server
}

load_start=$(cut -d' ' -f1-3 /proc/loadavg)
say "$ROUNDS rounds of chimera run and its replay on Ollama, $THREADS threads each"
for ((round = 1; round <= ROUNDS; round++)); do
  base=$OUT/rounds/r$(printf %02d "$round")
  order=(chimera ollama)
  if ((round % 2 == 0)); then
    order=(ollama chimera)
  fi
  echo "${order[*]}" >"$base.order"
  for side in "${order[@]}"; do
    say "round $round/$ROUNDS: $side"
    "measure_$side" "$base"
  done
done

# 5. The machine, the builds and the commands, then the tables.
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [[ -n $(git status --porcelain --untracked-files=no 2>/dev/null) ]]; then
  commit+=" with uncommitted changes"
fi
lscpu_field() { lscpu | sed -n "s/^$1: *//p" | head -1; }
{
  echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "cpu_model=$(lscpu_field 'Model name')"
  echo "cores=$(nproc) online"
  echo "memory=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
  echo "kernel=$(uname -r)"
  echo "os=$(sed -n 's/^PRETTY_NAME="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' /etc/os-release)"
  echo "chimera_build=$commit, $(go env GOVERSION), CGO_CFLAGS=$CGO_CFLAGS"
  echo "ollama_build=$(cat "$peer"/ollama/STAMP); go build of the Go module, CGO_CPPFLAGS=-I.cache/peer/include"
  echo "model=$MODEL ($model)"
  echo "settings=$THREADS threads; flash attention: chimera auto (on for the CPU), Ollama OLLAMA_FLASH_ATTENTION=1; KV cache f16; one sequence (OLLAMA_NUM_PARALLEL=1)"
  echo "load_start=$load_start"
  echo "load_end=$(cut -d' ' -f1-3 /proc/loadavg)"
  echo "cmd_chimera=CHIMERA_DB=\$OUT/chimera.db /usr/bin/time -v ${chimera_cmd[*]/#$OUT/\$OUT}"
  echo "cmd_server=${ollama_env[*]//$peer/.cache/peer} ollama serve"
  echo "cmd_create=ollama create $NAME -f Modelfile"
  echo "cmd_replay=${replay_cmd[*]/#$OUT/\$OUT}"
} >"$OUT"/meta.env

echo
bin/peer-replay report "$OUT" ${DOC:+"$DOC"}
echo
say "raw results in $OUT${DOC:+; tables written to $DOC}"
