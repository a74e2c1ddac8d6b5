package stats

import (
	"math"
	"testing"
)

func TestKendallExactSmallSeries(t *testing.T) {
	// A perfectly decreasing series of 6: τ = −1, and only 2 of the 720 orderings are as extreme.
	r := Kendall([]float64{1, 2, 3, 4, 5, 6}, []float64{9, 8, 7, 6, 5, 4})
	if r.Tau != -1 || math.Abs(r.P-2.0/720) > 1e-12 {
		t.Fatalf("Kendall = %+v, want τ −1 and p %g", r, 2.0/720)
	}
}

func TestKendallTies(t *testing.T) {
	// τ-b with a tie in y: S = 5 (one pair tied in y), so τ-b = 5/√(6·5).
	r := Kendall([]float64{1, 2, 3, 4}, []float64{1, 2, 2, 3})
	want := 5 / math.Sqrt(6*5)
	if math.Abs(r.Tau-want) > 1e-12 {
		t.Fatalf("τ-b = %g, want %g", r.Tau, want)
	}
}

func TestKendallExactWithoutTiesAtAnyLength(t *testing.T) {
	x := make([]float64, 20)
	y := make([]float64, 20)
	for i := range x {
		x[i], y[i] = float64(i), float64(i)
	}
	// Only the identity and its reverse reach |S| = 190: p = 2 / 20!.
	want := 2 / math.Gamma(21)
	if r := Kendall(x, y); r.Tau != 1 || math.Abs(r.P-want)/want > 1e-9 {
		t.Fatalf("Kendall = %+v, want τ 1 and p %g", r, want)
	}
}

func TestKendallNormalApproximationWithTies(t *testing.T) {
	// x: three groups of 5; y: 1 for the first group, 2 for the others. S = 5 · 10 = 50 concordant pairs.
	// Var(S) = (15·14·35 − 3·(5·4·15) − (5·4·15 + 10·9·25)) / 18
	//        + (3·5·4·3)(5·4·3 + 10·9·8) / (9·15·14·13) + (3·5·4)(5·4 + 10·9) / (2·15·14) = 238.1.
	var x, y []float64
	for g := range 3 {
		for range 5 {
			x = append(x, float64(g))
			y = append(y, float64(min(g, 1)))
		}
	}
	v := (15.0*14*35-3*(5*4*15)-(5*4*15+10*9*25))/18 + (3*5*4*3)*(5*4*3+10*9*8)/(9.0*15*14*13) + (3*5*4)*(5*4+10*9)/(2.0*15*14)
	want := math.Erfc(50 / math.Sqrt(v) / math.Sqrt2)
	if r := Kendall(x, y); math.Abs(r.P-want) > 1e-12 {
		t.Fatalf("p = %g, want %g (variance %g)", r.P, want, v)
	}
}

func TestKendallDegenerate(t *testing.T) {
	for _, ys := range [][]float64{{1, 2}, {5, 5, 5}} {
		xs := []float64{1, 2, 3}[:len(ys)]
		if r := Kendall(xs, ys); !math.IsNaN(r.Tau) || !math.IsNaN(r.P) {
			t.Errorf("Kendall(%v, %v) = %+v, want NaN", xs, ys, r)
		}
	}
}

func TestSignTest(t *testing.T) {
	// 11 of 12: P(X ≤ 1) = 13/4096, doubled.
	if p := SignTest(11, 12); math.Abs(p-26.0/4096) > 1e-12 {
		t.Fatalf("SignTest(11, 12) = %g, want %g", p, 26.0/4096)
	}
	if p := SignTest(3, 6); p != 1 {
		t.Fatalf("SignTest(3, 6) = %g, want 1", p)
	}
}

func TestWelchFromSummariesMatchesWelch(t *testing.T) {
	a, b := []float64{10, 11, 12, 13}, []float64{7, 9, 8}
	want := Welch(a, b)
	got := WelchFromSummaries(Mean(a), math.Sqrt(sampleVariance(a)), len(a), Mean(b), math.Sqrt(sampleVariance(b)), len(b))
	if math.Abs(got.P-want.P) > 1e-12 || math.Abs(got.T-want.T) > 1e-12 {
		t.Fatalf("from summaries %+v, from samples %+v", got, want)
	}
}

