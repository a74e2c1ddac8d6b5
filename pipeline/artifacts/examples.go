package artifacts

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
	"path/filepath"
)

// ExampleArtifacts copies the artifact files of fsys into a directory of cacheDir named after their content and
// returns it; a later call with the same files finds it there. The copy is written aside and renamed into place,
// so concurrent runs never read a partial one, and a binary with other examples gets a directory of its own.
func ExampleArtifacts(fsys fs.FS, cacheDir string) (string, error) {
	digest, err := contentDigest(fsys)
	if err != nil {
		return "", err
	}
	dir := filepath.Join(cacheDir, "examples", digest)
	if isDir(dir) {
		return dir, nil
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return "", err
	}
	staging, err := os.MkdirTemp(filepath.Dir(dir), ".staging-*")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(staging)
	if err := os.CopyFS(staging, fsys); err != nil {
		return "", err
	}
	if err := os.Rename(staging, dir); err != nil && !isDir(dir) {
		return "", err // not another process having put the same copy there first
	}
	return dir, nil
}

// contentDigest names the files of fsys and their content: 12 hex digits of a SHA-256 over paths and bytes.
func contentDigest(fsys fs.FS) (string, error) {
	h := sha256.New()
	err := fs.WalkDir(fsys, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(fsys, path)
		if err != nil {
			return err
		}
		h.Write([]byte(path + "\x00"))
		h.Write(data)
		h.Write([]byte{0})
		return nil
	})
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil))[:12], nil
}

func isDir(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.IsDir()
}
