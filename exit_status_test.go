package main

import (
	"context"
	"errors"
	"testing"

	"chimera/pipeline/engine"
)

// A run's error and a failure to write its output are both kept, on one line, and the run's decides the status.
func TestJoinedErrorsKeepTheRunsStatus(t *testing.T) {
	for _, c := range []struct {
		err  error
		want int
	}{
		{errors.Join(context.Canceled, errors.New("write /dev/full: no space left on device")), statusInterrupted},
		{errors.Join(engine.Invalid(errors.New("bad flag")), errors.New("write failed")), 2},
		{errors.Join(nil, errors.New("write failed")), 1},
	} {
		if got := exitStatus(c.err); got != c.want {
			t.Errorf("%q: status %d, want %d", c.err, got, c.want)
		}
	}
}
