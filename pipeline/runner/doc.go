// Package runner is how chimera drives llama.cpp through the llama binding: the generation loop and its timing,
// stop strings and streaming, reuse of the KV cache's prompt prefix between calls, chat continuation, and the
// llama-bench style benchmark loops. It is pure Go over package llama; the values it shares with packages that
// must not link llama.cpp (Sampling, Timings) are package pipeline/generation's.
//
// A Model is a loaded llama.Model with what the runner keeps per load; a Context is a llama.Context with the tokens
// its KV cache holds. A Context is used by one goroutine at a time.
//
// # Timings
//
// Generate times every call itself, in Go, with a monotonic clock; the backend is synchronised before each
// reading. One record per call (generation.Timings), one definition per field:
//
//   - load_ms (llama.LoadReport, not per call): LoadModel's wall time, from llama_model_load_from_file to its return.
//   - prompt_tokens: tokens of the templated prompt, BOS included.
//   - prompt_cached_tokens: leading prompt tokens whose KV entries were kept from the previous call
//     (ContextParams.ReusePrefix); 0 otherwise. They are not evaluated again.
//   - prompt_eval_ms: from the first llama_decode of the prompt's uncached tokens to the end of the last one
//     (prefill). Logits are computed for the last prompt token only.
//   - ttft_ms: from the start of the call to the first sampled token: chat template, tokenization, prefill and the
//     first sampling step.
//   - gen_tokens: tokens sampled, the end-of-generation token included when one ends the call.
//   - eval_ms: from the first sampled token to the last one. It covers gen_tokens−1 decode steps, because the
//     first token comes from the prompt's logits.
//   - decode_tps = (gen_tokens−1) / eval_ms; prompt_tps = (prompt_tokens − prompt_cached_tokens) / prompt_eval_ms
//     (generation.Rate).
//   - token_latency_ms: p50/p95/p99 (interpolated, as pipeline/stats computes every quantile) and max of the
//     intervals between consecutive sampled tokens.
//   - sample_ms: time spent in the sampler chain, summed over tokens (part of ttft_ms and eval_ms).
//   - total_ms: from the start of the call to its return.
//
// The Ollama API's fields are derived, in nanoseconds: prompt_eval_count = prompt_tokens − prompt_cached_tokens
// (the tokens evaluated, as llama-server's prompt_n), prompt_eval_duration =
// prompt_eval_ms, eval_count = gen_tokens, eval_duration = eval_ms, load_duration = the model's load_ms on the
// first call after a load and 0 afterwards (so sums over calls count each load once), total_duration = total_ms +
// load_duration. Note eval_count/eval_duration, as Ollama users compute it, overstates the decode rate by
// gen_tokens/(gen_tokens−1); decode_tps does not.
package runner
