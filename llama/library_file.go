package llama

import (
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// checkLibrary says why the library at path, or a library it needs that lies beside it (libggml-base.so.0, the
// CUDA runtime: the backends' RUNPATH is $ORIGIN), is not a whole ELF file; nil if they all are. The dynamic
// loader maps a truncated library's segments past the end of its file and then touches them: the process dies of
// SIGBUS inside dlopen instead of getting an error, so such a file must be refused before dlopen sees it.
func checkLibrary(path string) error {
	return checkLibraryOnce(path, map[string]bool{})
}

func checkLibraryOnce(path string, checked map[string]bool) error {
	if checked[path] {
		return nil
	}
	checked[path] = true
	needed, err := readLibraryNeeds(path)
	if err != nil {
		return err
	}
	for _, name := range needed {
		beside := filepath.Join(filepath.Dir(path), name)
		if _, err := os.Stat(beside); err != nil {
			continue // found elsewhere, or not at all: dlopen says so
		}
		if err := checkLibraryOnce(beside, checked); err != nil {
			return fmt.Errorf("needs %s: %w", beside, err)
		}
	}
	return nil
}

// readLibraryNeeds checks that the file at path is an ELF file holding every byte its headers describe, and
// returns the libraries it needs (DT_NEEDED).
func readLibraryNeeds(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	magic := make([]byte, len(elf.ELFMAG))
	if _, err := io.ReadFull(f, magic); err != nil || string(magic) != elf.ELFMAG {
		return nil, fmt.Errorf("not an ELF file (%d bytes)", info.Size())
	}
	truncated := fmt.Errorf("truncated: its ELF headers describe more than its %d bytes", info.Size())
	file, err := elf.NewFile(f)
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, truncated
	}
	if err != nil {
		return nil, fmt.Errorf("a damaged ELF file: %w", err)
	}
	for _, prog := range file.Progs {
		if prog.Type == elf.PT_LOAD && prog.Off+prog.Filesz > uint64(info.Size()) {
			return nil, truncated
		}
	}
	needed, err := file.ImportedLibraries()
	if err != nil {
		return nil, fmt.Errorf("a damaged ELF file: %w", err)
	}
	return needed, nil
}
