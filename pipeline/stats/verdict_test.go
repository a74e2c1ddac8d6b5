package stats

import (
	"math"
	"testing"
)

func TestJudgeSaysWhatWelchsTestAllows(t *testing.T) {
	slow, fast, close := []float64{10, 11, 10.5, 10.2}, []float64{20, 21, 20.4, 20.8}, []float64{10.4, 10.9, 10.1, 10.6}
	for _, c := range []struct {
		name   string
		a, b   []float64
		higher bool
		want   Outcome
	}{
		{"one sample", slow, []float64{20}, true, TooFewSamples},
		{"constant sides", []float64{3, 3}, []float64{3, 3}, true, NoSpread},
		{"within the noise", slow, close, true, NoDifference},
		{"higher and higher is better", slow, fast, true, Better},
		{"higher and lower is better", slow, fast, false, Worse},
		{"lower and lower is better", fast, slow, false, Better},
	} {
		j := Judge(c.a, c.b, c.higher)
		if j.Outcome != c.want || j.Differs() != (c.want == Better || c.want == Worse) {
			t.Errorf("%s: %+v, want outcome %d", c.name, j, c.want)
		}
		if p := Welch(c.a, c.b).P; !(p == j.P || math.IsNaN(p) && math.IsNaN(j.P)) {
			t.Errorf("%s: p %v, Welch's %v", c.name, j.P, p)
		}
	}
	if Significant(math.NaN()) || !Significant(0.049) || Significant(SignificanceLevel) {
		t.Error("Significant: NaN and the level itself are not significant, just below is")
	}
}
