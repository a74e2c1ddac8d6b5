#!/usr/bin/env bash
# The GPU check. It runs on a machine with an NVIDIA GPU, nvcc and CMake but no Go and no network, in a working
# tree that carries build/gpu-bundle (make gpu-bundle). It builds the CUDA backend from the bundled ggml sources,
# installs dist/ (dist/bin/chimera is the bundled binary), checks that `chimera devices` lists the GPU, then
# measures; then, where glslc and the Vulkan headers are installed, it builds the Vulkan backend into a lib dir of
# its own and checks and measures it there too (else it says in one line what is missing). Everything lands in
# $OUT, 8 files at most:
#   env.txt      GPU, driver, nvcc, glslc, Vulkan drivers, CMake, compiler, OS
#   build.log    the CMake build, then the installed libraries with their NEEDED/RUNPATH entries and ldd; the
#                Vulkan build after them
#   devices.txt  chimera -v devices (default lib dir <exe>/../lib/chimera), then devices --json; the same with the
#                Vulkan lib dir after them
#   bench.jsonl  chimera bench --format json per model, one compact line per JSON value; the Vulkan device's bench
#                of the first model after them
#   sweep.tar.gz chimera sweep --workload agent over num_gpu x num_ctx: its stdout and the files it wrote
#   multi.tar.gz chimera multi chimera-homo, likewise
#   steps.log    each step's stderr, exit status and seconds (the same status lines go to stdout)
#   chimera.db   the run database, when it is under 16 MiB
# A failing step is logged and the next one runs, so one GPU session yields as much as it can. A step starts only
# while the time budget lasts (GPU_CHECK_SECONDS, default 570: inside one 600 s device call) and is stopped when
# it runs out; the steps left are logged as skipped.
#   scripts/gpu-check.sh                 env, build, devices, then bench, sweep, multi and vulkan
#   scripts/gpu-check.sh sweep multi     env, build, devices, then only these (the build is incremental on a warm
#                                        machine; BENCH_MODELS="synthetic:270m-q8_0" narrows a later bench)
# The vulkan step keeps Vulkan out of dist/lib/chimera: there llama.cpp would use a GPU that both backends show
# twice, unless the two report one PCI id, and the CUDA measurements would not be CUDA's alone.
# Settings (environment): CUDA_ARCHS, BENCH_MODELS, BENCH_NUM_GPU, AGENT_MODEL (sweep and multi), SWEEP_NUM_GPU,
# SWEEP_NUM_CTX, OUT. GPU_CHECK_BACKEND=cpu rehearses the whole check on a machine without a GPU: it builds the
# CPU backend library from the bundle instead of CUDA and runs every measurement although no GPU registers.
set -euo pipefail
cd "$(dirname "$0")/.."

