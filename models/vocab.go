package models

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"
)

// TokenType is a SentencePiece token type as llama.cpp stores it in tokenizer.ggml.token_type.
type TokenType int32

// The SentencePiece token types.
const (
	TokenNormal      TokenType = 1
	TokenUnknown     TokenType = 2
	TokenControl     TokenType = 3
	TokenUserDefined TokenType = 4
	TokenUnused      TokenType = 5
	TokenByte        TokenType = 6
)

// Vocab is a SentencePiece vocabulary in the form llama.cpp loads it.
type Vocab struct {
	Tokens []string
	Scores []float32 // higher scores merge first
	Types  []TokenType
	// The ids of the special tokens.
	BOS, EOS, UNK, PAD uint32
	ChatTemplate       string
}

// The GGUF keys of a tokenizer.
const (
	tokenizerModelKey  = "tokenizer.ggml.model"
	tokensKey          = "tokenizer.ggml.tokens"
	scoresKey          = "tokenizer.ggml.scores"
	tokenTypesKey      = "tokenizer.ggml.token_type"
	bosKey             = "tokenizer.ggml.bos_token_id"
	eosKey             = "tokenizer.ggml.eos_token_id"
	unknownKey         = "tokenizer.ggml.unknown_token_id"
	paddingKey         = "tokenizer.ggml.padding_token_id"
	addSpacePrefixKey  = "tokenizer.ggml.add_space_prefix"
	chatTemplateKey    = "tokenizer.chat_template"
	sentencePieceModel = "llama" // llama.cpp's name for a SentencePiece tokenizer
)

func (v *Vocab) metadata() Metadata {
	types := make([]int32, len(v.Types))
	for i, t := range v.Types {
		types[i] = int32(t)
	}
	return Metadata{
		{tokenizerModelKey, sentencePieceModel},
		{"tokenizer.ggml.pre", "default"},
		{tokensKey, v.Tokens},
		{scoresKey, v.Scores},
		{tokenTypesKey, types},
		{bosKey, v.BOS},
		{eosKey, v.EOS},
		{unknownKey, v.UNK},
		{paddingKey, v.PAD},
		{"tokenizer.ggml.add_bos_token", true},
		{"tokenizer.ggml.add_eos_token", false},
		{addSpacePrefixKey, false},
		{chatTemplateKey, v.ChatTemplate},
	}
}

// tokenCollision is a token string that appears twice in a vocabulary, which llama.cpp asserts on.
type tokenCollision struct {
	token         string
	first, second int
}

func (c *tokenCollision) String() string {
	return fmt.Sprintf("token %q appears twice (ids %d and %d)", c.token, c.first, c.second)
}

// indexTokens maps each token string to its id as llama.cpp's vocabulary does, which renames an empty token
// [EMPTY_<id>]. It stops at the first string that appears twice and returns that collision.
func indexTokens(tokens []string) (map[string]int, *tokenCollision) {
	index := make(map[string]int, len(tokens))
	for id, t := range tokens {
		if t == "" {
			t = fmt.Sprintf("[EMPTY_%d]", id)
		}
		if earlier, ok := index[t]; ok {
			return index, &tokenCollision{t, earlier, id}
		}
		index[t] = id
	}
	return index, nil
}

// missingByte finds a byte that llama.cpp's SentencePiece tokenizer cannot spell: text outside the vocabulary
// falls back to the token <0xNN> of each byte, else to the byte alone as a token, and without either it throws.
// The byte 0 has no such fallback, as llama.cpp looks it up as a C string.
func missingByte(index map[string]int) (byte, bool) {
	for b := range 256 {
		_, hex := index[byteToken(byte(b))]
		_, raw := index[string([]byte{byte(b)})]
		if !hex && (!raw || b == 0) {
			return byte(b), true
		}
	}
	return 0, false
}

// The Gemma 3 tokenizer as published on Hugging Face, whose tokenizer.model (with the SentencePiece scores and
// types) is not available: LoadGemma3Vocab rebuilds both from these two files.
const (
	hfTokenizerFile       = "tokenizer.json"
	hfTokenizerConfigFile = "tokenizer_config.json"
	addedTokenScore       = -1000 // what llama.cpp's converter gives every added token
	spaceMarker           = "\u2581"
)

