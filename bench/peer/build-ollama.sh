#!/usr/bin/env bash
# Builds Ollama, the version chimera pins in go.mod (github.com/ollama/ollama v0.17.4), from the Go module with
# chimera's cgo flags, and prints the directory that holds the binary (bin/ollama) and FETCHED, which says what
# was fetched for the build and from where. A rerun finds the stamp and returns at once; FORCE=1 builds again.
#
# Everything lives in .cache/peer/ (git-ignored); nothing is installed and chimera's go.mod is untouched:
#   ollama/   a scratch module that requires Ollama; its go.sum is put together from verified sources only:
#             chimera's own go.sum lines for Ollama (its module hash) and Ollama's own go.sum (its dependencies'
#             hashes, in the module that hash covers), plus the malgo lines pinned below. The go command then
#             verifies every download against go.sum and never needs the checksum database.
#   include/  the headers Go module zips leave out (they drop every vendor/ directory, and Ollama's llama.cpp
#             keeps them in llama/llama.cpp/vendor/), given to cgo with CGO_CPPFLAGS=-I.cache/peer/include:
#               nlohmann/json.hpp, json_fwd.hpp   Debian sid's nlohmann-json3-dev (Ollama vendors 3.12.0)
#               stb/stb_image.h                   Debian sid's libstb-dev (Ollama vendors stb_image 2.30)
#               miniaudio/miniaudio.h             the Go module github.com/gen2brain/malgo, which ships it
#                                                 (v0.11.24 ships miniaudio 0.11.23; Ollama vendors 0.11.24-dev;
#                                                 Debian does not package miniaudio). Only audio input uses it.
#             The .debs are fetched download-only through a private apt configuration (its own sources list,
#             lists and empty dpkg status: the system's apt state is neither read nor changed) and unpacked with
#             dpkg-deb -x, from the mirror the system's apt uses (or DEBIAN_MIRROR); the system keyring verifies
#             sid's Release file.
# Exit status 3 with one line on stderr when the Go module proxy or Debian cannot be reached: the caller skips the
# comparison. Any other failure exits 1 and names its log. Results are moved into place only once complete.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
dir=$root/.cache/peer
debs=(nlohmann-json3-dev libstb-dev)
# github.com/gen2brain/malgo v0.11.24, its hashes as the Go checksum database served them on 2026-12-02.
malgo=github.com/gen2brain/malgo
malgo_version=v0.11.24
malgo_sums="$malgo $malgo_version h1:hHcIJVfzWcEDHFdPl5Dl/CUSOjzOleY0zzAV8Kx+imE=
$malgo $malgo_version/go.mod h1:f9TtuN7DVrXMiV/yIceMeWpvanyVzJQMlBecJFVMxww="

say() { echo "bench/peer/build-ollama: $*" >&2; }
skip() {
  say "$*; skipping the Ollama comparison"
  exit 3
}
fail() {
  say "$1 failed; the last lines of $2:"
  tail -20 "$2" >&2
  exit 1
}

# The one set of cgo flags (chimera's), plus the include directory for the headers above.
eval "$(make -s env)"
version=$(go list -m -f '{{.Version}}' github.com/ollama/ollama 2>/dev/null) ||
  skip "github.com/ollama/ollama is not in the module cache and the Go module proxy cannot be reached"
stamp="ollama $version; CGO_CFLAGS=$CGO_CFLAGS; CGO_CXXFLAGS=$CGO_CXXFLAGS; $(go env GOVERSION)"
if [[ ${FORCE:-0} != 1 && -x $dir/ollama/bin/ollama && -s $dir/FETCHED && $(cat "$dir"/ollama/STAMP 2>/dev/null) == "$stamp" ]]; then
  echo "$dir"
  exit 0
fi
if ! command -v apt-get >/dev/null || ! command -v dpkg-deb >/dev/null; then
  skip "needs apt-get and dpkg-deb (a Debian-based system) to fetch the headers"
fi
mkdir -p "$dir"
work=$(mktemp -d "$dir"/build.XXXXXX)
trap 'rm -rf "$work"' EXIT

