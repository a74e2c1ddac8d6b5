package artifacts

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// A date-time without a zone is shown as written; epoch seconds and milliseconds in fields named as times
// are instants, in UTC.
func TestWrittenTimestamps(t *testing.T) {
	seconds := time.Date(2025, 10, 8, 16, 29, 55, 0, time.UTC)
	for _, c := range []struct {
		name, text  string
		wantInstant time.Time
		wantLocal   string
	}{
		{"naive", `{"generated": "2025-10-04 17:50:24.964233"}`, time.Time{}, "2025-10-04 17:50:24.964233"},
		{"zoned", `{"generated": "2025-10-08T18:29:55+02:00"}`, seconds, ""},
		{"epoch seconds", `{"created_at": 1759940995}`, seconds, ""},
		{"epoch milliseconds", `{"metrics": [{"timestamp": 1759940995000}]}`, seconds, ""},
		{"a duration named time", `{"time": 12.5, "eval_time": 1759940995}`, time.Time{}, ""},
	} {
		f, err := parseJSON(c.text)
		if err != nil {
			t.Fatal(err)
		}
		instant, local := writtenTimestamps(c.text, f.Fields)
		if !instant.Equal(c.wantInstant) || local != c.wantLocal {
			t.Errorf("%s: %v %q, want %v %q", c.name, instant, local, c.wantInstant, c.wantLocal)
		}
	}
}

// Within a day of each other an instant and a naive time do not compare: both are given. Further apart, the
// later one is the latest whatever the naive time's zone.
func TestLatestTimestampAcrossFiles(t *testing.T) {
	epoch := time.Date(2025, 10, 8, 16, 29, 55, 0, time.UTC)
	for _, c := range []struct {
		naive, want string
	}{
		{"2025-10-08 20:00:00", "latest timestamp with a time zone: 2025-10-08T16:29:55Z (UTC); naive.md writes " +
			"2025-10-08 20:00:00 without a zone, which may be earlier or later"},
		{"2025-10-10 20:00:00", "latest timestamp written in any file: 2025-10-10 20:00:00, as written (no time zone " +
			"given); later, whatever its zone, than the latest with one, 2025-10-08T16:29:55Z (UTC) in epoch.json"},
		{"2025-10-06 20:00:00", "latest timestamp written in any file: 2025-10-08T16:29:55Z (UTC)"},
	} {
		files := map[string]string{
			"epoch.json": `{"created_at": ` + strconv.FormatInt(epoch.Unix(), 10) + `}`,
			"naive.md":   "Generated " + c.naive + "\n",
		}
		var got string
		for _, f := range factsFor(t, files) {
			if f.Kind == FactTimestamp {
				got = f.Text
			}
		}
		if got != c.want {
			t.Errorf("naive %s:\n got %q\nwant %q", c.naive, got, c.want)
		}
	}
}

// A tree whose timestamps all lack a zone has no instant to compare them with: its latest is given as written.
func TestLatestTimestampWithoutAnyZone(t *testing.T) {
	facts := factsFor(t, map[string]string{"a.csv": "time,tokens_s\n2025-11-10 12:00:00,50.1\n2025-11-10 12:01:00,51.3\n"})
	want := "latest timestamp written in any file: 2025-11-10 12:01:00, as written (no time zone given)"
	if got := facts["timestamp:a.csv"]; got.Text != want || !slices.Equal(got.Sources, []string{"a.csv"}) {
		t.Errorf("timestamp fact %+v,\nwant text %q from a.csv", got, want)
	}
}

func TestTimestampWindowsFindWhatTheFullScanFinds(t *testing.T) {
	for _, text := range []string{
		"start 2025-10-08T16:29:55.589333+00:00 end",
		"2025-09-30 20:11:33",
		"a,2025-10-04T16:53:16Z\nb,2025-10-04T16:53:17+0200",
		"id12025-10-08 12:00:00 is no date", // the year is the tail of a longer number
		"12:00:00 alone, 1:2:3, 99:99:99",
		"",
	} {
		var want, got []string
		for _, m := range timestampRe.FindAllString(text, -1) {
			want = append(want, m)
		}
		for _, w := range timestampWindows(text) {
			if m := timestampRe.FindString(w); m != "" {
				got = append(got, m)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("%q: windows find %q, the full scan %q", text, got, want)
		}
	}
}

// A JSONL log's ts in epoch seconds says when each row was written: the latest one is the file's timestamp,
// and ts is neither a measure of the insights nor a throughput of the metric summaries (a bare ts names
// llama-bench's t/s too). A ts of rates stays a measure.
func TestAnEpochColumnIsATimestampNotAMeasure(t *testing.T) {
	start := time.Date(2024, 5, 12, 13, 20, 47, 0, time.UTC)
	var jsonl, rates []string
	for i, backend := range []string{"cuda", "vulkan", "cuda", "vulkan", "cuda", "vulkan"} {
		epoch := start.Add(time.Duration(i) * time.Minute).Unix()
		jsonl = append(jsonl, fmt.Sprintf(`{"ts": %d.5, "backend": %q, "tg_tps": %d.5}`, epoch, backend, 88+i%3))
		rates = append(rates, fmt.Sprintf(`{"ts": %d.5, "backend": %q}`, 88+i%3, backend))
	}
	facts := factsFor(t, map[string]string{"bench.jsonl": strings.Join(jsonl, "\n")})
	latest := start.Add(5 * time.Minute).Format(time.RFC3339)
	if got := facts["timestamp:bench.jsonl"]; !strings.Contains(got.Text, latest) {
		t.Errorf("timestamp fact %q does not state %s", got.Text, latest)
	}
	for _, f := range facts {
		if f.Field == "ts" || regexp.MustCompile(`\bts\b`).MatchString(f.Text) {
			t.Errorf("ts read as a measure: %s", f.Text)
		}
	}
	for _, f := range factsFor(t, map[string]string{"bench.jsonl": strings.Join(rates, "\n")}) {
		if f.Field == "ts" || regexp.MustCompile(`\bts\b`).MatchString(f.Text) {
			return
		}
	}
	t.Error("no fact on a ts of rates")
}

// mayHoldTimestamp lets every timestamp through to the regexp, and the levels most columns hold not.
func TestMayHoldTimestampKeepsEveryTimestamp(t *testing.T) {
	for _, text := range []string{"2025-11-10 12:00:00", "2025-11-10T12:00:00Z", "at 2024-05-12T13:28:11.5+02:00 UTC",
		"2024-05-12 21:33:44-0700"} {
		if !timestampRe.MatchString(text) || !mayHoldTimestamp(text) {
			t.Errorf("%q: timestamp %v, may hold one %v; want both", text, timestampRe.MatchString(text), mayHoldTimestamp(text))
		}
	}
	for _, text := range []string{"Q4_K_M", "gpu80 ctx512", "llama3.2:3b", "2025-11-10", "rocm-6.4"} {
		if mayHoldTimestamp(text) {
			t.Errorf("%q let through to the regexp", text)
		}
	}
}
