#!/usr/bin/env bash
# Fills build/gpu-bundle with what scripts/gpu-check.sh needs on a GPU machine that has nvcc and CMake but no Go
# and no network: the binary built here (bin/chimera, x86-64-v3), the part of the pinned module's ggml tree that a
# CUDA or Vulkan configure of CMakeLists.txt reads, and the gemma3 tokenizer, gzipped (34 MB -> 6 MB), when it is
# cached here. The folder is gitignored: carry it with the working tree, which may be 64 MiB in all.
set -euo pipefail
cd "$(dirname "$0")/.."
bundle=build/gpu-bundle
ggml=$(go list -m -f '{{.Dir}}' github.com/ollama/ollama)/ml/backend/ggml/ggml
tokenizer=${CHIMERA_TOKENIZER_DIR:-${CHIMERA_CACHE_DIR:-$HOME/.cache/chimera}/tokenizer/gemma3}

[[ -x bin/chimera ]] || { echo "gpu-bundle: bin/chimera is missing: make build first" >&2; exit 1; }
rm -rf "$bundle"
mkdir -p "$bundle/bin" "$bundle/ggml/src"
install -m 0755 bin/chimera "$bundle/bin/chimera"
# ggml-base's sources and CMake files, the headers, the CUDA and Vulkan backends and the CPU backend's folder
# (ggml-quants.c includes ggml-cpu/ggml-cpu-impl.h); not the other backends.
cp -r "$ggml/LICENSE" "$ggml/cmake" "$ggml/include" "$bundle/ggml/"
cp "$ggml"/src/CMakeLists.txt "$ggml"/src/*.c "$ggml"/src/*.cpp "$ggml"/src/*.h "$bundle/ggml/src/"
cp -r "$ggml/src/ggml-cpu" "$ggml/src/ggml-cuda" "$ggml/src/ggml-vulkan" "$bundle/ggml/src/"
chmod -R u+w "$bundle" # the module cache is read-only, and so would be the copies
# Go files would make `go test ./...` and `go vet ./...` compile the copy as a package of this module.
find "$bundle/ggml" -name '*.go' -delete
if [[ -f $tokenizer/tokenizer.json && -f $tokenizer/tokenizer_config.json ]]; then
  mkdir -p "$bundle/tokenizer"
  for f in tokenizer.json tokenizer_config.json; do
    gzip -c "$tokenizer/$f" >"$bundle/tokenizer/$f.gz"
  done
else
  echo "gpu-bundle: no tokenizer in $tokenizer (make tokenizer): the GPU run will use the synthetic vocabulary" >&2
fi

# What travels to the device: tracked and untracked-but-not-ignored files, plus the carried bundle.
bundle_bytes=$(du -sb "$bundle" | cut -f1)
tree_bytes=$(git ls-files -z --cached --others --exclude-standard | du -cb --files0-from=- 2>/dev/null | tail -1 | cut -f1)
awk -v b="$bundle_bytes" -v t="$tree_bytes" -v dir="$bundle" 'BEGIN {
  printf "gpu-bundle: %s is %.1f MiB; with the working tree %.1f MiB travel (limit 64 MiB)\n", dir, b / 2^20, (b + t) / 2^20 }'