# module_dir MODULE[@VERSION]: downloads the module (verified against go.sum) and prints its directory.
module_dir() {
  local dir
  dir=$(go mod download -json "$1" 2>>"$work"/go.log | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
  [[ -n $dir ]] && echo "$dir"
}

# The Debian mirror the system's apt uses (its first archive that is not the security one), unless DEBIAN_MIRROR.
debian_mirror() {
  if [[ -n ${DEBIAN_MIRROR:-} ]]; then
    echo "$DEBIAN_MIRROR"
    return
  fi
  cat /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null |
    sed -nE 's/^URIs: *([^ ]+).*/\1/p; s/^deb +(\[[^]]*\] +)?([^ ]+).*/\2/p' | grep -v -- -security | head -1
}

# Debian's headers, download-only, from sid through a private apt.
fetch_debs() {
  local apt=$dir/apt mirror
  mirror=$(debian_mirror) || true
  [[ -n $mirror ]] || skip "no Debian mirror in the system's apt sources (set DEBIAN_MIRROR)"
  mkdir -p "$apt"/lists/partial "$apt"/cache/archives/partial "$work"/debs
  echo "deb $mirror sid main" >"$apt"/sources.list
  : >"$apt"/status
  local opts=(
    -o Dir::Etc::SourceList="$apt"/sources.list -o Dir::Etc::SourceParts=/dev/null
    -o Dir::State="$apt" -o Dir::State::Lists="$apt"/lists -o Dir::State::status="$apt"/status
    -o Dir::Cache="$apt"/cache -o APT::Architecture=amd64 -o Debug::NoLocking=1 -o APT::Sandbox::User=root -qq
  )
  apt-get "${opts[@]}" --error-on=any update >"$work"/apt.log 2>&1 || skip "cannot reach Debian sid at $mirror (DEBIAN_MIRROR)"
  (cd "$work"/debs && apt-get "${opts[@]}" download "${debs[@]}") >>"$work"/apt.log 2>&1 ||
    skip "downloading ${debs[*]} from sid failed"
  for deb in "$work"/debs/*.deb; do
    dpkg-deb -x "$deb" "$work"/root
  done
  rm -rf "$apt"/lists "$apt"/cache # the package indexes, fetched again on a rebuild anyway
  mkdir -p "$work"/include/stb
  cp -r "$work"/root/usr/include/nlohmann "$work"/include/
  cp "$work"/root/usr/include/stb/stb_image.h "$work"/include/stb/
  local json stb
  json=$(sed -n 's/.*| *version \([0-9.]*\)$/\1/p' "$work"/include/nlohmann/json.hpp | head -1)
  stb=$(sed -n 's/.*stb_image - \(v[0-9.]*\).*/\1/p' "$work"/include/stb/stb_image.h | head -1)
  {
    echo "- $(deb_name nlohmann-json3-dev) (Debian sid, download only): nlohmann/json.hpp and json_fwd.hpp, version $json"
    echo "- $(deb_name libstb-dev) (Debian sid, download only): stb/stb_image.h, stb_image $stb"
  } >>"$work"/FETCHED
}

deb_name() { # package: its name and version, from the downloaded .deb
  local deb=("$work"/debs/"$1"_*.deb)
  echo "$(dpkg-deb -f "${deb[0]}" Package) $(dpkg-deb -f "${deb[0]}" Version)"
}

# The scratch module: Ollama's hash from chimera's go.sum, its dependencies' from Ollama's go.sum.
write_module() {
  local mod=$work/ollama ollama_dir
  ollama_dir=$(module_dir "github.com/ollama/ollama@$version") ||
    skip "github.com/ollama/ollama@$version is not in the module cache and the Go module proxy cannot be reached"
  mkdir -p "$mod"/bin
  cat >"$mod"/go.mod <<EOF
// Generated by chimera's bench/peer/build-ollama.sh: builds Ollama $version, nothing else.
module chimera.local/peer/ollama

go $(go env GOVERSION | sed 's/^go//')

require (
	github.com/ollama/ollama $version
	$malgo $malgo_version // ships miniaudio.h
)
EOF
  {
    grep "^github.com/ollama/ollama ${version}[ /]" go.sum
    cat "$ollama_dir"/go.sum
    echo "$malgo_sums"
  } >"$mod"/go.sum
  echo "- github.com/ollama/ollama $version (Go module proxy; its hash from chimera's go.sum, its dependencies' from its own go.sum)" >>"$work"/FETCHED
  # Ollama's dependencies, downloaded (or found in the module cache) before anything is compiled.
  (cd "$mod" && go list -deps github.com/ollama/ollama) >/dev/null 2>>"$work"/go.log ||
    skip "Ollama's dependencies cannot be had (the Go module proxy unreachable?): $(tail -1 "$work"/go.log)"
}

fetch_miniaudio() {
  local malgo_dir
  malgo_dir=$(cd "$work"/ollama && module_dir "$malgo") ||
    skip "the Go module proxy cannot be reached for $malgo $malgo_version"
  mkdir -p "$work"/include/miniaudio
  cp "$malgo_dir"/miniaudio.h "$work"/include/miniaudio/
  echo "- $malgo $malgo_version (Go module proxy, verified against the pinned go.sum lines): its miniaudio.h, $(sed -n 's/^miniaudio - \(v[0-9.]*\).*/miniaudio \1/p' "$malgo_dir"/miniaudio.h | head -1)" >>"$work"/FETCHED
}

build() {
  say "building Ollama $version with $CGO_CFLAGS (compiles llama.cpp and ggml again: several minutes on 2 cores)"
  (cd "$work"/ollama && CGO_CPPFLAGS="$CGO_CPPFLAGS -I$dir/include" go build -trimpath \
    -ldflags "-X github.com/ollama/ollama/version.Version=${version#v}" -o bin/ollama github.com/ollama/ollama) \
    >"$work"/build.log 2>&1 || {
    cp "$work"/build.log "$dir"/build.log
    fail "go build" "$dir"/build.log
  }
  echo "$stamp" >"$work"/ollama/STAMP
}

fetch_debs
write_module
fetch_miniaudio
# cgo is pointed at the final include directory, so it has to be in place before the build; the binary and its
# stamp are moved in only once the build succeeded.
rm -rf "$dir"/include && mv "$work"/include "$dir"/include
build
rm -rf "$dir"/ollama && mv "$work"/ollama "$dir"/ollama
mv "$work"/FETCHED "$dir"/FETCHED
say "Ollama $version built in $dir/ollama/bin"
echo "$dir"
