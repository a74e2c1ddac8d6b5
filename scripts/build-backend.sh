#!/usr/bin/env bash
# Builds ggml backend libraries with the root CMakeLists.txt and installs them into PREFIX/lib/chimera, the folder
# chimera loads backends from when it runs as PREFIX/bin/chimera.
#   scripts/build-backend.sh cuda PREFIX ARCHS   libggml-cuda.so for the CUDA architectures ARCHS ("80;86;89;90")
#   scripts/build-backend.sh vulkan PREFIX       libggml-vulkan.so, from a patched copy of the sources (see below)
#   scripts/build-backend.sh cpu  PREFIX         libggml-cpu.so, only to test the dynamic-loading path
# Environment: GGML_SOURCE_DIR, the ggml tree (default: the pinned module's, found with go; a GPU machine without
# Go passes a copy); BUILD_DIR, the CMake build folder (default build/cmake-BACKEND, kept so rebuilds are
# incremental); JOBS, parallel compile jobs (default: all cores).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
usage="usage: build-backend.sh cpu|vulkan PREFIX | build-backend.sh cuda PREFIX ARCHS"
backend=${1:?$usage}
prefix=${2:?$usage}
case $backend in
  cpu) options=(-DCHIMERA_CPU=ON) ;;
  cuda) options=(-DCHIMERA_CUDA=ON "-DCMAKE_CUDA_ARCHITECTURES=${3:?$usage}") ;;
  vulkan) options=(-DCHIMERA_VULKAN=ON) ;;
  *) echo "$usage" >&2; exit 2 ;;
esac
if [[ -z ${GGML_SOURCE_DIR:-} ]]; then
  GGML_SOURCE_DIR=$(cd "$root" && go list -m -f '{{.Dir}}' github.com/ollama/ollama)/ml/backend/ggml/ggml
fi
build=${BUILD_DIR:-$root/build/cmake-$backend}

# ggml-vulkan cannot build from the module's tree as it is (docs/gpu.md, "Vulkan"): the module omits the glslc
# probes in vulkan-shaders/feature-tests/, and Debian 12's Vulkan headers (1.3.239) lack vk::LayerSettingEXT. The
# sources are copied once per source tree, with scripts/vulkan's probes and patch added; the copy keeps its
# timestamps across runs, so a rebuild stays incremental. It lies beside the build folder that configures it
# (build/ggml-vulkan-src for make vulkan's), so that two build folders of two trees do not take turns copying.
if [[ $backend == vulkan ]]; then
  copy=${BUILD_DIR:+$BUILD_DIR-src}
  copy=${copy:-$root/build/ggml-vulkan-src}
  if [[ $(cat "$copy/.chimera-source" 2>/dev/null) != "$GGML_SOURCE_DIR" ]]; then
    rm -rf "$copy" "$copy.tmp"
    mkdir -p "$(dirname "$copy")"
    cp -R "$GGML_SOURCE_DIR" "$copy.tmp"
    chmod -R u+w "$copy.tmp" # the module cache is read-only
    mkdir -p "$copy.tmp/src/ggml-vulkan/vulkan-shaders/feature-tests"
    cp -n "$root"/scripts/vulkan/feature-tests/*.comp "$copy.tmp/src/ggml-vulkan/vulkan-shaders/feature-tests/"
    patch -s -d "$copy.tmp" -p1 <"$root/scripts/vulkan/layer-settings.patch"
    echo "$GGML_SOURCE_DIR" >"$copy.tmp/.chimera-source"
    mv "$copy.tmp" "$copy"
  fi
  GGML_SOURCE_DIR=$copy
fi
mkdir -p "$prefix"
prefix=$(cd "$prefix" && pwd)

# Ninja schedules nvcc jobs better than make; a build folder keeps the generator it was created with.
if [[ -z ${CMAKE_GENERATOR:-} && ! -f $build/CMakeCache.txt ]] && command -v ninja >/dev/null; then
  export CMAKE_GENERATOR=Ninja
fi
cmake -S "$root" -B "$build" -DGGML_SOURCE_DIR="$GGML_SOURCE_DIR" "${options[@]}"
cmake --build "$build" --parallel "${JOBS:-$(nproc)}"
# The folder keeps the other GPU backends (make cuda and make vulkan both install there) but never a CPU backend
# left by an earlier build: it would add a second CPU device.
rm -f "$prefix"/lib/chimera/libggml-cpu*.so
cmake --install "$build" --prefix "$prefix" --strip
