package models

import "fmt"

const (
	gemma3           = "gemma3"
	outputTensor     = "output.weight"
	gemma3SWAPattern = 6 // llama.cpp makes every 6th gemma3 layer global when sliding_window > 0

	gemma3ModelTensors = 2  // token_embd and output_norm
	gemma3LayerTensors = 13 // per layer
)

// gemma3Params are the hyperparameters that fix the tensors of a gemma3 model.
type gemma3Params struct {
	layers, embedding, vocab, heads, headsKV, keyLength, valueLength, feedForward uint64
}

// tensorCount is the length of tensors(), known without building the list.
func (p gemma3Params) tensorCount() uint64 { return gemma3ModelTensors + gemma3LayerTensors*p.layers }

type tensorShape struct {
	name  string
	shape []uint64
}

// tensors lists the tensors llama.cpp loads for a gemma3 model with tied embeddings (llama-model.cpp,
// LLM_ARCH_GEMMA3), in the order its converter writes them. An untied model adds output.weight, shaped like
// token_embd.weight.
func (p gemma3Params) tensors() []tensorShape {
	e := p.embedding
	list := []tensorShape{
		{"token_embd.weight", []uint64{e, p.vocab}},
		{"output_norm.weight", []uint64{e}},
	}
	for layer := range p.layers {
		tensor := func(name string, shape ...uint64) tensorShape {
			return tensorShape{fmt.Sprintf("blk.%d.%s.weight", layer, name), shape}
		}
		list = append(list,
			tensor("attn_norm", e),
			tensor("attn_q", e, p.heads*p.keyLength),
			tensor("attn_k", e, p.headsKV*p.keyLength),
			tensor("attn_v", e, p.headsKV*p.valueLength),
			tensor("attn_q_norm", p.keyLength),
			tensor("attn_k_norm", p.keyLength),
			tensor("attn_output", p.heads*p.keyLength, e),
			tensor("post_attention_norm", e),
			tensor("ffn_norm", e),
			tensor("ffn_gate", e, p.feedForward),
			tensor("ffn_up", e, p.feedForward),
			tensor("ffn_down", p.feedForward, e),
			tensor("post_ffw_norm", e),
		)
	}
	return list
}
