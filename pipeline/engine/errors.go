package engine

import "errors"

// InputError marks an error caused by the user's input (flags, files, models) rather than by chimera or the
// machine; the CLI exits with status 2 for these.
type InputError struct{ Err error }

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

// BadInput marks the error as the user's input.
func (*InputError) BadInput() {}

// Invalid wraps err as an input error.
func Invalid(err error) error {
	if err == nil {
		return nil
	}
	return &InputError{Err: err}
}

// IsInputError reports whether err was caused by bad input: each package marks the errors it makes from the
// user's input (flags, model files, weights that compute NaN, prompts that cannot fit, runs that do not exist)
// with a BadInput method.
func IsInputError(err error) bool {
	var input interface{ BadInput() }
	return errors.As(err, &input)
}
