package agents

import "testing"

func TestCodeSpanCannotBeClosedByTheName(t *testing.T) {
	for _, tc := range []struct{ name, want string }{
		{"gemma3/runs.csv", "`gemma3/runs.csv`"},
		{"odd`name.csv", "``odd`name.csv``"},
		{"`leading.csv", "`` `leading.csv ``"},
		{"two``ticks.csv", "```two``ticks.csv```"},
		{"line\nbreak.csv", "`line break.csv`"},
	} {
		if got := codeSpan(tc.name); got != tc.want {
			t.Errorf("codeSpan(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestCodeBlockFenceIsLongerThanAnyInside(t *testing.T) {
	got := codeBlock("skipped:\n```\nnotes.md\n")
	want := "````\nskipped:\n```\nnotes.md\n````\n"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestMarkdownTextStaysLiteral(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"mean tokens_s by tag: q4_0 → 76.59; Welch p < 0.001", "mean tokens_s by tag: q4_0 → 76.59; Welch p < 0.001"},
		{"backends.*.mean_time_ms", `backends.\*.mean_time_ms`},
		{"results[].ttft_s", `results\[\].ttft_s`},
		{"_draft_ `x` <b>", "\\_draft\\_ \\`x\\` \\<b>"},
		{"# heading\nnext", `\# heading next`},
	} {
		if got := markdownText(tc.text); got != tc.want {
			t.Errorf("markdownText(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
}
