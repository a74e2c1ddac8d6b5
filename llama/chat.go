package llama

// #include "bridge.h"
import "C"

import (
	"unsafe"
)

// Message is one chat turn; Role is "system", "user" or "assistant".
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// inputError is an error in what the caller gave; BadInput marks it for the CLI, which exits with status 2.
type inputError string

func (e inputError) Error() string { return string(e) }
func (inputError) BadInput()       {}

// ErrNoChatTemplate is returned when chat messages are given to a model without a chat template.
var ErrNoChatTemplate error = inputError("the model has no chat template: give a raw prompt instead")

// ErrUnsupportedChatTemplate is returned for a chat template llama.cpp does not know.
var ErrUnsupportedChatTemplate error = inputError("llama.cpp does not support this model's chat template: give a raw prompt instead")

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
