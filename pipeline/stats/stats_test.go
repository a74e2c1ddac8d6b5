package stats

import (
	"math"
	"testing"
)

func assertClose(t *testing.T, name string, got, want, tolerance float64) {
	t.Helper()
	if math.Abs(got-want) > tolerance {
		t.Errorf("%s = %.10g, want %.10g (±%g)", name, got, want, tolerance)
	}
}

// assertSummary compares every field; exact for N, within 1e-12 for the rest.
func assertSummary(t *testing.T, got, want Summary) {
	t.Helper()
	if got.N != want.N {
		t.Errorf("N = %d, want %d", got.N, want.N)
	}
	assertClose(t, "Mean", got.Mean, want.Mean, 1e-12)
	assertClose(t, "Median", got.Median, want.Median, 1e-12)
	assertClose(t, "P95", got.P95, want.P95, 1e-12)
	assertClose(t, "Min", got.Min, want.Min, 1e-12)
	assertClose(t, "Max", got.Max, want.Max, 1e-12)
	assertClose(t, "SD", got.SD, want.SD, 1e-12)
}

func TestSummarize(t *testing.T) {
	// The textbook sample with mean 5: its squared deviations sum to 32, so the sample variance is 32/7.
	// Sorted: 2 4 4 4 5 5 7 9. P95: h = 7·0.95 = 6.65, so x[6] + 0.65·(x[7] − x[6]) = 7 + 0.65·2 = 8.3.
	assertSummary(t, Summarize([]float64{9, 2, 5, 4, 4, 7, 5, 4}),
		Summary{N: 8, Mean: 5, Median: 4.5, P95: 8.3, Min: 2, Max: 9, SD: math.Sqrt(32.0 / 7)})
}

func TestSummarizeSmallSamples(t *testing.T) {
	assertSummary(t, Summarize(nil), Summary{})
	assertSummary(t, Summarize([]float64{3}), Summary{N: 1, Mean: 3, Median: 3, P95: 3, Min: 3, Max: 3})
	// Two values: h = 0.95, so P95 = 10 + 0.95·10.
	assertSummary(t, Summarize([]float64{20, 10}),
		Summary{N: 2, Mean: 15, Median: 15, P95: 19.5, Min: 10, Max: 20, SD: math.Sqrt(50)})
}

func TestSummarizeDoesNotReorderInput(t *testing.T) {
	xs := []float64{3, 1, 2}
	Summarize(xs)
	if xs[0] != 3 || xs[1] != 1 || xs[2] != 2 {
		t.Errorf("input reordered: %v", xs)
	}
}

func TestCV(t *testing.T) {
	assertClose(t, "CV", CV([]float64{9, 2, 5, 4, 4, 7, 5, 4}), math.Sqrt(32.0/7)/5, 1e-12)
	for _, xs := range [][]float64{nil, {4}, {-1, 1}} {
		if cv := CV(xs); !math.IsNaN(cv) {
			t.Errorf("CV(%v) = %g, want NaN", xs, cv)
		}
	}
}

// Reference values from the Student t distribution (statistical tables; checked with mpmath to 30 digits): the
// quantile behind every confidence interval and the two-sided tail behind every p-value.
func TestStudentT(t *testing.T) {
	for _, c := range []struct{ df, want float64 }{
		{1, 12.706204736}, {4, 2.776445105}, {9, 2.262157163}, {29, 2.045229642},
	} {
		assertClose(t, "t(0.975)", studentT(c.df).Quantile(0.975), c.want, 1e-8)
	}
	// P(T ≤ 2) for 3 degrees of freedom is 0.930337015720578, so P(|T| ≥ 2) is twice its complement.
	assertClose(t, "two-sided tail", studentTTwoSided(2, 3), 2*(1-0.930337015720578), 1e-12)
	assertClose(t, "two-sided tail of -2", studentTTwoSided(-2, 3), 2*(1-0.930337015720578), 1e-12)
}

func TestMeanCI95(t *testing.T) {
	// mean 5, sd √(32/7), n 8, t(0.975, 7) = 2.364624252: 5 ± 1.787487918.
	lo, hi := MeanCI95([]float64{9, 2, 5, 4, 4, 7, 5, 4})
	assertClose(t, "lo", lo, 3.212512082, 1e-8)
	assertClose(t, "hi", hi, 6.787487918, 1e-8)
	if lo, hi := MeanCI95([]float64{1}); !math.IsNaN(lo) || !math.IsNaN(hi) {
		t.Errorf("MeanCI95 of one value = %g, %g; want NaN", lo, hi)
	}
}

// The two worked examples of Welch's t-test on Wikipedia ("Welch's t-test", Examples), with t, the degrees of
// freedom and the two-sided p-value computed to 30 digits with mpmath.
func TestWelch(t *testing.T) {
	for _, c := range []struct {
		name  string
		a, b  []float64
		t, df float64
		p     float64
	}{
		{
			name: "equal sizes, unequal variances",
			a:    []float64{27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4},
			b:    []float64{27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4},
			t:    -2.455356398286, df: 24.988529290231, p: 0.021378001463,
		},
		{
			name: "unequal sizes and variances",
			a:    []float64{17.2, 20.9, 22.6, 18.1, 21.7, 21.4, 23.5, 24.2, 14.7, 21.8},
			b: []float64{21.5, 22.8, 21.0, 23.0, 21.6, 23.6, 22.5, 20.7, 23.4, 21.8, 20.7, 21.7, 21.5, 22.5, 23.6, 21.5,
				22.5, 23.5, 21.5, 21.8},
			t: -1.565433523599, df: 9.904741248651, p: 0.148841696605,
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := Welch(c.a, c.b)
			assertClose(t, "T", w.T, c.t, 1e-9)
			assertClose(t, "DF", w.DF, c.df, 1e-9)
			assertClose(t, "P", w.P, c.p, 1e-4)
			assertClose(t, "P (tight)", w.P, c.p, 1e-10)
		})
	}
}

func TestWelchDegenerate(t *testing.T) {
	for _, c := range []struct {
		name string
		a, b []float64
	}{
		{"one value", []float64{1}, []float64{1, 2}},
		{"no spread", []float64{2, 2}, []float64{3, 3}},
	} {
		if w := Welch(c.a, c.b); !math.IsNaN(w.T) || !math.IsNaN(w.DF) || !math.IsNaN(w.P) {
			t.Errorf("%s: Welch = %+v, want NaN fields", c.name, w)
		}
	}
}
