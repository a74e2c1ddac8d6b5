package runner

import "chimera/llama"

// ContextParams are a context's settings and whether calls on it reuse the prompt prefix the KV cache holds. Its
// JSON is llama.ContextParams' with reuse_prefix after them.
type ContextParams struct {
	llama.ContextParams
	// ReusePrefix keeps the KV cache between calls and evaluates only the part of a prompt that differs from the
	// previous call's tokens (the workflow's stages share their system message and leading facts).
	ReusePrefix bool `json:"reuse_prefix"`
}

// DefaultContextParams are llama.DefaultContextParams with prefix reuse on.
func DefaultContextParams() ContextParams {
	return ContextParams{ContextParams: llama.DefaultContextParams(), ReusePrefix: true}
}

// Context is a llama.Context and the tokens its KV cache holds. Calls that change the cache go through Context
// (Generate, ClearCache, the benchmarks), so that it knows what the cache holds.
type Context struct {
	*llama.Context
	model       *Model
	reusePrefix bool
	// cached are the tokens whose keys and values are in the KV cache, at positions 0..len-1.
	cached []llama.Token
}

// NewContext creates a context on m; Close frees it.
func (m *Model) NewContext(p ContextParams) (*Context, error) {
	c, err := m.Model.NewContext(p.ContextParams)
	if err != nil {
		return nil, err
	}
	return &Context{Context: c, model: m, reusePrefix: p.ReusePrefix}, nil
}

// Model returns the model the context runs.
func (c *Context) Model() *Model { return c.model }

// ClearCache empties the KV cache and llama.cpp's counters: the next call evaluates its whole prompt.
func (c *Context) ClearCache() {
	c.MemoryClear()
	c.PerfReset()
	c.cached = nil
}

// keepPrefix prepares the KV cache for prompt and returns how many of its leading tokens are already there. The
// last prompt token is always evaluated again, since its logits give the first generated token.
func (c *Context) keepPrefix(prompt []llama.Token) int {
	keep := 0
	if c.reusePrefix {
		for keep < min(len(c.cached), len(prompt)-1) && c.cached[keep] == prompt[keep] {
			keep++
		}
	}
	if keep == 0 || !c.MemorySeqRm(0, keep, -1) {
		c.ClearCache()
		return 0
	}
	c.PerfReset()
	c.cached = c.cached[:keep]
	return keep
}

// decodeAndKeep decodes tokens after the cached ones and records them as cached; on failure the cache's state is
// unknown, so it is forgotten and the next call starts from an empty cache.
func (c *Context) decodeAndKeep(tokens []llama.Token) error {
	if err := c.Decode(tokens); err != nil {
		c.cached = nil
		c.MemoryClear()
		return err
	}
	c.cached = append(c.cached, tokens...)
	return nil
}
