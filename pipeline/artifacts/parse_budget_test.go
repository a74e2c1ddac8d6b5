package artifacts

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestParsersRefuseOutputOutOfProportionToTheirInput(t *testing.T) {
	for _, c := range []struct {
		name, kind, text string
	}{
		{"CSV rows padded to a wide header", KindCSV, strings.Repeat("a,", 1000) + "\n" + strings.Repeat("1\n", 1000)},
		{"markdown rows padded to a wide table", KindMarkdown,
			"|" + strings.Repeat("a|", 1000) + "\n|" + strings.Repeat("-|", 1000) + "\n" + strings.Repeat("|1\n", 1000)},
		{"JSON records padded to the union of their keys", KindJSON, disjointRecords(1000, "[", ",", "]")},
		{"JSONL lines padded to the union of their keys", KindJSONL, disjointRecords(1000, "", "\n", "")},
		{"a long JSON key in the path of many leaves", KindJSON, `{"` + strings.Repeat("k", 4096) + `": ` + numberedLeaves(1000) + "}"},
		{"a long JSON key over many array elements", KindJSON, `{"` + strings.Repeat("k", 4096) + `": [` + strings.Repeat("1, ", 1000) + "1]}"},
		{"JSON leaves repeated in nested keyed collections", KindJSON, nestedCollections(30, numberedLeaves(2000))},
	} {
		if _, err := parseArtifact(c.kind, c.text); !errors.Is(err, errTooLarge) {
			t.Errorf("%s: error %v, want %v", c.name, err, errTooLarge)
		}
	}
}

func TestParsersAcceptADenseTableOfEmptyCells(t *testing.T) {
	f, err := parseCSV(strings.Repeat(strings.Repeat(",", 199)+"\n", 200))
	if err != nil || f.Rows != 199 {
		t.Errorf("rows %d, error %v; want 199 rows", f.Rows, err)
	}
}

// disjointRecords writes n objects that share no key, {"k0":1}, {"k1":1}, …, between open and close.
func disjointRecords(n int, open, sep, close string) string {
	records := make([]string, n)
	for i := range records {
		records[i] = fmt.Sprintf(`{"k%d": 1}`, i)
	}
	return open + strings.Join(records, sep) + close
}

// numberedLeaves writes an object of n numbers keyed by their index.
func numberedLeaves(n int) string {
	leaves := make([]string, n)
	for i := range leaves {
		leaves[i] = fmt.Sprintf(`"%d": 1`, i)
	}
	return "{" + strings.Join(leaves, ", ") + "}"
}

// nestedCollections nests levels keyed collections around inner: each is {"a": {"x": 1, "n": …}, "b": {"x": 1}},
// whose record a holds every leaf below it.
func nestedCollections(levels int, inner string) string {
	return strings.Repeat(`{"a": {"x": 1, "n": `, levels) + inner + strings.Repeat(`}, "b": {"x": 1}}`, levels)
}
