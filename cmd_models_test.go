package main

import "testing"

func TestSynthVocabulary(t *testing.T) {
	cases := []struct{ choice, shape, tokenizer, want string }{
		{"auto", "270m", "/tok", "gemma3"},
		{"auto", "270m", "", "synthetic"},
		{"auto", "tiny", "/tok", "synthetic"},
		{"synthetic", "270m", "/tok", "synthetic"},
		{"gemma3", "tiny", "/tok", "gemma3"},
	}
	for _, c := range cases {
		got, err := synthVocabulary(c.choice, c.shape, c.tokenizer)
		if err != nil || got != c.want {
			t.Errorf("--vocab %s, shape %s, tokenizer %q: %q, %v; want %q", c.choice, c.shape, c.tokenizer, got, err, c.want)
		}
	}
}
