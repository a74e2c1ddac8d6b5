package stats

import "math"

// SignificanceLevel is the p-value below which chimera claims a difference.
const SignificanceLevel = 0.05

// Significant reports whether a p-value shows a difference at SignificanceLevel; NaN, an undefined test, does not.
func Significant(p float64) bool { return p < SignificanceLevel }

// Outcome is what a test of two samples of one measure allows a comparison to say.
type Outcome int

const (
	TooFewSamples Outcome = iota // a side has fewer than two samples: no test
	NoSpread                     // neither side varies: Welch's test is undefined
	NoDifference                 // p ≥ SignificanceLevel
	Better                       // the second sample is significantly better than the first
	Worse                        // the second sample is significantly worse than the first
)

// Judgement is Welch's two-sided p-value of a comparison (NaN where undefined) and what it allows.
type Judgement struct {
	P       float64
	Outcome Outcome
}

// Differs reports whether the test found a difference, either way.
func (j Judgement) Differs() bool { return j.Outcome == Better || j.Outcome == Worse }

// Judge tests b against a with Welch's test: the one verdict compare, runs diff, sweep and tune draw. Better means b's
// mean is significantly higher where higher is better, lower otherwise.
func Judge(a, b []float64, higherIsBetter bool) Judgement {
	j := Judgement{P: Welch(a, b).P}
	switch {
	case len(a) < 2 || len(b) < 2:
		j.Outcome = TooFewSamples
	case math.IsNaN(j.P):
		j.Outcome = NoSpread
	case !Significant(j.P):
		j.Outcome = NoDifference
	case (Mean(b) > Mean(a)) == higherIsBetter:
		j.Outcome = Better
	default:
		j.Outcome = Worse
	}
	return j
}
