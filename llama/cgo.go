package llama

// #cgo CPPFLAGS: -I${SRCDIR}/../third_party/include
// #cgo LDFLAGS: -ldl
// #include "bridge.h"
import "C"

import (
	// The pinned module's package compiles llama.cpp and ggml (with the built-in CPU backend) into the binary.
	_ "github.com/ollama/ollama/llama/llama.cpp/src"
)
