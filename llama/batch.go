package llama

// #include "bridge.h"
import "C"

import (
	"errors"
	"fmt"
	"unsafe"
)

// ErrAborted is the error of a llama_decode that a cancel interrupted (see AbortOnCancel).
var ErrAborted = errors.New("llama_decode aborted")

// Decode runs tokens through the model at the positions after those already in the KV cache, in batches of at
// most the context's batch size (llama_batch_get_one, llama_decode), then waits for the backend
// (llama_synchronize). Only the last token's logits are computed.
func (c *Context) Decode(tokens []Token) error {
	staging := unsafe.Slice((*Token)(unsafe.Pointer(c.tokens)), c.batch)
	for start := 0; start < len(tokens); start += c.batch {
		n := copy(staging, tokens[start:])
		var rc C.int32_t
		reason := errorsDuring(func() { rc = C.llama_decode(c.c, C.llama_batch_get_one(c.tokens, C.int32_t(n))) })
		if rc != 0 {
			return decodeError(int(rc), reason)
		}
	}
	C.llama_synchronize(c.c)
	return nil
}

// decodeError turns llama_decode's code into an error; reason is what llama.cpp logged during the call.
func decodeError(rc int, reason string) error {
	switch rc {
	case 1:
		return fmt.Errorf("llama_decode: no room left in the KV cache")
	case 2:
		return ErrAborted
	default:
		return fmt.Errorf("llama_decode failed (code %d): %s", rc, orUnknown(reason))
	}
}
