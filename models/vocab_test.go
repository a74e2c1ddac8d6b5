package models

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestLoadGemma3Vocab(t *testing.T) {
	dir := DefaultTokenizerDir(DefaultCacheDir())
	if dir == "" {
		t.Skip("the real gemma3 vocabulary is not in the cache (make tokenizer)")
	}
	v, err := LoadGemma3Vocab(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Tokens) != 262144 || len(v.Scores) != len(v.Tokens) || len(v.Types) != len(v.Tokens) {
		t.Fatalf("got %d tokens, %d scores, %d types; want 262144 each", len(v.Tokens), len(v.Scores), len(v.Types))
	}
	counts := make(map[TokenType]int)
	for _, typ := range v.Types {
		counts[typ]++
	}
	want := map[TokenType]int{TokenNormal: 255474, TokenByte: 256, TokenControl: 6251, TokenUserDefined: 163}
	for typ, n := range want {
		if counts[typ] != n {
			t.Errorf("%d tokens of type %d, want %d (all counts: %v)", counts[typ], typ, n, counts)
		}
	}
	if v.BOS != 2 || v.EOS != 106 || v.UNK != 3 || v.PAD != 0 {
		t.Errorf("special ids bos %d eos %d unk %d pad %d, want 2 106 3 0", v.BOS, v.EOS, v.UNK, v.PAD)
	}
	checks := []struct {
		id    int
		token string
		typ   TokenType
		score float32
	}{
		{0, "<pad>", TokenControl, addedTokenScore},
		{106, "<end_of_turn>", TokenControl, addedTokenScore},
		{238, "<0x00>", TokenByte, 0},
		{494, "▁t", TokenNormal, 0},
		{495, "in", TokenNormal, -1},
		{255967, "𝔹", TokenNormal, -255473},
		{255968, "\t", TokenUserDefined, addedTokenScore},
	}
	for _, c := range checks {
		if v.Tokens[c.id] != c.token || v.Types[c.id] != c.typ || v.Scores[c.id] != c.score {
			t.Errorf("token %d = %q type %d score %g, want %q type %d score %g",
				c.id, v.Tokens[c.id], v.Types[c.id], v.Scores[c.id], c.token, c.typ, c.score)
		}
	}
	if !strings.Contains(v.ChatTemplate, "<start_of_turn>") {
		t.Errorf("chat template lacks <start_of_turn>: %.80q", v.ChatTemplate)
	}
	// The ids llama.cpp gives this text with the rebuilt vocabulary; flat or misordered scores change them.
	wantIDs := []int{9259, 236764, 1041, 4799, 563, 12864}
	if got := newTokenizer(v).tokenize("Hello, my dog is cute"); !slices.Equal(got, wantIDs) {
		t.Errorf("tokenized as %v, want %v", got, wantIDs)
	}
}

func TestLoadGemma3VocabErrors(t *testing.T) {
	tests := []struct {
		name, tokenizer, config, problem string
	}{
		{"missing files", "", "", "no such file"},
		{"bad JSON", `{"model":`, `{}`, "invalid JSON"},
		{"id gap", `{"model":{"vocab":{"<0xFF>":0,"a":2}}}`, `{}`, `piece "a" has id 2`},
		{"no byte tokens", `{"model":{"vocab":{"a":0}}}`, `{}`, "has no byte token <0xFF>"},
		{"unknown special token", `{"model":{"vocab":{"<0xFF>":0,"a":1}}}`, `{"bos_token":"<bos>"}`,
			`bos_token "<bos>" is not in the vocabulary`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if tt.tokenizer != "" {
				writeFile(t, filepath.Join(dir, hfTokenizerFile), []byte(tt.tokenizer))
				writeFile(t, filepath.Join(dir, hfTokenizerConfigFile), []byte(tt.config))
			}
			_, err := LoadGemma3Vocab(dir)
			assertProblem(t, err, tt.problem)
		})
	}
}

