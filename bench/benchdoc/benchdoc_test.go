package benchdoc

import (
	"math"
	"os"
	"path/filepath"
	"testing"
)

func TestWriteKeepsTheTextAroundTheBlock(t *testing.T) {
	b := Block{Begin: "<!-- begin -->", End: "<!-- end -->", Title: "Page"}
	path := filepath.Join(t.TempDir(), "docs", "page.md")
	if err := b.Write(path, "first\n"); err != nil {
		t.Fatal(err)
	}
	if got := read(t, path); got != "# Page\n\n<!-- begin -->\nfirst\n<!-- end -->\n" {
		t.Fatalf("a new page is %q", got)
	}
	if err := os.WriteFile(path, []byte("# Mine\n\nintro\n<!-- begin -->\nold\n<!-- end -->\n\nanalysis\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := b.Write(path, "second\n"); err != nil {
		t.Fatal(err)
	}
	if got := read(t, path); got != "# Mine\n\nintro\n<!-- begin -->\nsecond\n<!-- end -->\n\nanalysis\n" {
		t.Errorf("the rewritten page is %q", got)
	}
	if err := os.WriteFile(path, []byte("no markers\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := b.Write(path, "third\n"); err == nil || read(t, path) != "no markers\n" {
		t.Error("a page without the markers was overwritten")
	}
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestMedianRangePrintsTheMedianAndRange(t *testing.T) {
	for _, c := range []struct {
		xs   []float64
		want string
	}{
		{[]float64{3, 1, 2}, "2.0 (1.0–3.0)"},
		{[]float64{4, 1, 3, 2}, "2.5 (1.0–4.0)"}, // an even count takes the mean of the middle two
		{[]float64{1, 2, 4}, "2.0 (1.0–4.0)"},
		{[]float64{7}, "7.0"},
		{[]float64{5, 5}, "5.0"}, // a value that never varied is shown alone
		{nil, "–"},
	} {
		if got := MedianRange(c.xs, 1); got != c.want {
			t.Errorf("MedianRange(%v, 1) = %q, want %q", c.xs, got, c.want)
		}
	}
	if got := MedianRange([]float64{0.3, 1.2}, 2); got != "0.75 (0.30–1.20)" {
		t.Errorf("MedianRange with 2 decimals = %q", got)
	}
}

func TestTimeVAndClock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.time")
	if err := os.WriteFile(path, []byte("\tElapsed (wall clock) time (h:mm:ss or m:ss): 1:02:03\n\tMaximum resident set size (kbytes): 2048\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tv, err := ReadTimeV(path)
	if err != nil || tv.WallS != 3723 || tv.PeakKiB != 2048 {
		t.Errorf("ReadTimeV = %+v, %v", tv, err)
	}
	if got := clockSeconds("0:48.12"); math.Abs(got-48.12) > 1e-9 {
		t.Errorf("clockSeconds(0:48.12) = %v", got)
	}
	if got := clockSeconds("1:02:03.5"); got != 3723.5 {
		t.Errorf("clockSeconds(1:02:03.5) = %v", got)
	}
	if err := os.WriteFile(path, []byte("Command exited with non-zero status 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadTimeV(path); err == nil {
		t.Error("a report without the figures was accepted")
	}
}
