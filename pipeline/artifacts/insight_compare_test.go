package artifacts

import (
	"math"
	"testing"
)

func TestCompareIdenticalRepetitionsIsExact(t *testing.T) {
	a := point{mean: 60, sd: 0, n: 3, samples: []float64{60, 60, 60}}
	b := point{mean: 65.5, sd: 0, n: 3, samples: []float64{65.5, 65.5, 65.5}}
	if c := compare(a, b); !c.exact || !c.beyondNoise() {
		t.Errorf("identical repetitions: %+v", c)
	}
	if c := compare(a, a); c.beyondNoise() {
		t.Errorf("a tie called beyond noise: %+v", c)
	}
}

func TestCompareASingleRunAgainstRepetitions(t *testing.T) {
	base := point{mean: 12, sd: 2, n: 3, samples: []float64{10, 12, 14}}
	run := point{mean: 30, sd: math.NaN(), n: 1}
	c := compare(base, run)
	// t = 18 / (2·√(4/3)) = 7.79 on 2 degrees of freedom: p ≈ 0.016.
	if !c.newValue || !c.beyondNoise() || c.p > 0.02 || c.p < 0.01 {
		t.Errorf("single run against repetitions: %+v", c)
	}
}
