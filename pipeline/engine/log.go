package engine

import (
	"fmt"
	"io"
	"time"
)

// Logf writes one "chimera: " line to w; a nil w discards it.
func Logf(w io.Writer, format string, args ...any) {
	if w != nil {
		fmt.Fprintf(w, "chimera: "+format+"\n", args...)
	}
}

// MillisSince is the time since start in milliseconds, the unit of every duration chimera records.
func MillisSince(start time.Time) float64 { return float64(time.Since(start).Nanoseconds()) / 1e6 }
