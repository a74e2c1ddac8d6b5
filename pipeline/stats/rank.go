package stats

import (
	"cmp"
	"math"
	"slices"

	"gonum.org/v1/gonum/stat/distuv"
)

// KendallResult is Kendall's rank correlation τ-b between two series and its two-sided p-value.
type KendallResult struct {
	Tau float64
	P   float64
}

// maxExactKendall is the longest series with ties whose p-value is exact, found by enumerating every ordering
// of y (8! = 40,320); longer ones use the normal approximation with the variance corrected for ties. Without
// ties the p-value is exact at any length (see untiedKendallP).
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
	switch {
	case tx == 0 && ty == 0:
		return KendallResult{tau, untiedKendallP(n, s)}
	case n <= maxExactKendall:
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

// tieSizes are the sizes of the groups of equal values.
func tieSizes(xs []float64) []float64 {
	counts := map[float64]int{}
	for _, x := range xs {
		counts[x]++
	}
	sizes := make([]float64, 0, len(counts))
	for _, c := range counts {
		sizes = append(sizes, float64(c))
	}
	return sizes
}

// sumOverTies adds f over the sizes of the groups of equal values.
func sumOverTies(xs []float64, f func(t float64) float64) float64 {
	sum := 0.0
	for _, t := range tieSizes(xs) {
		sum += f(t)
	}
	return sum
}

// tiedPairs counts the pairs of equal values.
func tiedPairs(xs []float64) float64 {
	return sumOverTies(xs, func(t float64) float64 { return t * (t - 1) / 2 })
}

// untiedKendallP is the exact p-value of S for n untied pairs. S = pairs − 2·(discordant pairs), and the
// number of orderings with k discordant pairs (inversions) follows the Mahonian numbers, built one element at
// a time as probabilities.
func untiedKendallP(n, s int) float64 {
	dist := []float64{1}
	for i := 2; i <= n; i++ {
		next := make([]float64, len(dist)+i-1)
		for k, pk := range dist {
			for j := 0; j < i; j++ {
				next[k+j] += pk / float64(i)
			}
		}
		dist = next
	}
	pairs := n * (n - 1) / 2
	p := 0.0
	for inversions, pk := range dist {
		if abs(pairs-2*inversions) >= abs(s) {
			p += pk
		}
	}
	return math.Min(1, p)
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
	pairTerm := func(t float64) float64 { return t * (t - 1) }
	tripleTerm := func(t float64) float64 { return t * (t - 1) * (t - 2) }
	v := (n*(n-1)*(2*n+5)-tieTerm(x)-tieTerm(y))/18 +
		sumOverTies(x, tripleTerm)*sumOverTies(y, tripleTerm)/(9*n*(n-1)*(n-2)) +
		sumOverTies(x, pairTerm)*sumOverTies(y, pairTerm)/(2*n*(n-1))
	if v <= 0 {
		return math.NaN()
	}
	z := float64(abs(s)) / math.Sqrt(v)
	return 2 * distuv.UnitNormal.Survival(z)
}

func tieTerm(xs []float64) float64 {
	return sumOverTies(xs, func(t float64) float64 { return t * (t - 1) * (2*t + 5) })
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

// FisherCombined is Fisher's combined p-value of independent tests of one hypothesis: −2 Σ ln pᵢ follows χ²
// with 2k degrees of freedom when every null holds. One-sided p-values in the direction claimed make it a test
// of that direction across the tests (per-cell trends over their repetitions).
func FisherCombined(ps []float64) float64 {
	if len(ps) == 0 {
		return math.NaN()
	}
	statistic := 0.0
	for _, p := range ps {
		statistic -= 2 * math.Log(math.Max(p, math.SmallestNonzeroFloat64))
	}
	return distuv.ChiSquared{K: float64(2 * len(ps))}.Survival(statistic)
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

// maxExactMannWhitney is the largest combined sample whose Mann–Whitney p is exact, by enumerating every way to
// split the pooled ranks (C(16, 8) = 12,870); larger ones use the normal approximation with tie correction.
const maxExactMannWhitney = 16

// MannWhitney is the two-sided p-value of the Mann–Whitney U test (Wilcoxon rank-sum) of two samples: whether
// one tends to be larger, without assuming normal data. NaN when a sample is empty.
func MannWhitney(a, b []float64) float64 {
	if len(a) == 0 || len(b) == 0 {
		return math.NaN()
	}
	ranks := midRanks(slices.Concat(a, b))
	observed := rankSum(ranks[:len(a)])
	if len(a)+len(b) <= maxExactMannWhitney {
		return exactRankSumP(ranks, len(a), observed)
	}
	return normalRankSumP(ranks, len(a), observed)
}

// midRanks ranks values from 1, giving tied values the mean of their ranks.
func midRanks(xs []float64) []float64 {
	order := make([]int, len(xs))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(i, j int) int { return cmp.Compare(xs[i], xs[j]) })
	ranks := make([]float64, len(xs))
	for start := 0; start < len(order); {
		end := start
		for end+1 < len(order) && xs[order[end+1]] == xs[order[start]] {
			end++
		}
		for k := start; k <= end; k++ {
			ranks[order[k]] = float64(start+end)/2 + 1
		}
		start = end + 1
	}
	return ranks
}

func rankSum(ranks []float64) float64 {
	s := 0.0
	for _, r := range ranks {
		s += r
	}
	return s
}

// exactRankSumP is the share of the ways to draw n of the pooled ranks whose sum lies at least as far from its
// mean as the observed one.
func exactRankSumP(ranks []float64, n int, observed float64) float64 {
	mean := float64(n) * float64(len(ranks)+1) / 2
	distance := math.Abs(observed-mean) - 1e-9
	atLeast, total := 0, 0
	var choose func(start, left int, sum float64)
	choose = func(start, left int, sum float64) {
		if left == 0 {
			total++
			if math.Abs(sum-mean) >= distance {
				atLeast++
			}
			return
		}
		for i := start; i <= len(ranks)-left; i++ {
			choose(i+1, left-1, sum+ranks[i])
		}
	}
	choose(0, n, 0)
	return float64(atLeast) / float64(total)
}

// normalRankSumP approximates the rank sum by a normal variable, its variance corrected for ties.
func normalRankSumP(ranks []float64, n int, observed float64) float64 {
	n1, n2 := float64(n), float64(len(ranks)-n)
	N := n1 + n2
	mean := n1 * (N + 1) / 2
	variance := n1 * n2 / 12 * ((N + 1) - tieTerm3(ranks)/(N*(N-1)))
	if variance <= 0 {
		return math.NaN()
	}
	return 2 * distuv.UnitNormal.Survival(math.Abs(observed-mean)/math.Sqrt(variance))
}

// tieTerm3 is Σ(t³ − t) over groups of tied ranks.
func tieTerm3(ranks []float64) float64 {
	return sumOverTies(ranks, func(t float64) float64 { return t*t*t - t })
}

// NewValueTest is the two-sided p-value of one new value x against repetitions xs of the same configuration:
// how often a value as far from their mean would come out of the distribution they sample (Student's t with
// the prediction error sd·√(1 + 1/n), n−1 degrees of freedom). NaN for fewer than two repetitions or none
// that differ.
func NewValueTest(xs []float64, x float64) float64 {
	n := float64(len(xs))
	sd := SD(xs)
	if n < 2 || sd == 0 {
		return math.NaN()
	}
	t := (x - Mean(xs)) / (sd * math.Sqrt(1+1/n))
	return studentTTwoSided(t, n-1)
}

// BinomialTail is the chance of k or more successes in n trials that each succeed with probability p.
func BinomialTail(k, n int, p float64) float64 {
	if k <= 0 {
		return 1
	}
	return distuv.Binomial{N: float64(n), P: p}.Survival(float64(k) - 0.5)
}
