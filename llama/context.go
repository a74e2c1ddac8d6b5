package llama

// #include "bridge.h"
import "C"

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"unsafe"
)

// ContextParams are the per-context settings.
type ContextParams struct {
	NumCtx       int    `json:"num_ctx"`       // context window in tokens (num_ctx)
	Batch        int    `json:"batch"`         // logical batch: the most prompt tokens given to one llama_decode
	UBatch       int    `json:"ubatch"`        // physical micro-batch
	Threads      int    `json:"threads"`       // threads for generation; 0 = all cores
	ThreadsBatch int    `json:"threads_batch"` // threads for prompt processing; 0 = Threads
	FlashAttn    string `json:"flash_attn"`    // "auto", "on" or "off"
	// CacheTypeK and CacheTypeV are the KV cache's element types for keys and values: f16 (default), f32, bf16,
	// q8_0, q4_0, q4_1, q5_0, q5_1, iq4_nl (llama-bench's -ctk and -ctv).
	CacheTypeK string `json:"cache_type_k"`
	CacheTypeV string `json:"cache_type_v"`
	// NoOpOffload keeps a batch's matrix work on the CPU for the layers left there (llama-bench's -nopo). By
	// default llama.cpp offloads it to a GPU for batches of 32 tokens or more, so num_gpu 0 is not the CPU alone.
	NoOpOffload bool `json:"no_op_offload"`
}

// DefaultContextParams are chimera's defaults: Ollama's num_ctx, llama.cpp's batch sizes.
func DefaultContextParams() ContextParams {
	return ContextParams{NumCtx: 4096, Batch: 2048, UBatch: 512, FlashAttn: "auto", CacheTypeK: "f16", CacheTypeV: "f16"}
}

var flashAttnTypes = map[string]C.enum_llama_flash_attn_type{
	"auto": C.LLAMA_FLASH_ATTN_TYPE_AUTO,
	"on":   C.LLAMA_FLASH_ATTN_TYPE_ENABLED,
	"off":  C.LLAMA_FLASH_ATTN_TYPE_DISABLED,
}

var cacheTypes = map[string]C.enum_ggml_type{
	"f32": C.GGML_TYPE_F32, "f16": C.GGML_TYPE_F16, "bf16": C.GGML_TYPE_BF16,
	"q8_0": C.GGML_TYPE_Q8_0, "q4_0": C.GGML_TYPE_Q4_0, "q4_1": C.GGML_TYPE_Q4_1,
	"q5_0": C.GGML_TYPE_Q5_0, "q5_1": C.GGML_TYPE_Q5_1, "iq4_nl": C.GGML_TYPE_IQ4_NL,
}

// CacheTypes lists the accepted KV cache types.
func CacheTypes() []string { return slices.Sorted(maps.Keys(cacheTypes)) }

// maxContext bounds num_ctx before llama.cpp sees it: larger values only fail allocation deep inside ggml.
const maxContext = 1 << 20

// threadsPerCore bounds the threads a context may ask for: ggml's workers spin while they wait, so thousands of
// them on a few cores make no progress at all (and do not notice a cancel).
const threadsPerCore = 4

// MaxThreads is the most threads a context may use on this machine (and never more than a ggml thread pool holds).
func MaxThreads() int { return min(threadsPerCore*runtime.NumCPU(), C.GGML_MAX_N_THREADS) }

