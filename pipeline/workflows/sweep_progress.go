package workflows

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// progressBar shows the steps done and the time left at the pace so far. On a terminal it keeps a status line at
// the bottom of w, and lines written through it appear above the bar; written anywhere else (a log file, a pipe)
// each step's status is a line of its own, so the log stays readable. With a nil w it shows and writes nothing.
type progressBar struct {
	w     io.Writer
	total int
	done  int
	start time.Time
	lines bool // w is not a terminal
	shown int  // length of the status line on screen; 0 when none is
}

const progressWidth = 30

func newProgressBar(w io.Writer, total int) *progressBar {
	return &progressBar{w: w, total: total, start: time.Now(), lines: !isTerminal(w)}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

// step counts one step done and shows it.
func (p *progressBar) step() { p.advance(1) }

// advance counts n steps done, or skipped, and shows them.
func (p *progressBar) advance(n int) {
	p.done += n
	if p.w != nil && p.lines {
		fmt.Fprintln(p.w, "chimera: "+p.status())
		return
	}
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

// status is the bar, the steps and the times: [=====     ] 2/12 steps, 1m0s elapsed, ETA 5m0s.
func (p *progressBar) status() string {
	filled := progressWidth * min(p.done, p.total) / max(p.total, 1)
	elapsed := time.Since(p.start)
	left := time.Duration(float64(elapsed) / float64(p.done) * float64(max(p.total-p.done, 0)))
	return fmt.Sprintf("[%s%s] %d/%d steps, %s elapsed, ETA %s", strings.Repeat("=", filled),
		strings.Repeat(" ", progressWidth-filled), p.done, p.total, elapsed.Round(time.Second), left.Round(time.Second))
}

func (p *progressBar) draw() {
	if p.w == nil || p.lines || p.done == 0 {
		return
	}
	status := p.status()
	p.erase()
	fmt.Fprint(p.w, status)
	p.shown = len(status)
}

// erase blanks the status line with spaces rather than terminal escapes.
func (p *progressBar) erase() {
	if p.shown > 0 {
		fmt.Fprintf(p.w, "\r%s\r", strings.Repeat(" ", p.shown))
		p.shown = 0
	}
}
