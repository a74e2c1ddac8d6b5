package artifacts

import (
	"cmp"
	"math"
	"slices"
)

// dropProportionalMeasures keeps one of the measures that are one quantity: columns whose values keep one
// ratio, or one product, on every row, as far as the digits they were written with tell. A run of fixed
// size writes its output, request and total-token throughputs and its duration so (each is a count over the
// same duration), a log its time per token beside the tokens per second computed from it; every insight on
// one would restate the others'. The one kept is the one written with the most digits (the others were
// computed from it and rounded), then a rate over a time, then the first.
func (rel *relation) dropProportionalMeasures() {
	digits := make(map[*measure]float64, len(rel.measures))
	for _, m := range rel.measures {
		digits[m] = coarsestDigit(m)
	}
	preferred := slices.Clone(rel.measures)
	slices.SortStableFunc(preferred, func(a, b *measure) int {
		return cmp.Or(cmp.Compare(digits[a], digits[b]), cmp.Compare(b.direction, a.direction))
	})
	var kept []*measure
	for _, m := range preferred {
		if !slices.ContainsFunc(kept, func(k *measure) bool { return proportional(k, m) }) {
			kept = append(kept, m)
		}
	}
	rel.measures = slices.DeleteFunc(rel.measures, func(m *measure) bool { return !slices.Contains(kept, m) })
}

// coarsestDigit is the largest relative half-unit of a measure's cells, at least a millionth: a number
// written in full (a JSON float) is as exact as any benchmark measures.
func coarsestDigit(m *measure) float64 {
	coarsest := 1e-6
	for _, c := range m.cells {
		if c.isNumber() && c.value > 0 {
			coarsest = max(coarsest, relativeHalfUnit(c))
		}
	}
	return coarsest
}

// proportional reports whether b is a constant multiple of a, or of 1/a, on at least minTrendPoints rows
// where both are positive numbers and on no row where only one is. Within rounding: each row's log ratio (or
// log product) is known to within the relative half-units of the two cells' last digits, and the rows agree
// when those intervals share a point. Coarse digits over few rows agree by chance (30, 35, 25 ms against 300,
// 250, 350 W keep one product within the rounding of whole numbers); the chance that n rows fall within the
// rounding's width, over a's spread, must be under maxCoincidence.
func proportional(a, b *measure) bool {
	ratio, product := logInterval{math.Inf(-1), math.Inf(1)}, logInterval{math.Inf(-1), math.Inf(1)}
	rows, lowA, highA, widest := 0, math.Inf(1), math.Inf(-1), 0.0
	for i := range a.cells {
		x, y := a.cells[i], b.cells[i]
		if x.isNumber() != y.isNumber() {
			return false
		}
		if !x.isNumber() {
			continue
		}
		if x.value <= 0 || y.value <= 0 {
			return false
		}
		logA, logB, slack := math.Log(x.value), math.Log(y.value), relativeHalfUnit(x)+relativeHalfUnit(y)
		ratio.narrow(logB-logA, slack)
		product.narrow(logB+logA, slack)
		if ratio.empty() && product.empty() {
			return false // most pairs of measures part within a few rows
		}
		rows, lowA, highA, widest = rows+1, min(lowA, logA), max(highA, logA), max(widest, slack)
	}
	spread := highA - lowA
	return rows >= minTrendPoints && spread > 0 && math.Pow(2*widest/spread, float64(rows-1)) <= maxCoincidence
}

const maxCoincidence = 1e-3

// logInterval is where log b − log a (a ratio) or log b + log a (a product) can lie on every row so far, each
// row's value known within its slack.
type logInterval struct{ low, high float64 }

func (in *logInterval) narrow(value, slack float64) {
	in.low, in.high = max(in.low, value-slack), min(in.high, value+slack)
}

func (in logInterval) empty() bool { return in.low > in.high }

// relativeHalfUnit is how far, relative to its value, a cell's number may lie from what it was before it was
// rounded to the decimals it was written with; a little more than float rounding for numbers written in full.
func relativeHalfUnit(c cell) float64 {
	return 0.5*math.Pow(10, -float64(c.decimals))/c.value + 1e-9
}
