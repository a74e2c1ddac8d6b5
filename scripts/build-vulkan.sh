#!/usr/bin/env bash
# make vulkan: libggml-vulkan.so (and libggml-base.so.0) from the pinned module's ggml sources, installed into
# dist/lib/chimera beside CUDA's. Needs glslc, the Vulkan headers and loader, SPIR-V headers and CMake (docs/gpu.md).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
exec "$root/scripts/build-backend.sh" vulkan "$root/dist"
