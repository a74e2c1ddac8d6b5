package workflows

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"chimera/pipeline/engine"
)

func TestProgressInALogIsOneLinePerStep(t *testing.T) {
	var log bytes.Buffer
	p := newProgressBar(&log, 4)
	p.start = time.Now().Add(-10 * time.Second)
	p.step()
	engine.Logf(p, "cell 1: measured")
	p.step()
	p.finish()
	want := "chimera: [=======                       ] 1/4 steps, 10s elapsed, ETA 30s\n" +
		"chimera: cell 1: measured\n" +
		"chimera: [===============               ] 2/4 steps, 10s elapsed, ETA 10s\n"
	if log.String() != want {
		t.Errorf("log:\n%q\nwant\n%q", log.String(), want)
	}
}

func TestProgressOnATerminalKeepsTheBarBelowTheLines(t *testing.T) {
	var screen bytes.Buffer
	p := &progressBar{w: &screen, total: 2, start: time.Now().Add(-4 * time.Second)}
	p.step()
	engine.Logf(p, "cell 1: measured")
	p.step()
	p.finish()
	bar1 := "[===============               ] 1/2 steps, 4s elapsed, ETA 4s"
	blank := "\r" + strings.Repeat(" ", len(bar1)) + "\r"
	want := bar1 + blank + "chimera: cell 1: measured\n" + bar1 + blank +
		"[==============================] 2/2 steps, 4s elapsed, ETA 0s\n"
	if screen.String() != want {
		t.Errorf("screen:\n%q\nwant\n%q", screen.String(), want)
	}
}
