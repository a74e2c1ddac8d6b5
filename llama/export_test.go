package llama

// Hooks for the llama_test package's tests.

var (
	ErrNotInited = errNotInited
	AllFinite    = allFinite
)

// ModelFreed reports whether the C model behind m has been freed.
func ModelFreed(m *Model) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.c == nil
}
