package render

import (
	"encoding/json"
	"io"

	"github.com/google/renameio/v2"
)

// WriteFileAtomic replaces path with data through a temporary file renamed into place, so that no reader and no
// crash ever sees a half-written file under that name.
func WriteFileAtomic(path string, data []byte) error {
	return renameio.WriteFile(path, data, 0o644)
}

// WriteJSON writes v as indented JSON followed by a newline.
func WriteJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
