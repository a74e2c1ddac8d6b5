package benchdoc

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"

	"chimera/pipeline/stats"
)

// ReadJSON decodes the JSON file at path into v; a decoding error names the file.
func ReadJSON(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// TimeV is what /usr/bin/time -v reported for one process.
type TimeV struct {
	PeakKiB int64
	WallS   float64
	CPUS    float64 // user + system
}

// ReadTimeV reads a /usr/bin/time -v report. A report without a wall time or a peak RSS (the process did not run
// to its end) is an error, returned with whatever was read.
func ReadTimeV(path string) (TimeV, error) {
	var t TimeV
	b, err := os.ReadFile(path)
	if err != nil {
		return t, err
	}
	for line := range strings.Lines(string(b)) {
		line = strings.TrimSpace(line)
		if v, ok := strings.CutPrefix(line, "Maximum resident set size (kbytes): "); ok {
			t.PeakKiB, _ = strconv.ParseInt(v, 10, 64)
		}
		if v, ok := strings.CutPrefix(line, "Elapsed (wall clock) time (h:mm:ss or m:ss): "); ok {
			t.WallS = clockSeconds(v)
		}
		for _, prefix := range []string{"User time (seconds): ", "System time (seconds): "} {
			if v, ok := strings.CutPrefix(line, prefix); ok {
				s, _ := strconv.ParseFloat(v, 64)
				t.CPUS += s
			}
		}
	}
	if t.WallS <= 0 || t.PeakKiB <= 0 {
		return t, fmt.Errorf("%s: no wall time or peak RSS in it", path)
	}
	return t, nil
}

// clockSeconds parses /usr/bin/time's h:mm:ss or m:ss.ss; 0 when it is neither.
func clockSeconds(v string) float64 {
	var s float64
	for part := range strings.SplitSeq(v, ":") {
		f, err := strconv.ParseFloat(part, 64)
		if err != nil {
			return 0
		}
		s = s*60 + f
	}
	return s
}

// MedianRange prints a sample as the tables do: "median (min–max)" with the given decimals, the median alone when
// every value is the same, "–" for none.
func MedianRange(xs []float64, decimals int) string {
	s := stats.Summarize(xs)
	switch {
	case s.N == 0:
		return "–"
	case s.Min == s.Max:
		return fmt.Sprintf("%.*f", decimals, s.Median)
	}
	return fmt.Sprintf("%.*f (%.*f–%.*f)", decimals, s.Median, decimals, s.Min, decimals, s.Max)
}
