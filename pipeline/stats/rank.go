package stats

import (
	"math"
	"slices"

	"gonum.org/v1/gonum/stat/distuv"
)

// KendallResult is Kendall's rank correlation τ-b between two series and its two-sided p-value.
type KendallResult struct {
	Tau float64
	P   float64
}

// maxExactKendall is the longest series whose p-value is exact, found by enumerating every ordering of y
// (8! = 40,320); longer ones use the normal approximation with the variance corrected for ties.
const maxExactKendall = 8

// Kendall computes τ-b over paired values. Fewer than three pairs, or a series that is constant, give NaN.
func Kendall(x, y []float64) KendallResult {
	n := len(x)
	if n < 3 || n != len(y) {
		return KendallResult{math.NaN(), math.NaN()}
	}
	s := concordance(x, y)
	tx, ty := tiedPairs(x), tiedPairs(y)
	pairs := float64(n * (n - 1) / 2)
	denominator := math.Sqrt((pairs - tx) * (pairs - ty))
	if denominator == 0 {
		return KendallResult{math.NaN(), math.NaN()}
	}
	tau := float64(s) / denominator
	if n <= maxExactKendall {
		return KendallResult{tau, exactKendallP(x, y, s)}
	}
	return KendallResult{tau, normalKendallP(x, y, s)}
}

// concordance is the number of concordant pairs minus the number of discordant ones (Kendall's S).
func concordance(x, y []float64) int {
	s := 0
	for i := range x {
		for j := i + 1; j < len(x); j++ {
			s += sign(x[j]-x[i]) * sign(y[j]-y[i])
		}
	}
	return s
}

func sign(d float64) int {
	switch {
	case d > 0:
		return 1
	case d < 0:
		return -1
	}
	return 0
}

// tiedPairs counts the pairs of equal values.
func tiedPairs(xs []float64) float64 {
	counts := map[float64]int{}
	for _, x := range xs {
		counts[x]++
	}
	t := 0.0
	for _, c := range counts {
		t += float64(c * (c - 1) / 2)
	}
	return t
}

// exactKendallP is the share of the orderings of y whose |S| is at least the observed one.
func exactKendallP(x, y []float64, observed int) float64 {
	perm := slices.Clone(y)
	slices.Sort(perm)
	atLeast, total := 0, 0
	for {
		total++
		if abs(concordance(x, perm)) >= abs(observed) {
			atLeast++
		}
		if !nextPermutation(perm) {
			break
		}
	}
	return float64(atLeast) / float64(total)
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// nextPermutation rearranges xs into the next lexicographic ordering, reporting false after the last one;
// equal values are not permuted among themselves, so each distinct ordering counts once.
func nextPermutation(xs []float64) bool {
	i := len(xs) - 2
	for i >= 0 && xs[i] >= xs[i+1] {
		i--
	}
	if i < 0 {
		return false
	}
	j := len(xs) - 1
	for xs[j] <= xs[i] {
		j--
	}
	xs[i], xs[j] = xs[j], xs[i]
	slices.Reverse(xs[i+1:])
	return true
}

// normalKendallP approximates S by a normal variable whose variance accounts for ties in either series.
func normalKendallP(x, y []float64, s int) float64 {
	n := float64(len(x))
	v := (n*(n-1)*(2*n+5) - tieTerm(x) - tieTerm(y)) / 18
	if v <= 0 {
		return math.NaN()
	}
	z := float64(abs(s)) / math.Sqrt(v)
	return 2 * distuv.UnitNormal.Survival(z)
}

func tieTerm(xs []float64) float64 {
	counts := map[float64]int{}
	for _, x := range xs {
		counts[x]++
	}
	t := 0.0
	for _, c := range counts {
		t += float64(c*(c-1)) * float64(2*c+5)
	}
	return t
}

// SignTest is the two-sided binomial p-value of k successes in n trials with probability one half: how often
// a difference with no preferred direction would come out as lopsided as k of n matched cells.
func SignTest(k, n int) float64 {
	if n == 0 {
		return math.NaN()
	}
	tail := min(k, n-k)
	b := distuv.Binomial{N: float64(n), P: 0.5}
	return math.Min(1, 2*b.CDF(float64(tail)))
}

// WelchFromSummaries is Welch's test from means, sample standard deviations and sample sizes, for sources that
// publish only those (mean ± sd over n runs).
func WelchFromSummaries(meanA, sdA float64, nA int, meanB, sdB float64, nB int) WelchResult {
	if nA < 2 || nB < 2 {
		return WelchResult{math.NaN(), math.NaN(), math.NaN()}
	}
	na, nb := float64(nA), float64(nB)
	sa, sb := sdA*sdA/na, sdB*sdB/nb
	se2 := sa + sb
	if se2 == 0 {
		return WelchResult{math.NaN(), math.NaN(), math.NaN()}
	}
	t := (meanA - meanB) / math.Sqrt(se2)
	df := se2 * se2 / (sa*sa/(na-1) + sb*sb/(nb-1))
	return WelchResult{T: t, DF: df, P: studentTTwoSided(t, df)}
}

// RobustZ scores each value by its distance from the median in units of the scaled median absolute deviation
// (1.4826·MAD, the sd of normal data). With a MAD of zero every score is 0 or ±Inf.
func RobustZ(xs []float64) []float64 {
	med := Median(xs)
	deviations := make([]float64, len(xs))
	for i, x := range xs {
		deviations[i] = math.Abs(x - med)
	}
	mad := 1.4826 * Median(deviations)
	z := make([]float64, len(xs))
	for i, x := range xs {
		if x != med {
			z[i] = (x - med) / mad
		}
	}
	return z
}

// Median is the middle value (the mean of the two middle ones for an even count); NaN for no values.
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	return Quantile(xs, 0.5)
}

// Quantile is the p-quantile of xs as Summarize computes its median and p95 (type 7); NaN for no values.
func Quantile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	return quantile(slices.Sorted(slices.Values(xs)), p)
}
