package pipeline

import (
	"math"
	"slices"
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
		Mean:   mean(xs),
		Median: quantile(sorted, 0.5),
		P95:    quantile(sorted, 0.95),
		Min:    sorted[0],
		Max:    sorted[len(sorted)-1],
		SD:     math.Sqrt(sampleVariance(xs)),
	}
}

// CV is the coefficient of variation, sample SD divided by the mean; NaN for fewer than two values or a zero
// mean.
func CV(xs []float64) float64 {
	m := mean(xs)
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
	m := mean(xs)
	half := studentTQuantile(0.975, n-1) * math.Sqrt(sampleVariance(xs)/n)
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
	na, nb := float64(len(a)), float64(len(b))
	if na < 2 || nb < 2 {
		return WelchResult{math.NaN(), math.NaN(), math.NaN()}
	}
	sa, sb := sampleVariance(a)/na, sampleVariance(b)/nb
	se2 := sa + sb
	if se2 == 0 {
		return WelchResult{math.NaN(), math.NaN(), math.NaN()}
	}
	t := (mean(a) - mean(b)) / math.Sqrt(se2)
	df := se2 * se2 / (sa*sa/(na-1) + sb*sb/(nb-1))
	return WelchResult{T: t, DF: df, P: studentTTwoSided(t, df)}
}

func mean(xs []float64) float64 {
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
	m := mean(xs)
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

// studentTTwoSided is P(|T| ≥ |t|) for Student's t with df degrees of freedom: I_{df/(df+t²)}(df/2, 1/2).
func studentTTwoSided(t, df float64) float64 {
	return regularizedIncompleteBeta(df/2, 0.5, df/(df+t*t))
}

// studentTQuantile is the t with P(T ≤ t) = p for p in (0.5, 1), found by bisection on the distribution
// function; precision is not a concern at the handful of calls facts make.
func studentTQuantile(p, df float64) float64 {
	upperTail := 2 * (1 - p)
	lo, hi := 0.0, 1.0
	for studentTTwoSided(hi, df) > upperTail {
		lo, hi = hi, 2*hi
	}
	for range 200 {
		mid := (lo + hi) / 2
		if studentTTwoSided(mid, df) > upperTail {
			lo = mid
		} else {
			hi = mid
		}
	}
	return (lo + hi) / 2
}

// regularizedIncompleteBeta is I_x(a, b), evaluated with the continued fraction on whichever side of the
// distribution converges quickly (Numerical Recipes, 3rd ed., §6.4).
func regularizedIncompleteBeta(a, b, x float64) float64 {
	switch {
	case x <= 0:
		return 0
	case x >= 1:
		return 1
	}
	lgab, _ := math.Lgamma(a + b)
	lga, _ := math.Lgamma(a)
	lgb, _ := math.Lgamma(b)
	front := math.Exp(lgab - lga - lgb + a*math.Log(x) + b*math.Log1p(-x))
	if x < (a+1)/(a+b+2) {
		return front * betaContinuedFraction(a, b, x) / a
	}
	return 1 - front*betaContinuedFraction(b, a, 1-x)/b
}

// betaContinuedFraction evaluates the incomplete beta continued fraction by the modified Lentz method.
func betaContinuedFraction(a, b, x float64) float64 {
	const (
		epsilon = 1e-15
		tiny    = 1e-300
	)
	guard := func(v float64) float64 {
		if math.Abs(v) < tiny {
			return tiny
		}
		return v
	}
	c, d := 1.0, 1/guard(1-(a+b)*x/(a+1))
	result := d
	for i := 1; i <= 10000; i++ {
		m := float64(i)
		even := m * (b - m) * x / ((a + 2*m - 1) * (a + 2*m))
		d = 1 / guard(1+even*d)
		c = guard(1 + even/c)
		result *= d * c
		odd := -(a + m) * (a + b + m) * x / ((a + 2*m) * (a + 2*m + 1))
		d = 1 / guard(1+odd*d)
		c = guard(1 + odd/c)
		step := d * c
		result *= step
		if math.Abs(step-1) < epsilon {
			break
		}
	}
	return result
}