// Validate checks the parameters llama.cpp would otherwise assert on or silently clamp.
func (p ContextParams) Validate() error {
	switch {
	case p.NumCtx < 16 || p.NumCtx > maxContext:
		return fmt.Errorf("num_ctx must be between 16 and %d, got %d", maxContext, p.NumCtx)
	case p.Batch < 1 || p.Batch > maxContext:
		return fmt.Errorf("batch must be between 1 and %d, got %d", maxContext, p.Batch)
	case p.UBatch < 1 || p.UBatch > p.Batch:
		return fmt.Errorf("ubatch must be between 1 and batch (%d), got %d", p.Batch, p.UBatch)
	case p.Threads < 0 || p.Threads > MaxThreads() || p.ThreadsBatch < 0 || p.ThreadsBatch > MaxThreads():
		return fmt.Errorf("threads must be between 0 (all cores) and %d (%d × the %d cores here), got %d and %d for the batch",
			MaxThreads(), threadsPerCore, runtime.NumCPU(), p.Threads, p.ThreadsBatch)
	}
	if _, ok := flashAttnTypes[p.FlashAttn]; !ok {
		return fmt.Errorf("flash attention must be one of auto, on, off; got %q", p.FlashAttn)
	}
	for _, t := range []struct{ name, value string }{{"cache_type_k", p.CacheTypeK}, {"cache_type_v", p.CacheTypeV}} {
		if _, ok := cacheTypes[orF16(t.value)]; !ok {
			return fmt.Errorf("%s must be one of %s; got %q", t.name, strings.Join(CacheTypes(), ", "), t.value)
		}
	}
	if !unquantized(orF16(p.CacheTypeV)) && p.FlashAttn == "off" {
		return fmt.Errorf("a quantized V cache (%s) needs flash attention on or auto", p.CacheTypeV)
	}
	return nil
}

// unquantized reports whether a cache type stores plain floats.
func unquantized(cacheType string) bool {
	return cacheType == "f16" || cacheType == "f32" || cacheType == "bf16"
}

// orF16 is the cache type, f16 when unset.
func orF16(cacheType string) string {
	if cacheType == "" {
		return "f16"
	}
	return cacheType
}

// EffectiveThreads resolves the 0 = all cores defaults.
func (p ContextParams) EffectiveThreads() (gen, batch int) {
	gen = p.Threads
	if gen == 0 {
		gen = runtime.NumCPU()
	}
	batch = p.ThreadsBatch
	if batch == 0 {
		batch = gen
	}
	return gen, batch
}

// Context is one inference state (KV cache, buffers) on a model. A Context is used by one goroutine at a time.
type Context struct {
	c      *C.struct_llama_context
	model  *Model
	params ContextParams
	tokens *C.llama_token // C-side staging buffer of Batch tokens: batches must not point into Go memory
	// batch is the most tokens one llama_decode takes: llama.cpp lowers Batch to the num_ctx asked for, and a
	// larger batch would abort the process, so every decode is cut to it.
	batch int
	abort *C.struct_chimera_abort
	// pools are the context's compute threads, for generation and (when its thread count differs) the batch.
	pools   []C.ggml_threadpool_t
	Buffers []BufferSize // KV cache, compute and output buffers llama.cpp allocated
	// FlashAttention says whether the context really uses flash attention: "auto" is resolved by llama.cpp when
	// the context is created.
	FlashAttention bool
}

// NewContext creates a context; Close frees it. The context keeps the model alive (see Model.Close).
func (m *Model) NewContext(p ContextParams) (*Context, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if err := m.retain(); err != nil {
		return nil, err
	}
	ctx, err := m.newContext(p)
	if err != nil {
		m.release()
	}
	return ctx, err
}

