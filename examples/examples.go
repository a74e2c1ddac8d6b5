// Package examples embeds the bundled example artifacts (chimera's own measurements, written by
// scripts/make-examples.sh), so that `chimera run` has something to analyse wherever the binary is installed.
package examples

import (
	"embed"
	"io/fs"
)

//go:embed artifacts
var embedded embed.FS

// Artifacts returns the example artifact files, at the root of the file system.
func Artifacts() fs.FS {
	artifacts, err := fs.Sub(embedded, "artifacts")
	if err != nil {
		panic(err) // "artifacts" is a valid path: fs.Sub cannot fail on it
	}
	return artifacts
}
