package artifacts

import (
	"fmt"
	"unsafe"
)

// outputBudget keeps what a parser builds proportional to what it reads. Every cell and name that a file spells
// out takes bytes of it, so only repetition can make the output outgrow the input, and then without bound:
// short rows padded to a wide header (a 24 KB CSV took 640 MB), JSON records padded to the union of their keys,
// a long key repeated in the path of every leaf below it, a leaf repeated in the record of every keyed
// collection around it. Parsers charge these to the budget and fail with errTooLarge once it is spent.
type outputBudget struct{ left int }

// outputPerInputByte is the budget, in bytes per byte of the file. A CSV of nothing but separators, a cell per
// byte, needs 24; the files of the shared dataset need at most 7. A hostile 4 MiB file is refused after some
// 300 MB and a few seconds.
const outputPerInputByte = 64

// The costs parsers charge: a table cell's text and value, a JSON leaf before it is lined up in a table.
const (
	cellBytes = int(unsafe.Sizeof("") + unsafe.Sizeof(0.0))
	leafBytes = int(unsafe.Sizeof(leaf{}))
)

var errTooLarge = fmt.Errorf("its tables and field names would take more than %d× the file's size", outputPerInputByte)

func newOutputBudget(input string) *outputBudget {
	return &outputBudget{left: outputPerInputByte * len(input)}
}

// spend takes bytes from the budget and reports whether it still holds out.
func (b *outputBudget) spend(bytes int) bool {
	b.left -= bytes
	return b.left >= 0
}

// spendRow charges a table row of width cells.
func (b *outputBudget) spendRow(width int) bool { return b.spend(width * cellBytes) }

func (b *outputBudget) exhausted() bool { return b.left < 0 }
