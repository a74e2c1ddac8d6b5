package models

import "fmt"

// Error is a problem with a model file or a model reference, told in one sentence.
type Error struct {
	Path    string // the file, directory or reference at fault
	Problem string
}

func (e *Error) Error() string { return e.Path + ": " + e.Problem }

// BadInput marks the error as the user's input for the CLI, which exits with status 2.
func (*Error) BadInput() {}

func errorf(path, format string, args ...any) *Error {
	return &Error{Path: path, Problem: fmt.Sprintf(format, args...)}
}