// LoadGemma3Vocab rebuilds the real gemma3 SentencePiece vocabulary (262,144 tokens) from the Hugging Face
// tokenizer.json and tokenizer_config.json in dir, following llama.cpp's converter: normal pieces score
// -(their rank), and every added token is CONTROL if special and USER_DEFINED otherwise, scoring -1000.
func LoadGemma3Vocab(dir string) (*Vocab, error) {
	pieces, err := readHFVocab(filepath.Join(dir, hfTokenizerFile))
	if err != nil {
		return nil, err
	}
	configPath := filepath.Join(dir, hfTokenizerConfigFile)
	var config tokenizerConfig
	if err := readJSON(configPath, maxTokenizerJSONBytes, &config); err != nil {
		return nil, err
	}
	v, err := sentencePieceVocab(pieces)
	if err != nil {
		return nil, errorf(filepath.Join(dir, hfTokenizerFile), "%v", err)
	}
	if err := v.addTokens(config.AddedTokens); err != nil {
		return nil, errorf(configPath, "%v", err)
	}
	if err := v.setSpecialTokens(pieces, config); err != nil {
		return nil, errorf(configPath, "%v", err)
	}
	v.ChatTemplate = config.ChatTemplate
	if _, collision := indexTokens(v.Tokens); collision != nil {
		return nil, errorf(configPath, "%s", collision)
	}
	return v, nil
}

type tokenizerConfig struct {
	AddedTokens  map[string]addedToken `json:"added_tokens_decoder"`
	ChatTemplate string                `json:"chat_template"`
	BOS          string                `json:"bos_token"`
	EOS          string                `json:"eos_token"`
	UNK          string                `json:"unk_token"`
	PAD          string                `json:"pad_token"`
}

type addedToken struct {
	Content string `json:"content"`
	Special bool   `json:"special"`
}

// readHFVocab reads the piece-to-id map of a Hugging Face tokenizer.json and checks that the ids are 0..n-1.
func readHFVocab(path string) (map[string]int, error) {
	var tokenizer struct {
		Model struct {
			Vocab map[string]int `json:"vocab"`
		} `json:"model"`
	}
	if err := readJSON(path, maxTokenizerJSONBytes, &tokenizer); err != nil {
		return nil, err
	}
	pieces := tokenizer.Model.Vocab
	if len(pieces) == 0 {
		return nil, errorf(path, "has no model.vocab")
	}
	taken := make([]bool, len(pieces))
	for piece, id := range pieces {
		if id < 0 || id >= len(pieces) || taken[id] {
			return nil, errorf(path, "piece %q has id %d; the ids of %d pieces must be 0 to %d, each once",
				piece, id, len(pieces), len(pieces)-1)
		}
		taken[id] = true
	}
	return pieces, nil
}

// The most chimera reads of a JSON file: gemma3's tokenizer.json takes 33 MB, an Ollama manifest a few hundred bytes.
const (
	maxTokenizerJSONBytes = 128 << 20
	maxManifestBytes      = 1 << 20
)

func readJSON(path string, limit int64, v any) error {
	data, err := ReadRegularFile(path, limit)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return errorf(path, "invalid JSON: %v", err)
	}
	return nil
}

// sentencePieceVocab types and scores the pieces as a SentencePiece BPE model does: byte tokens <0x00>..<0xFF>,
// then normal pieces scored by rank (the first after the byte tokens scores 0, the next -1, ...).
func sentencePieceVocab(pieces map[string]int) (*Vocab, error) {
	lastByte, ok := pieces[byteToken(0xFF)]
	if !ok {
		return nil, fmt.Errorf("has no byte token %s", byteToken(0xFF))
	}
	v := &Vocab{
		Tokens: make([]string, len(pieces)),
		Scores: make([]float32, len(pieces)),
		Types:  make([]TokenType, len(pieces)),
	}
	for piece, id := range pieces {
		v.Tokens[id] = piece
		v.Types[id] = pieceType(piece)
		if v.Types[id] == TokenNormal {
			v.Scores[id] = float32(lastByte + 1 - id)
		}
	}
	return v, nil
}

func pieceType(piece string) TokenType {
	switch {
	case piece == "<unk>":
		return TokenUnknown
	case piece == "<pad>" || piece == "<eos>" || piece == "<bos>":
		return TokenControl
	case isByteToken(piece):
		return TokenByte
	}
	return TokenNormal
}

func byteToken(b byte) string { return fmt.Sprintf("<0x%02X>", b) }

func isByteToken(piece string) bool {
	if len(piece) != len("<0x00>") || !strings.HasPrefix(piece, "<0x") {
		return false
	}
	b, err := strconv.ParseUint(piece[3:5], 16, 8)
	return err == nil && piece == byteToken(byte(b))
}