export CUDA_ARCHS=${CUDA_ARCHS:-90} backend=${GPU_CHECK_BACKEND:-cuda}
export BENCH_MODELS=${BENCH_MODELS:-synthetic:1b-q8_0 synthetic:1b-q4_0 synthetic:270m-q8_0}
# num_gpu counts the output layer first: 1 puts the tied 262k-token embedding on the GPU; all = every layer.
export BENCH_NUM_GPU=${BENCH_NUM_GPU:-0,1,2,4,8,16,all}
export AGENT_MODEL=${AGENT_MODEL:-synthetic:270m-q8_0}
export SWEEP_NUM_GPU=${SWEEP_NUM_GPU:-0,1,all}
export SWEEP_NUM_CTX=${SWEEP_NUM_CTX:-2048,8192}
budget=${GPU_CHECK_SECONDS:-570}
measurements=("$@")
((${#measurements[@]})) || measurements=(bench sweep multi vulkan)

export bundle=build/gpu-bundle work=$PWD/build/gpu-check chimera=$PWD/dist/bin/chimera
export vulkan=$work/vulkan # the Vulkan backend's prefix: its libraries are in $vulkan/lib/chimera
export out=${OUT:-$work/out}
mkdir -p "$out" "$work"
# chimera's state stays in this tree; the default lib dir is part of what is checked, so no CHIMERA_LIB_DIR.
export CHIMERA_CACHE_DIR=$work/cache CHIMERA_DB=$work/chimera.db
unset CHIMERA_LIB_DIR CHIMERA_TOKENIZER_DIR
if ! command -v nvcc >/dev/null && [[ -x /usr/local/cuda/bin/nvcc ]]; then
  export PATH=$PATH:/usr/local/cuda/bin
fi
[[ -x $bundle/bin/chimera ]] || { echo "gpu-check: $bundle/bin/chimera is missing: run make gpu-bundle and carry $bundle" >&2; exit 1; }
# chimera writes the synthetic models itself, with the real vocabulary when the tokenizer is in its cache.
tokenizer=$CHIMERA_CACHE_DIR/tokenizer/gemma3
if [[ -d $bundle/tokenizer && ! -f $tokenizer/tokenizer_config.json ]]; then
  mkdir -p "$tokenizer"
  for f in tokenizer.json tokenizer_config.json; do gunzip -c "$bundle/tokenizer/$f.gz" >"$tokenizer/$f"; done
fi

say() { echo "gpu-check: $*" | tee -a "$out/steps.log"; }

# compact FILE: each JSON value in FILE as one compact line; FILE as it is when it is not JSON (or no python3).
compact() {
  python3 -c '
import json, sys
text, decoder, i, lines = open(sys.argv[1]).read(), json.JSONDecoder(), 0, []
while True:
    while i < len(text) and text[i].isspace():
        i += 1
    if i == len(text):
        break
    value, i = decoder.raw_decode(text, i)
    lines.append(json.dumps(value, separators=(",", ":")) + "\n")
sys.stdout.write("".join(lines))' "$1" 2>/dev/null || cat "$1"
}

step_env() {
  local c
  for c in "date -u" "uname -a" "cat /etc/os-release" "nproc" "free -g" "nvidia-smi" \
    "nvidia-smi --query-gpu=name,driver_version,memory.total,compute_cap --format=csv" \
    "cat /proc/driver/nvidia/version" "command -v nvcc cmake ninja glslc" "nvcc --version" "cmake --version" "c++ --version" \
    "ldconfig -p | grep -E 'libcuda|libnvidia-ml|libcublas|libcudart|libvulkan'" "ls /usr/share/vulkan/icd.d /etc/vulkan/icd.d"; do
    echo "\$ $c"
    bash -c "$c" 2>&1 || echo "(exit $?)"
    echo
  done
}

# step_build BACKEND PREFIX: the backend built from the bundle and installed into PREFIX, then what was installed.
step_build() {
  local rc=0 lib
  install -D -m 0755 "$bundle/bin/chimera" "$chimera"
  # A build folder of its own: the tests' CPU backend build (build/cmake-cpu) configures the module's sources.
  GGML_SOURCE_DIR=$PWD/$bundle/ggml BUILD_DIR=$work/cmake-$1 scripts/build-backend.sh "$1" "$2" "$CUDA_ARCHS" 2>&1 || rc=$?
  echo "== installed"
  ls -l "$2/lib/chimera" && du -sh "$2"
  for lib in "$2"/lib/chimera/libggml-*.so; do
    echo "== $lib" && readelf -d "$lib" | grep -E 'NEEDED|RUNPATH|RPATH' && ldd "$lib"
  done 2>&1
  return $rc
}

# step_devices [--lib-dir DIR]: chimera -v devices, then devices --json, with the default lib dir or DIR.
step_devices() {
  "$chimera" -v devices "$@" 2>&1
  echo
  "$chimera" devices --json "$@" >"$work/devices.json" && compact "$work/devices.json"
}

# vulkan_missing: what a Vulkan build needs and this machine lacks, one a line: glslc, the Vulkan C++ headers.
vulkan_missing() {
  command -v glslc >/dev/null || echo "glslc"
  local dir
  for dir in /usr/include /usr/local/include ${VULKAN_SDK:+"$VULKAN_SDK/include"}; do
    [[ -f $dir/vulkan/vulkan.hpp ]] && return 0
  done
  echo "the Vulkan headers (vulkan/vulkan.hpp)"
}

# vulkan_device: the first Vulkan device chimera finds in $vulkan's lib dir that takes offloaded layers, by name:
# a GPU, or in a rehearsal any (Mesa's lavapipe, whose hardware is cpu, with GGML_VK_VISIBLE_DEVICES=0).
vulkan_device() {
  "$chimera" devices --lib-dir "$vulkan/lib/chimera" 2>/dev/null |
    awk -v any="$([[ $backend == cpu ]] && echo 1)" '$3 == "Vulkan" && ($2 != "cpu" || any) { print $1; exit }'
}

# step_in DIR COMMAND...: COMMAND in a fresh DIR, where relative output folders (chimera-out) land; stdout to DIR.
step_in() {
  rm -rf "$1" && mkdir -p "$1" && cd "$1" && shift && "$@" >stdout.txt
}

# archive NAME: $work/NAME as $out/NAME.tar.gz, one file whatever the command wrote. Never fails.
archive() {
  if [[ -d $work/$1 ]]; then tar -czf "$out/$1.tar.gz" -C "$work" "$1" || say "$1: could not archive"; fi
}

export -f compact step_env step_build step_devices step_in

# run LABEL FILE COMMAND...: COMMAND (a program or a step_ function) within the time left, stopped when the budget
# runs out; its stdout is appended to $out/FILE, JSON compacted, also when it was stopped; its stderr goes to
# steps.log. Never fails.
run() {
  local label=$1 file=$2 left=$((budget - SECONDS)) start=$SECONDS rc=0 note=
  shift 2
  if ((left < 15)); then
    say "$label: skipped, the ${budget}s budget is spent"
    return 0
  fi
  echo "== $label: $*" >>"$out/steps.log"
  timeout -k 10 "$left" bash -c '"$@"' _ "$@" >"$work/stdout" 2>>"$out/steps.log" || rc=$?
  compact "$work/stdout" >>"$out/$file"
  ((rc != 124 && rc != 137)) || note=" (stopped: the budget ran out)"
  say "$label: exit $rc after $((SECONDS - start))s$note"
}

rm -f "$out"/{env.txt,build.log,devices.txt,bench.jsonl,sweep.tar.gz,multi.tar.gz,steps.log,chimera.db}
run env env.txt step_env
run build build.log step_build "$backend" dist
run devices devices.txt step_devices
gpu=no
grep -Eq '"type": ?"gpu"' "$out/devices.txt" && gpu=yes
for m in "${measurements[@]}"; do
  if [[ $gpu != yes && $backend == cuda && $m != vulkan ]]; then
    say "$m: skipped, no GPU device registered (devices.txt, build.log)"
    continue
  fi
  case $m in
    bench)
      for model in $BENCH_MODELS; do
        run "bench $model" bench.jsonl "$chimera" bench -m "$model" --num-gpu "$BENCH_NUM_GPU" -p 512 -n 128 --reps 5 --format json
      done
      ;;
    sweep)
      run sweep steps.log step_in "$work/sweep" "$chimera" sweep -m "$AGENT_MODEL" --workload agent \
        --num-gpu "$SWEEP_NUM_GPU" --num-ctx "$SWEEP_NUM_CTX"
      archive sweep
      ;;
    multi)
      run multi steps.log step_in "$work/multi" "$chimera" multi -m "$AGENT_MODEL" chimera-homo
      archive multi
      ;;
    vulkan)
      mapfile -t missing < <(vulkan_missing)
      if ((${#missing[@]})); then
        printf -v lacks '%s, ' "${missing[@]}"
        say "vulkan: not built: this machine lacks ${lacks%, }"
        continue
      fi
      run "vulkan build" build.log step_build vulkan "$vulkan"
      run "vulkan devices" devices.txt step_devices --lib-dir "$vulkan/lib/chimera"
      device=$(vulkan_device || true) # awk stops reading at the first match
      if [[ -z $device ]]; then
        say "vulkan: no Vulkan GPU registered (devices.txt, build.log): not measured"
        continue
      fi
      model=${BENCH_MODELS%% *}
      run "vulkan bench $model on $device" bench.jsonl "$chimera" bench --lib-dir "$vulkan/lib/chimera" -m "$model" --device "$device" \
        --num-gpu "$BENCH_NUM_GPU" -p 512 -n 128 --reps 5 --format json
      ;;
    *) say "$m: unknown step (bench, sweep, multi, vulkan)" ;;
  esac
done

# A consistent copy of the database (VACUUM INTO also folds in the WAL), when it fits the 16 MiB a file may have.
if [[ -f $CHIMERA_DB ]]; then
  rm -f "$out/chimera.db"
  python3 -c 'import sqlite3, sys; sqlite3.connect(sys.argv[1]).execute("VACUUM INTO ?", (sys.argv[2],))' \
    "$CHIMERA_DB" "$out/chimera.db" 2>/dev/null || cp "$CHIMERA_DB" "$out/chimera.db"
  (($(stat -c %s "$out/chimera.db") <= 16 << 20)) || { rm "$out/chimera.db"; say "chimera.db: over 16 MiB, left out"; }
fi
sed -n '/^DEVICE/,/^system:/p' "$out/devices.txt" 2>/dev/null || true
ls -l "$out"