func (m *Model) newContext(p ContextParams) (*Context, error) {
	gen, batch := p.EffectiveThreads()
	cp := C.llama_context_default_params()
	cp.n_ctx = C.uint32_t(p.NumCtx)
	cp.n_batch = C.uint32_t(p.Batch)
	cp.n_ubatch = C.uint32_t(p.UBatch)
	cp.n_seq_max = 1
	cp.n_threads = C.int32_t(gen)
	cp.n_threads_batch = C.int32_t(batch)
	cp.flash_attn_type = flashAttnTypes[p.FlashAttn]
	cp.type_k = cacheTypes[orF16(p.CacheTypeK)]
	cp.type_v = cacheTypes[orF16(p.CacheTypeV)]
	cp.op_offload = C.bool(!p.NoOpOffload)
	cp.no_perf = false

	ctx := &Context{model: m, params: p, abort: C.chimera_abort_new()}
	if ctx.abort == nil {
		return nil, errors.New("llama: out of memory for a context's abort flag")
	}
	C.chimera_set_abort(&cp, ctx.abort)

	loadMu.Lock()
	stopCapture := logs.startCapture()
	reason := errorsDuring(func() { ctx.c = C.llama_init_from_model(m.c, cp) })
	created := stopCapture()
	ctx.Buffers, ctx.FlashAttention = bufferSizes(created), flashAttentionUsed(p.FlashAttn, created)
	loadMu.Unlock()
	if ctx.c == nil {
		C.free(unsafe.Pointer(ctx.abort))
		return nil, fmt.Errorf("llama.cpp could not create a context (num_ctx %d): %s", p.NumCtx, orUnknown(reason))
	}
	ctx.batch = min(p.Batch, int(C.llama_n_batch(ctx.c)))
	ctx.tokens = (*C.llama_token)(C.malloc(C.size_t(ctx.batch) * C.size_t(unsafe.Sizeof(C.llama_token(0)))))
	ctx.attachThreadpools(gen, batch)
	return ctx, nil
}

// attachThreadpools gives the context thread pools that live as long as it does. Without them ggml's CPU backend
// (built without OpenMP) starts and joins a pool for every graph it computes: once per generated token.
func (c *Context) attachThreadpools(gen, batch int) {
	c.pools = []C.ggml_threadpool_t{C.chimera_threadpool_new(C.int(gen))}
	if batch != gen {
		c.pools = append(c.pools, C.chimera_threadpool_new(C.int(batch)))
	}
	C.llama_attach_threadpool(c.c, c.pools[0], c.pools[len(c.pools)-1])
}

// flashAttnResolved is llama.cpp's line when it resolves flash attention "auto" for a new context.
var flashAttnResolved = regexp.MustCompile(`Flash Attention was auto, set to (enabled|disabled)`)

// flashAttentionUsed is whether a context created with mode uses flash attention, reading how llama.cpp
// resolved "auto" from its creation log.
func flashAttentionUsed(mode, creationLog string) bool {
	if mode != "auto" {
		return mode == "on"
	}
	m := flashAttnResolved.FindStringSubmatch(creationLog)
	return m != nil && m[1] == "enabled"
}

// Close frees the context and its buffers, and the model too if it was closed and this was its last context.
// Calling Close again does nothing.
func (c *Context) Close() {
	if c.c == nil {
		return
	}
	C.llama_free(c.c)
	for _, pool := range c.pools {
		C.ggml_threadpool_free(pool)
	}
	C.free(unsafe.Pointer(c.tokens))
	C.free(unsafe.Pointer(c.abort))
	c.c = nil
	c.model.release()
}

// NumCtx is the context size llama.cpp actually allocated (it may round the request up).
func (c *Context) NumCtx() int { return int(C.llama_n_ctx(c.c)) }

// Params returns the settings the context was created with.
func (c *Context) Params() ContextParams { return c.params }

// Model returns the model the context runs.
func (c *Context) Model() *Model { return c.model }

// AbortOnCancel makes a cancelled ctx interrupt a running llama_decode (prompt processing can take seconds): the
// decode then fails with ErrAborted. Call stop when the decodes it guards are done.
func (c *Context) AbortOnCancel(ctx context.Context) (stop func()) {
	cancelled := 0
	if ctx.Err() != nil {
		cancelled = 1 // at once: the watcher below may not run before a short decode ends
	}
	C.chimera_abort_store(c.abort, C.int(cancelled))
	done, exited := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(exited)
		select {
		case <-ctx.Done():
			C.chimera_abort_store(c.abort, 1)
		case <-done:
		}
	}()
	// Waiting for the watcher keeps it from writing the flag after Close has freed it.
	return func() { close(done); <-exited }
}
