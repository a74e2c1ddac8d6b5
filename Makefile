# Every entry point of chimera. The CGO_* flags below are the only ones used anywhere (build, test, vet, bench,
# CI): changing them invalidates the whole cgo cache and costs a full llama.cpp rebuild (3-5 minutes on 2 cores).
SHELL := /bin/bash
.DEFAULT_GOAL := build

# MARCH is the CPU the binary is built for. x86-64-v3 (AVX2, FMA) runs on any x86 server of the last decade;
# MARCH=native adds AVX-512/VNNI where the build machine has them (prompt processing +17-30 % on a Zen 5,
# docs/benchmarks/cpu.md) but the binary then runs only on such CPUs. Each value has its own cgo cache entries.
MARCH ?= x86-64-v3

export CGO_ENABLED  := 1
export CGO_CFLAGS   := -O3 -march=$(MARCH)
export CGO_CXXFLAGS := -O3 -march=$(MARCH)
export CGO_CPPFLAGS :=
export CGO_LDFLAGS  :=

GO        ?= go
BIN       := bin/chimera
HEADERS   := third_party/include/llama.h
FUZZTIME  ?= 100000x
CUDA_ARCHS ?= 80;86;89;90

.PHONY: deps headers tokenizer build test vet race fuzz run bench bench-peer cuda vulkan dist gpu-bundle default-march gpu-check env clean

deps: headers tokenizer

headers: $(HEADERS)
$(HEADERS): go.mod go.sum third_party/sync-headers.sh
	$(GO) mod download
	./third_party/sync-headers.sh

# The real gemma3 vocabulary is optional: without network the synthetic vocabulary is used instead.
tokenizer:
	-./scripts/fetch-tokenizer.sh

build: $(HEADERS)
	$(GO) build -trimpath -buildvcs=auto -ldflags "-X 'chimera/pipeline/engine.cgoCFlags=$(CGO_CFLAGS)'" -o $(BIN) .

vet: $(HEADERS)
	$(GO) vet ./...

test: $(HEADERS)
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 30m ./...
	$(MAKE) --no-print-directory race
	$(MAKE) --no-print-directory fuzz

# The race detector: the pure packages whole, and the tests that run goroutines against llama.cpp and SQLite (the
# rest of those suites adds minutes under -race and no concurrency). Its first run builds llama.cpp once more.
race: $(HEADERS)
	$(GO) test -race -count=1 ./pipeline/stats ./pipeline/artifacts ./pipeline/render ./pipeline/agents
	$(GO) test -race -count=1 -run 'Concurrent|Multi|Outlives|Interrupt' ./llama ./pipeline/workflows ./store

fuzz: $(HEADERS)
	./scripts/fuzz.sh $(FUZZTIME)

run: build tokenizer
	./$(BIN) run

bench: build tokenizer
	./bench/run.sh

# chimera's agent workflow against Ollama v0.17.4 on the same GGUF (docs/benchmarks/peer-ollama.md); the first run
# builds Ollama into .cache/peer (several minutes), and says so and does nothing when it cannot be built here.
bench-peer: build tokenizer
	./bench/peer/run.sh

cuda: $(HEADERS)
	./scripts/build-cuda.sh "$(CUDA_ARCHS)"

# Needs glslc, libvulkan-dev, spirv-headers and cmake (docs/gpu.md); the first build takes about 9 minutes on 2 cores.
vulkan: $(HEADERS)
	./scripts/build-vulkan.sh

# The install layout, on a machine with nvcc and cmake: dist/bin/chimera, dist/lib/chimera/ (docs/gpu.md), with the
# Vulkan backend too where glslc is installed.
dist: build cuda $(if $(shell command -v glslc),vulkan)
	install -D -m 0755 $(BIN) dist/bin/chimera

# What scripts/gpu-check.sh needs on a GPU machine without Go or network, in build/gpu-bundle; prints its size.
gpu-bundle: default-march build
	./scripts/gpu-bundle.sh

default-march:
	@[[ "$(MARCH)" == x86-64-v3 ]] || { echo "$(MAKECMDGOALS): the GPU machine's CPU may lack $(MARCH)'s instructions: use the default MARCH" >&2; exit 2; }

# On the GPU machine: builds the CUDA backend from build/gpu-bundle, installs dist/ and measures (docs/gpu.md).
gpu-check:
	./scripts/gpu-check.sh

# Prints the build environment for shells and editors: eval "$$(make -s env)"
env:
	@echo 'export CGO_ENABLED=$(CGO_ENABLED)'
	@echo 'export CGO_CFLAGS="$(CGO_CFLAGS)"'
	@echo 'export CGO_CXXFLAGS="$(CGO_CXXFLAGS)"'
	@echo 'export CGO_CPPFLAGS="$(CGO_CPPFLAGS)"'
	@echo 'export CGO_LDFLAGS="$(CGO_LDFLAGS)"'

clean:
	rm -rf bin dist third_party/include
