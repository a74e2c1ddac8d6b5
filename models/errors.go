package models

import "fmt"

// Error is a problem with a model file or a model reference, told in one sentence.
type Error struct {
	Path    string // the file, directory or reference at fault
	Problem string
}

func (e *Error) Error() string { return e.Path + ": " + e.Problem }

func errorf(path, format string, args ...any) *Error {
	return &Error{Path: path, Problem: fmt.Sprintf(format, args...)}
}
