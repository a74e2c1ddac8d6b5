#!/usr/bin/env bash
# Copies the llama.cpp and ggml public headers from the pinned ollama module into third_party/include.
# They are build inputs, never committed: the module cache is the single source of third-party code.
set -euo pipefail
cd "$(dirname "$0")/.."
module=$(go list -m -f '{{.Dir}}' github.com/ollama/ollama)
dest=third_party/include
mkdir -p "$dest"
for header in "$module"/llama/llama.cpp/include/*.h "$module"/ml/backend/ggml/ggml/include/*.h; do
  install -m 0644 "$header" "$dest/"
done
echo "$module" > "$dest/.module"
# The llama.cpp commit the module vendors (FETCH_HEAD in its Makefile.sync), which `chimera version` reports.
commit=$(sed -n 's/^FETCH_HEAD=//p' "$module/Makefile.sync")
printf '#define CHIMERA_LLAMA_CPP_COMMIT "%s"\n' "${commit:-unknown}" > "$dest/chimera_llama_cpp_commit.h"