// addTokens overlays tokenizer_config.json's added tokens as llama.cpp's converter does. Tokens past the
// vocabulary (Gemma 3's <image_soft_token>) are left out.
func (v *Vocab) addTokens(added map[string]addedToken) error {
	for key, token := range added {
		id, err := strconv.Atoi(key)
		if err != nil || id < 0 {
			return fmt.Errorf("added_tokens_decoder has a bad id %q", key)
		}
		if id >= len(v.Tokens) {
			continue
		}
		v.Scores[id] = addedTokenScore
		if token.Special || looksSpecial(token.Content) {
			v.Tokens[id], v.Types[id] = token.Content, TokenControl
		} else {
			v.Tokens[id], v.Types[id] = strings.ReplaceAll(token.Content, spaceMarker, " "), TokenUserDefined
		}
	}
	return nil
}

// looksSpecial is llama.cpp's converter's guess (does_token_look_special) for added tokens not marked special.
func looksSpecial(token string) bool {
	switch {
	case token == "<pad>" || token == "<mask>" || token == "<2mass>" || token == "[@BOS@]":
		return true
	case strings.HasPrefix(token, "<|") && strings.HasSuffix(token, "|>"):
		return true
	}
	return strings.HasPrefix(token, "<unused") && strings.HasSuffix(token, ">")
}

func (v *Vocab) setSpecialTokens(pieces map[string]int, config tokenizerConfig) error {
	for _, special := range []struct {
		field *uint32
		name  string
		piece string
	}{
		{&v.BOS, "bos_token", config.BOS},
		{&v.EOS, "eos_token", config.EOS},
		{&v.UNK, "unk_token", config.UNK},
		{&v.PAD, "pad_token", config.PAD},
	} {
		id, ok := pieces[special.piece]
		if !ok {
			return fmt.Errorf("%s %q is not in the vocabulary", special.name, special.piece)
		}
		*special.field = uint32(id)
	}
	return nil
}

// syntheticChatTemplate is a minimal gemma chat template. llama.cpp does not run it: it recognises gemma by
// <start_of_turn> and formats chats with its built-in copy.
const syntheticChatTemplate = `{{ bos_token }}
{%- for message in messages -%}
<start_of_turn>{{ 'model' if message['role'] == 'assistant' else message['role'] }}
{{ message['content'] | trim }}<end_of_turn>
{% endfor -%}
{%- if add_generation_prompt -%}
<start_of_turn>model
{% endif -%}`

// SyntheticVocab returns a small SentencePiece vocabulary of the same form as gemma3's: control tokens
// <pad> <eos> <bos> <unk> (ids 0-3) and the turn markers, 256 byte tokens, then English words, digits and word
// endings together with every piece SentencePiece merges through to reach them. Longer pieces score higher,
// so whole words win, and English prose takes about one token per 3-4 characters.
func SyntheticVocab() *Vocab {
	v := &Vocab{ChatTemplate: syntheticChatTemplate}
	v.PAD = v.add("<pad>", TokenControl, 0)
	v.add("<eos>", TokenControl, 0)
	v.BOS = v.add("<bos>", TokenControl, 0)
	v.UNK = v.add("<unk>", TokenUnknown, 0)
	v.add("<start_of_turn>", TokenControl, 0)
	v.EOS = v.add("<end_of_turn>", TokenControl, 0) // as in gemma3's instruction-tuned models
	for b := range 256 {
		v.add(byteToken(byte(b)), TokenByte, 0)
	}
	seen := make(map[string]bool)
	for _, piece := range englishPieces() {
		v.addWithPrefixes(piece, seen)
	}
	return v
}

func (v *Vocab) add(token string, t TokenType, score float32) uint32 {
	v.Tokens = append(v.Tokens, token)
	v.Types = append(v.Types, t)
	v.Scores = append(v.Scores, score)
	return uint32(len(v.Tokens) - 1)
}

// addWithPrefixes adds a normal piece and all its prefixes: SentencePiece builds a piece only by merging
// two pieces that are in the vocabulary, here always the piece's prefix and its last character.
func (v *Vocab) addWithPrefixes(piece string, seen map[string]bool) {
	for end := 1; end <= len(piece); end++ {
		prefix := piece[:end]
		if !utf8.ValidString(prefix) || seen[prefix] {
			continue
		}
		seen[prefix] = true
		v.add(prefix, TokenNormal, float32(utf8.RuneCountInString(prefix)))
	}
}
