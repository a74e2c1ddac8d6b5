// Package models finds, inspects, checks and makes the GGUF model files that chimera benchmarks.
//
// It reads GGUF headers without loading tensor data ([ReadFile]), checks that llama.cpp can load a file
// ([Validate]; gemma3 in depth), summarises a model ([Inspect]), writes deterministic synthetic gemma3 models
// with the real or a synthetic SentencePiece vocabulary ([WriteSynthetic]), and turns the model references
// users type into files ([Resolve]): paths, synthetic:<shape>-<type> and Ollama model names.
//
// Every problem with a model file or reference is an [*Error]; other errors come from the environment
// (for example a full disk while writing a synthetic model).
//
// The package is pure Go: it never links llama.cpp.
package models
