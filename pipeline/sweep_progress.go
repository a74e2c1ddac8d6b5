package pipeline

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// progressBar keeps a status line, the steps done and the time left at the pace so far, at the bottom of w.
// Lines written through it appear above the bar. With a nil w it draws and writes nothing.
type progressBar struct {
	w     io.Writer
	total int
	done  int
	start time.Time
	shown int // length of the status line on screen; 0 when none is
}

const progressWidth = 30

func newProgressBar(w io.Writer, total int) *progressBar {
	return &progressBar{w: w, total: total, start: time.Now()}
}

// step counts one step done and redraws the bar.
func (p *progressBar) step() {
	p.done++
	p.draw()
}

// Write puts a log line above the bar.
func (p *progressBar) Write(line []byte) (int, error) {
	if p.w == nil {
		return len(line), nil
	}
	p.erase()
	n, err := p.w.Write(line)
	p.draw()
	return n, err
}

// finish leaves the last status on its own line.
func (p *progressBar) finish() {
	if p.shown > 0 {
		fmt.Fprintln(p.w)
		p.shown = 0
	}
}

func (p *progressBar) draw() {
	if p.w == nil || p.done == 0 {
		return
	}
	filled := progressWidth * min(p.done, p.total) / max(p.total, 1)
	elapsed := time.Since(p.start)
	left := time.Duration(float64(elapsed) / float64(p.done) * float64(max(p.total-p.done, 0)))
	status := fmt.Sprintf("[%s%s] %d/%d steps, %s elapsed, ETA %s", strings.Repeat("=", filled),
		strings.Repeat(" ", progressWidth-filled), p.done, p.total, elapsed.Round(time.Second), left.Round(time.Second))
	p.erase()
	fmt.Fprint(p.w, status)
	p.shown = len(status)
}

// erase blanks the status line with spaces rather than terminal escapes, so a log file stays plain text.
func (p *progressBar) erase() {
	if p.shown > 0 {
		fmt.Fprintf(p.w, "\r%s\r", strings.Repeat(" ", p.shown))
		p.shown = 0
	}
}
