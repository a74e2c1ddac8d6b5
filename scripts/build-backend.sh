#!/usr/bin/env bash
# Builds ggml backend libraries with the root CMakeLists.txt and installs them into PREFIX/lib/chimera, the folder
# chimera loads backends from when it runs as PREFIX/bin/chimera.
#   scripts/build-backend.sh cuda PREFIX ARCHS   libggml-cuda.so for the CUDA architectures ARCHS ("80;86;89;90")
#   scripts/build-backend.sh cpu  PREFIX         libggml-cpu.so, only to test the dynamic-loading path
# Environment: GGML_SOURCE_DIR, the ggml tree (default: the pinned module's, found with go; a GPU machine without
# Go passes a copy); BUILD_DIR, the CMake build folder (default build/cmake-BACKEND, kept so rebuilds are
# incremental); JOBS, parallel compile jobs (default: all cores).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
usage="usage: build-backend.sh cpu PREFIX | build-backend.sh cuda PREFIX ARCHS"
backend=${1:?$usage}
prefix=${2:?$usage}
case $backend in
  cpu) options=(-DCHIMERA_CPU=ON) ;;
  cuda) options=(-DCHIMERA_CUDA=ON "-DCMAKE_CUDA_ARCHITECTURES=${3:?$usage}") ;;
  *) echo "$usage" >&2; exit 2 ;;
esac
if [[ -z ${GGML_SOURCE_DIR:-} ]]; then
  GGML_SOURCE_DIR=$(cd "$root" && go list -m -f '{{.Dir}}' github.com/ollama/ollama)/ml/backend/ggml/ggml
fi
build=${BUILD_DIR:-$root/build/cmake-$backend}
mkdir -p "$prefix"
prefix=$(cd "$prefix" && pwd)

# Ninja schedules nvcc jobs better than make; a build folder keeps the generator it was created with.
if [[ -z ${CMAKE_GENERATOR:-} && ! -f $build/CMakeCache.txt ]] && command -v ninja >/dev/null; then
  export CMAKE_GENERATOR=Ninja
fi
cmake -S "$root" -B "$build" -DGGML_SOURCE_DIR="$GGML_SOURCE_DIR" "${options[@]}"
cmake --build "$build" --parallel "${JOBS:-$(nproc)}"
# The folder holds exactly this build's libraries: a CPU backend left beside CUDA would add a second CPU device.
rm -rf "$prefix/lib/chimera"
cmake --install "$build" --prefix "$prefix" --strip
