package stats

import (
	"math"
	"slices"

	"gonum.org/v1/gonum/stat/distuv"
)

// Summary describes a sample of measurements.
type Summary struct {
	N      int     `json:"n"`
	Mean   float64 `json:"mean"`
	Median float64 `json:"median"`
	P95    float64 `json:"p95"`
	Min    float64 `json:"min"`
	Max    float64 `json:"max"`
	SD     float64 `json:"sd"`
}

// Summarize describes xs. SD is the sample standard deviation (n−1 in the denominator), 0 for a single value.
// Median and P95 interpolate linearly between order statistics: with the values sorted as x[0] ≤ … ≤ x[n−1]
// and h = (n−1)·p, the p-quantile is x[⌊h⌋] + (h−⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋]) (Hyndman and Fan's type 7, the
// default of NumPy and R). An empty sample gives the zero Summary.
func Summarize(xs []float64) Summary {
	if len(xs) == 0 {
		return Summary{}
	}
	sorted := slices.Sorted(slices.Values(xs))
	return Summary{
		N:      len(xs),
		Mean:   Mean(xs),
		Median: quantile(sorted, 0.5),
		P95:    quantile(sorted, 0.95),
		Min:    sorted[0],
		Max:    sorted[len(sorted)-1],
		SD:     SD(xs),
	}
}

// CV is the coefficient of variation, sample SD divided by the mean; NaN for fewer than two values or a zero
// mean.
func CV(xs []float64) float64 {
	m := Mean(xs)
	if len(xs) < 2 || m == 0 {
		return math.NaN()
	}
	return math.Sqrt(sampleVariance(xs)) / m
}

// MeanCI95 is the two-sided 95 % confidence interval of the mean from Student's t distribution with n−1
// degrees of freedom. Both bounds are NaN for fewer than two values.
func MeanCI95(xs []float64) (lo, hi float64) {
	n := float64(len(xs))
	if n < 2 {
		return math.NaN(), math.NaN()
	}
	m := Mean(xs)
	half := studentT(n-1).Quantile(0.975) * math.Sqrt(sampleVariance(xs)/n)
	return m - half, m + half
}

// WelchResult is the outcome of Welch's unequal-variances t-test.
type WelchResult struct {
	T  float64 // (mean(a) − mean(b)) / standard error of the difference
	DF float64 // Welch–Satterthwaite degrees of freedom
	P  float64 // two-sided p-value
}

// Welch tests whether two independent samples have the same mean without assuming equal variances. Each
// sample needs at least two values and the samples together a nonzero variance; otherwise every field is NaN.
func Welch(a, b []float64) WelchResult {
	return WelchFromSummaries(Mean(a), SD(a), len(a), Mean(b), SD(b), len(b))
}

// SD is the sample standard deviation (n−1 in the denominator), 0 for fewer than two values.
func SD(xs []float64) float64 { return math.Sqrt(sampleVariance(xs)) }

// Mean is the arithmetic mean; NaN for no values.
func Mean(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	sum := 0.0
	for _, x := range xs {
		sum += x
	}
	return sum / float64(len(xs))
}

// sampleVariance uses the n−1 denominator and is 0 for fewer than two values.
func sampleVariance(xs []float64) float64 {
	if len(xs) < 2 {
		return 0
	}
	m := Mean(xs)
	sum := 0.0
	for _, x := range xs {
		sum += (x - m) * (x - m)
	}
	return sum / float64(len(xs)-1)
}

// quantile interpolates linearly between the order statistics of sorted (type 7, see Summarize).
func quantile(sorted []float64, p float64) float64 {
	h := float64(len(sorted)-1) * p
	lo := int(math.Floor(h))
	if lo+1 >= len(sorted) {
		return sorted[lo]
	}
	return sorted[lo] + (h-float64(lo))*(sorted[lo+1]-sorted[lo])
}

// studentTTwoSided is P(|T| ≥ |t|) for Student's t with df degrees of freedom.
func studentTTwoSided(t, df float64) float64 {
	return 2 * studentT(df).Survival(math.Abs(t))
}

func studentT(df float64) distuv.StudentsT { return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df} }
