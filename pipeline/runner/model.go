package runner

import (
	"sync/atomic"

	"chimera/llama"
)

// Model is a loaded model as the runner uses it: the first call after the load is charged its load time.
type Model struct {
	*llama.Model
	// loadCharged makes the first call after the load carry load_duration, as Ollama reports it.
	loadCharged atomic.Bool
}

// NewModel runs calls on a loaded model.
func NewModel(m *llama.Model) *Model { return &Model{Model: m} }

// takeLoadDuration returns the load time for the first call after the load and zero afterwards.
func (m *Model) takeLoadDuration() float64 {
	if m.loadCharged.CompareAndSwap(false, true) {
		return m.Load.LoadMS
	}
	return 0
}
