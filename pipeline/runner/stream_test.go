package runner

import (
	"strings"
	"testing"
)

func streamAll(stops []string, pieces ...string) (released []string, text string, stopped bool) {
	s := textStream{stops: stops}
	for _, p := range pieces {
		released = append(released, s.add(p))
		if s.stopped {
			break
		}
	}
	released = append(released, s.flush())
	return released, s.Text(), s.stopped
}

func TestTextStreamCutsAtStopStringAcrossPieces(t *testing.T) {
	released, text, stopped := streamAll([]string{"</end>"}, "hello </", "en", "d> tail")
	if !stopped || text != "hello " {
		t.Fatalf("text %q stopped %v, want %q true", text, stopped, "hello ")
	}
	if got := strings.Join(released, ""); got != "hello " {
		t.Errorf("released %q, want %q", got, "hello ")
	}
}

func TestTextStreamHoldsBackPossibleStopPrefix(t *testing.T) {
	s := textStream{stops: []string{"STOP"}}
	if got := s.add("abc ST"); got != "abc " {
		t.Errorf("released %q, want %q (ST may start STOP)", got, "abc ")
	}
	if got := s.add("AY"); got != "STAY" {
		t.Errorf("released %q, want %q", got, "STAY")
	}
}

func TestTextStreamNeverSplitsUTF8(t *testing.T) {
	euro := "€" // 3 bytes
	s := textStream{}
	if got := s.add(euro[:2]); got != "" {
		t.Errorf("released %q of a partial character", got)
	}
	if got := s.add(euro[2:] + "x"); got != euro+"x" {
		t.Errorf("released %q, want %q", got, euro+"x")
	}
}

func TestTextStreamWithoutStopsReleasesEverything(t *testing.T) {
	released, text, stopped := streamAll(nil, "a", "b", "c")
	if stopped || text != "abc" || strings.Join(released, "") != "abc" {
		t.Errorf("released %q text %q stopped %v", released, text, stopped)
	}
}
