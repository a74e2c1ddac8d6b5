package llama

// #include "bridge.h"
import "C"

import (
	"errors"
	"fmt"
	"unsafe"
)

// Token is a vocabulary id.
type Token = int32

// Message is one chat turn; Role is "system", "user" or "assistant".
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// ErrNoChatTemplate is returned when chat messages are given to a model without a chat template.
var ErrNoChatTemplate = errors.New("the model has no chat template: give a raw prompt instead")

// ErrUnsupportedChatTemplate is returned for a chat template llama.cpp does not know.
var ErrUnsupportedChatTemplate = errors.New("llama.cpp does not support this model's chat template: give a raw prompt instead")

// Tokenize converts text to tokens. addSpecial adds BOS as the vocabulary asks; parseSpecial turns control-token
// text such as <start_of_turn> into the control token.
func (m *Model) Tokenize(text string, addSpecial, parseSpecial bool) ([]Token, error) {
	ctext := C.CString(text)
	defer C.free(unsafe.Pointer(ctext))
	capacity := len(text) + 2
	for {
		tokens := make([]Token, capacity)
		n := C.llama_tokenize(m.vocab, ctext, C.int32_t(len(text)), (*C.llama_token)(unsafe.Pointer(&tokens[0])),
			C.int32_t(capacity), C.bool(addSpecial), C.bool(parseSpecial))
		if n >= 0 {
			return tokens[:n], nil
		}
		if int(-n) <= capacity {
			return nil, fmt.Errorf("tokenizing %d bytes failed", len(text))
		}
		capacity = int(-n)
	}
}

// Piece is the text of one token as it appears in generated output (control tokens render empty).
func (m *Model) Piece(t Token) string { return m.piece(t, false) }

// piece is a token's text; with special, a control token's is its own (such as <end_of_turn>).
func (m *Model) piece(t Token, special bool) string {
	var buf [64]byte
	n := C.llama_token_to_piece(m.vocab, C.llama_token(t), (*C.char)(unsafe.Pointer(&buf[0])), C.int32_t(len(buf)), 0, C.bool(special))
	if n >= 0 {
		return string(buf[:n])
	}
	big := make([]byte, -n)
	n = C.llama_token_to_piece(m.vocab, C.llama_token(t), (*C.char)(unsafe.Pointer(&big[0])), C.int32_t(len(big)), 0, C.bool(special))
	return string(big[:max(n, 0)])
}

// IsEOG reports whether a token ends generation (end of turn, end of sequence).
func (m *Model) IsEOG(t Token) bool { return bool(C.llama_vocab_is_eog(m.vocab, C.llama_token(t))) }

// BOS is the beginning-of-sequence token.
func (m *Model) BOS() Token { return Token(C.llama_vocab_bos(m.vocab)) }

// HasChatTemplate reports whether the GGUF carries tokenizer.chat_template.
func (m *Model) HasChatTemplate() bool { return C.llama_model_chat_template(m.c, nil) != nil }

// ApplyChatTemplate formats messages with the model's template and opens the assistant turn. The result carries
// no BOS: tokenizing it with addSpecial adds exactly one.
func (m *Model) ApplyChatTemplate(messages []Message) (string, error) {
	tmpl := C.llama_model_chat_template(m.c, nil)
	if tmpl == nil {
		return "", ErrNoChatTemplate
	}
	cmsgs, free := cMessages(messages)
	defer free()
	size := 1024
	for _, msg := range messages {
		size += 2 * len(msg.Content)
	}
	for {
		buf := make([]byte, size)
		n := C.llama_chat_apply_template(tmpl, cmsgs, C.size_t(len(messages)), true,
			(*C.char)(unsafe.Pointer(&buf[0])), C.int32_t(size))
		if n < 0 {
			return "", ErrUnsupportedChatTemplate
		}
		if int(n) <= size {
			return string(buf[:n]), nil
		}
		size = int(n)
	}
}

func cMessages(messages []Message) (*C.struct_llama_chat_message, func()) {
	arr := (*C.struct_llama_chat_message)(C.calloc(C.size_t(max(len(messages), 1)), C.size_t(unsafe.Sizeof(C.struct_llama_chat_message{}))))
	items := unsafe.Slice(arr, max(len(messages), 1))
	for i, msg := range messages {
		items[i].role = C.CString(msg.Role)
		items[i].content = C.CString(msg.Content)
	}
	return arr, func() {
		for i := range messages {
			C.free(unsafe.Pointer(items[i].role))
			C.free(unsafe.Pointer(items[i].content))
		}
		C.free(unsafe.Pointer(arr))
	}
}