func TestSyntheticVocabForm(t *testing.T) {
	v := SyntheticVocab()
	if n := len(v.Tokens); n > 8192 || n != len(v.Scores) || n != len(v.Types) {
		t.Fatalf("%d tokens, %d scores, %d types; want equal counts of at most 8192", n, len(v.Scores), len(v.Types))
	}
	if _, collision := indexTokens(v.Tokens); collision != nil {
		t.Fatal(collision)
	}
	special := map[uint32]string{v.PAD: "<pad>", v.BOS: "<bos>", v.UNK: "<unk>", v.EOS: "<end_of_turn>"}
	for id, token := range special {
		if v.Tokens[id] != token {
			t.Errorf("token %d is %q, want %q", id, v.Tokens[id], token)
		}
	}
	if v.PAD != 0 || v.BOS != 2 || v.UNK != 3 || v.Tokens[1] != "<eos>" {
		t.Errorf("pad/eos/bos/unk are not ids 0-3: pad %d bos %d unk %d, token 1 %q", v.PAD, v.BOS, v.UNK, v.Tokens[1])
	}
	bytes := 0
	for id, typ := range v.Types {
		if typ == TokenByte {
			if v.Tokens[id] != byteToken(byte(bytes)) {
				t.Fatalf("byte token %d is %q", bytes, v.Tokens[id])
			}
			bytes++
		}
	}
	if bytes != 256 {
		t.Errorf("%d byte tokens, want 256", bytes)
	}
	start := slices.Index(v.Tokens, "<start_of_turn>")
	if start < 0 || v.Types[start] != TokenControl || v.Types[v.EOS] != TokenControl {
		t.Errorf("<start_of_turn> and <end_of_turn> must be control tokens")
	}
	if !strings.Contains(v.ChatTemplate, "<start_of_turn>") {
		t.Errorf("chat template lacks <start_of_turn>")
	}
}

// Every normal piece must be reachable by SentencePiece merges, or llama.cpp would never produce it.
func TestSyntheticVocabPiecesTokenizeToThemselves(t *testing.T) {
	v := SyntheticVocab()
	tok := newTokenizer(v)
	for id, piece := range v.Tokens {
		if v.Types[id] != TokenNormal {
			continue
		}
		if got := tok.tokenize(piece); len(got) != 1 || got[0] != id {
			t.Errorf("%q tokenizes to %v, want [%d]", piece, tok.pieces(got), id)
		}
	}
}

func TestSyntheticVocabCompressesEnglish(t *testing.T) {
	tok := newTokenizer(SyntheticVocab())
	tokens := tok.tokenize(englishSample)
	perToken := float64(utf8.RuneCountInString(englishSample)) / float64(len(tokens))
	t.Logf("%d characters in %d tokens: %.2f per token", utf8.RuneCountInString(englishSample), len(tokens), perToken)
	if perToken < 3 || perToken > 4.5 {
		t.Errorf("%.2f characters per token, want about 3-4: %q", perToken, tok.pieces(tokens))
	}
}

const englishSample = `The benchmark measured the throughput and latency of the model on a small machine with two cores.
Each run used the same prompt, and the report shows the average, the median and the standard deviation of every
metric. Prompt evaluation was faster than generation: the first token came after about 300 milliseconds, and the
model then produced 27 tokens per second. Larger batches improved throughput, but the time to the first token
grew with the length of the context. We recommend the quantized model for most tasks, because it uses less memory
and keeps the quality of its answers close to the original. When the system is busy, results vary more between
runs, so we repeated each measurement five times and kept the results of every run in the database.
People often ask which settings matter most. In our experience the number of threads, the size of the batch and
the type of the weights explain nearly all of the difference between two runs on the same hardware.`

// tokenizer is llama.cpp's SentencePiece tokenizer (llm_tokenizer_spm) at its simplest: spaces become ▁, the
// text starts as characters, the adjacent pair forming the highest-scoring piece merges first (the leftmost on
// ties), and pieces left outside the vocabulary are spelled in byte tokens.
type tokenizer struct {
	vocab *Vocab
	ids   map[string]int
}

func newTokenizer(v *Vocab) *tokenizer {
	ids := make(map[string]int, len(v.Tokens))
	for id, token := range v.Tokens {
		ids[token] = id
	}
	return &tokenizer{vocab: v, ids: ids}
}

func (t *tokenizer) tokenize(text string) []int {
	var symbols []string
	for _, r := range strings.ReplaceAll(text, " ", spaceMarker) {
		symbols = append(symbols, string(r))
	}
	for {
		best, bestScore := -1, float32(0)
		for i := range len(symbols) - 1 {
			if id, ok := t.ids[symbols[i]+symbols[i+1]]; ok && (best < 0 || t.vocab.Scores[id] > bestScore) {
				best, bestScore = i, t.vocab.Scores[id]
			}
		}
		if best < 0 {
			break
		}
		symbols[best] += symbols[best+1]
		symbols = append(symbols[:best+1], symbols[best+2:]...)
	}
	var ids []int
	for _, s := range symbols {
		if id, ok := t.ids[s]; ok {
			ids = append(ids, id)
			continue
		}
		for _, b := range []byte(s) {
			ids = append(ids, t.ids[byteToken(b)])
		}
	}
	return ids
}

func (t *tokenizer) pieces(ids []int) []string {
	pieces := make([]string, len(ids))
	for i, id := range ids {
		pieces[i] = t.vocab.Tokens[id]
	}
	return pieces
}
