package llama

import "C"

import (
	"io"
	"strings"
	"sync"
)

// logSink receives every llama.cpp/ggml log line. It forwards lines at or above the configured level and lets a
// model load capture its own lines, which carry facts the C API does not expose (offloaded layers, buffer sizes).
type logSink struct {
	mu       sync.Mutex
	out      io.Writer
	level    LogLevel
	last     LogLevel
	capture  *strings.Builder
	lastErrs []string
}

var logs logSink

func (s *logSink) configure(out io.Writer, level LogLevel) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.out, s.level = out, level
}

//export goLog
func goLog(level C.int, text *C.char) {
	logs.write(LogLevel(level), C.GoString(text))
}

const logCont LogLevel = 5 // GGML_LOG_LEVEL_CONT: continues the previous line at its level

func (s *logSink) write(level LogLevel, text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if level == logCont {
		level = s.last
	}
	s.last = level
	if s.capture != nil {
		s.capture.WriteString(text)
	}
	if level >= LogError {
		s.lastErrs = append(s.lastErrs, strings.TrimSpace(text))
		if len(s.lastErrs) > 8 {
			s.lastErrs = s.lastErrs[1:]
		}
	}
	if s.out != nil && level >= s.level {
		io.WriteString(s.out, text)
	}
}

// startCapture records every line until the returned function is called, which returns them.
// Callers hold loadMu, so captures never overlap.
func (s *logSink) startCapture() func() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := &strings.Builder{}
	s.capture = b
	s.lastErrs = nil
	return func() string {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.capture = nil
		return b.String()
	}
}

// lastError is the most recent error line llama.cpp logged, used to explain a NULL return.
func (s *logSink) lastError() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.lastErrs) == 0 {
		return ""
	}
	return s.lastErrs[len(s.lastErrs)-1]
}
