package render

import (
	"strings"
	"testing"
)

func TestMarkdownTableEscapesAndAligns(t *testing.T) {
	table := NewTable("name", "tok/s").AlignRight(1)
	table.Add("a|b", "1.5")
	table.Addf("%s\t%.1f", "line\nbreak", 2.0)
	table.Add("short row")
	var b strings.Builder
	if err := table.WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	want := "| name | tok/s |\n|---|---:|\n| a\\|b | 1.5 |\n| line break | 2.0 |\n| short row |  |\n\n"
	if b.String() != want {
		t.Errorf("got\n%q\nwant\n%q", b.String(), want)
	}
}

func TestTextTableAlignsColumns(t *testing.T) {
	table := NewTable("id", "model")
	table.Add("7", "synthetic:tiny-f32")
	table.Add("12", "x")
	var b strings.Builder
	if err := table.Write(&b, false); err != nil {
		t.Fatal(err)
	}
	if want := "ID  MODEL\n7   synthetic:tiny-f32\n12  x\n"; b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}
