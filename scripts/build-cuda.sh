#!/usr/bin/env bash
# make cuda: libggml-cuda.so (and libggml-base.so.0 with the CUDA runtime) for the CUDA architectures $1, from the
# pinned module's ggml sources, installed into dist/lib/chimera. make dist adds dist/bin/chimera.
# The architecture list has one home, the Makefile's CUDA_ARCHS: make cuda CUDA_ARCHS=90 for an H100-only build.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
exec "$root/scripts/build-backend.sh" cuda "$root/dist" "${1:?usage: build-cuda.sh ARCHS, e.g. \"80;86;89;90\"}"
