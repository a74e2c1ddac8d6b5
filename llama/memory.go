package llama

// #include "bridge.h"
import "C"

// MemoryClear empties the KV cache and its data (llama_memory_clear).
func (c *Context) MemoryClear() { C.llama_memory_clear(C.llama_get_memory(c.c), true) }

// MemorySeqRm removes the positions from p0 up to p1 (-1: to the end) of sequence seq from the KV cache
// (llama_memory_seq_rm); false when the cache cannot remove part of a sequence.
func (c *Context) MemorySeqRm(seq, p0, p1 int) bool {
	return bool(C.llama_memory_seq_rm(C.llama_get_memory(c.c), C.llama_seq_id(seq), C.llama_pos(p0), C.llama_pos(p1)))
}