func TestRobustZ(t *testing.T) {
	z := RobustZ([]float64{10, 10.1, 9.9, 10, 14})
	// median 10, deviations 0, .1, .1, 0, 4: MAD 0.1.
	if math.Abs(z[4]-4/(1.4826*0.1)) > 1e-9 || z[0] != 0 {
		t.Fatalf("RobustZ = %v", z)
	}
}

func TestMannWhitneyExact(t *testing.T) {
	// 3 + 3 fully separated: 2 of the C(6,3) = 20 splits are as extreme (all low or all high), p = 0.1.
	if p := MannWhitney([]float64{1, 2, 3}, []float64{4, 5, 6}); math.Abs(p-0.1) > 1e-12 {
		t.Fatalf("p = %g, want 0.1", p)
	}
	// Interleaved 1,3,5 against 2,4,6: rank sum 9 against a mean of 10.5; 14 of 20 splits lie ≥ 1.5 away.
	if p := MannWhitney([]float64{1, 3, 5}, []float64{2, 4, 6}); math.Abs(p-0.7) > 1e-12 {
		t.Fatalf("p = %g, want 0.7", p)
	}
}

func TestMannWhitneyNormalApproximation(t *testing.T) {
	a, b := make([]float64, 10), make([]float64, 10)
	for i := range a {
		a[i], b[i] = float64(i), float64(i+10)
	}
	// Rank sum of a = 55, mean 105, variance 10·10·21/12 = 175: z = 50/√175.
	want := math.Erfc(50 / math.Sqrt(175) / math.Sqrt2)
	if p := MannWhitney(a, b); math.Abs(p-want) > 1e-12 {
		t.Fatalf("p = %g, want %g", p, want)
	}
}

func TestNewValueTest(t *testing.T) {
	// xs = 10, 12, 14: mean 12, sd 2; x = 18: t = 6 / (2·√(4/3)) = 2.598 with 2 degrees of freedom.
	want := studentTTwoSided(6/(2*math.Sqrt(4.0/3)), 2)
	if p := NewValueTest([]float64{10, 12, 14}, 18); math.Abs(p-want) > 1e-12 {
		t.Fatalf("p = %g, want %g", p, want)
	}
	if p := NewValueTest([]float64{5, 5}, 6); !math.IsNaN(p) {
		t.Fatalf("identical repetitions gave p = %g", p)
	}
}

func TestBinomialTail(t *testing.T) {
	// 2 or more of 3 at p = 0.5: (3 + 1) / 8.
	if got := BinomialTail(2, 3, 0.5); math.Abs(got-0.5) > 1e-12 {
		t.Fatalf("BinomialTail(2, 3, 0.5) = %g, want 0.5", got)
	}
	if got := BinomialTail(0, 3, 0.5); got != 1 {
		t.Fatalf("BinomialTail(0, 3, 0.5) = %g, want 1", got)
	}
}

// Fisher's statistic for p = 0.05 and 0.01 is −2(ln 0.05 + ln 0.01) = 15.2006; χ² with 4 degrees of freedom has
// the survival e^(−x/2)(1 + x/2), which gives 0.003566. One p-value of 0.3 comes back as itself.
func TestFisherCombined(t *testing.T) {
	x := -2 * (math.Log(0.05) + math.Log(0.01))
	want := math.Exp(-x/2) * (1 + x/2)
	if got := FisherCombined([]float64{0.05, 0.01}); math.Abs(got-want) > 1e-12 {
		t.Errorf("FisherCombined(0.05, 0.01) = %v, want %v", got, want)
	}
	if got := FisherCombined([]float64{0.3}); math.Abs(got-0.3) > 1e-12 {
		t.Errorf("FisherCombined(0.3) = %v", got)
	}
	if !math.IsNaN(FisherCombined(nil)) {
		t.Error("no p-values combine to a p-value")
	}
}
