package llama

// #include "bridge.h"
import "C"

import (
	"io"
	"runtime"
	"strings"
	"sync"
)

// logSink receives every llama.cpp/ggml log line. It forwards lines at or above the configured level, lets a
// model load capture its own lines, which carry facts the C API does not expose (offloaded layers, buffer sizes),
// and collects the error lines of the calls made through errorsDuring.
type logSink struct {
	mu      sync.Mutex
	out     io.Writer
	level   LogLevel
	last    LogLevel
	capture *strings.Builder
	// errs holds, for each OS thread running errorsDuring, the error lines logged on it so far.
	errs map[C.uintptr_t][]string
}

var logs = logSink{errs: map[C.uintptr_t][]string{}}

func (s *logSink) configure(out io.Writer, level LogLevel) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.out, s.level = out, level
}

//export goLog
func goLog(level C.int, text *C.char, thread C.uintptr_t) {
	logs.write(LogLevel(level), C.GoString(text), thread)
}

const logCont LogLevel = 5 // GGML_LOG_LEVEL_CONT: continues the previous line at its level

// maxErrorLines bounds what one call collects; the first lines name the cause, later ones its consequences.
const maxErrorLines = 8

func (s *logSink) write(level LogLevel, text string, thread C.uintptr_t) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if level == logCont {
		level = s.last
	}
	s.last = level
	if s.capture != nil {
		s.capture.WriteString(text)
	}
	if lines, watched := s.errs[thread]; watched && level >= LogError && len(lines) < maxErrorLines {
		if line := strings.TrimSpace(text); line != "" {
			s.errs[thread] = append(lines, line)
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
	return func() string {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.capture = nil
		return b.String()
	}
}

// errorsDuring runs call locked to one OS thread and returns the error lines llama.cpp logged on that thread
// while call ran, joined by "; ", to explain a failure call reports. llama.cpp logs synchronously on the thread
// that calls it and no other goroutine runs on a locked thread, so the lines are those of call's own llama.cpp
// calls, never another goroutine's. Lines logged by threads llama.cpp itself starts (ggml's CPU workers) are not
// seen.
func errorsDuring(call func()) string {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	thread := C.chimera_thread()
	logs.watch(thread)
	call()
	return logs.unwatch(thread)
}

func (s *logSink) watch(thread C.uintptr_t) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.errs[thread] = []string{}
}

func (s *logSink) unwatch(thread C.uintptr_t) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	lines := s.errs[thread]
	delete(s.errs, thread)
	return strings.Join(lines, "; ")
}
