package engine

import (
	"errors"

	"chimera/llama"
	"chimera/models"
	"chimera/pipeline/runner"
	"chimera/store"
)

// InputError marks an error caused by the user's input (flags, files, models) rather than by chimera or the
// machine; the CLI exits with status 2 for these.
type InputError struct{ Err error }

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

// Invalid wraps err as an input error.
func Invalid(err error) error {
	if err == nil {
		return nil
	}
	return &InputError{Err: err}
}

// IsInputError reports whether err was caused by bad input: flags, model files (also one whose weights compute
// NaN) or prompts that cannot fit.
func IsInputError(err error) bool {
	var input *InputError
	var model *models.Error
	var tooLong *runner.PromptTooLongError
	var nonFinite *llama.NonFiniteLogitsError
	return errors.As(err, &input) || errors.As(err, &model) || errors.As(err, &tooLong) || errors.As(err, &nonFinite) ||
		errors.Is(err, llama.ErrNoChatTemplate) || errors.Is(err, llama.ErrUnsupportedChatTemplate) ||
		errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrNewerSchema) || errors.Is(err, store.ErrUnknownKind)
}
