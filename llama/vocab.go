package llama

// #include "bridge.h"
import "C"

import (
	"fmt"
	"unsafe"
)

// Token is a vocabulary id.
type Token = int32

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
func (m *Model) Piece(t Token) string { return m.tokenToPiece(t, false) }

// SpecialPiece is the text of one token, a control token's its own (such as <end_of_turn>).
func (m *Model) SpecialPiece(t Token) string { return m.tokenToPiece(t, true) }

// tokenToPiece is llama_token_to_piece, into a buffer as large as the piece needs.
func (m *Model) tokenToPiece(t Token, special bool) string {
	var buf [64]byte
	n := C.llama_token_to_piece(m.vocab, C.llama_token(t), (*C.char)(unsafe.Pointer(&buf[0])), C.int32_t(len(buf)), 0, C.bool(special))
	if n >= 0 {
		return string(buf[:n])
	}
	big := make([]byte, -n)
	n = C.llama_token_to_piece(m.vocab, C.llama_token(t), (*C.char)(unsafe.Pointer(&big[0])), C.int32_t(len(big)), 0, C.bool(special))
	return string(big[:max(n, 0)])
}

// VocabSize is the number of tokens in the vocabulary.
func (m *Model) VocabSize() int { return int(C.llama_vocab_n_tokens(m.vocab)) }

// IsEOG reports whether a token ends generation (end of turn, end of sequence).
func (m *Model) IsEOG(t Token) bool { return bool(C.llama_vocab_is_eog(m.vocab, C.llama_token(t))) }

// BOS is the beginning-of-sequence token.
func (m *Model) BOS() Token { return Token(C.llama_vocab_bos(m.vocab)) }
