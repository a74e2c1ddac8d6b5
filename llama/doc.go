// Package llama is chimera's thin cgo binding over llama.cpp's C API (llama.h). It is the only package that
// imports "C". The llama.cpp and ggml sources come from the pinned module github.com/ollama/ollama, whose
// llama/llama.cpp/src package compiles them (with ggml's CPU backend) into the binary; GPU backends are shared
// libraries loaded at Init.
//
// One file per topic of llama.h: backend and devices (backend.go), model load (model.go), context (context.go),
// batch and decode (batch.go), vocabulary, tokenization and detokenization (vocab.go), chat template (chat.go),
// sampler chains (sampler.go), KV cache memory (memory.go), performance counters (perf.go), log (log.go) and
// version (version.go). Functions map to llama.h calls, with Go errors where llama.cpp returns codes, and with
// checks in front of the calls on which llama.cpp would assert and abort the process (settings out of range,
// logits that are not finite, batches larger than the context takes). What to do with the calls — generating,
// stop strings, prefix reuse, benchmarks — is package pipeline/runner's.
//
// # Concurrency and lifetimes
//
// Init, Devices, HasGPU and SystemInfo may be called from any goroutine, Init concurrently with the others. One
// Model may serve several goroutines, each with its own Context (a Context is used by one goroutine at a time).
// Model.Close while contexts are open frees nothing: the last Context.Close frees the model.
//
// llama.cpp explains failures only in its log, whose callback is process-wide and names no context. The reason
// in the error of a failed load, context creation or llama_decode is made of the error lines logged on the OS
// thread that made the call, while it ran (errorsDuring): never another goroutine's, but without the lines of
// threads llama.cpp starts itself.
//
// LoadReport's load_ms is LoadModel's wall time, from llama_model_load_from_file to its return, measured in Go
// with a monotonic clock.
package llama
