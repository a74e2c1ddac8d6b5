package artifacts

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"testing"
)

func TestStatedRuns(t *testing.T) {
	for text, want := range map[string]int{
		"Mean ± sd over 5 runs (llama-bench -r 5).":    5,
		"Averaged over 3 repetitions, n = 3":           3,
		"llama-bench --repetitions 10":                 10,
		"Decode speed in tokens/s, higher is better":   0,
		"5 runs for the 8B model, 3 runs for the rest": 0, // two counts: which is whose is not said
		"1 run each": 0,
	} {
		if got := statedRuns(text); got != want {
			t.Errorf("statedRuns(%q) = %d, want %d", text, got, want)
		}
	}
}

// The n the sentence above a table states makes its mean ± sd cells testable: Welch from the summaries, its p
// computed here from Student's t density. Without the sentence only the gap in sds is stated.
func TestRunsStatedAboveATableMakeItsSpreadsTestable(t *testing.T) {
	const n, a, b, sd = 5, 100.0, 103.0, 2.0
	table := fmt.Sprintf("| GPU | tg128 |\n|---|---|\n| A | %.1f ± %.1f t/s |\n| B | %.1f ± %.1f t/s |\n", a, sd, b, sd)
	stated := factsFor(t, map[string]string{"README.md": fmt.Sprintf("Mean ± sd over %d runs.\n\n%s", n, table)})
	pPrinted := regexp.MustCompile(`Welch p = ([0-9.]+)`).FindStringSubmatch(stated["effect:README.md:table1:tg128_by_GPU"].Text)
	if pPrinted == nil {
		t.Fatalf("no Welch p in %v", stated)
	}
	got, _ := strconv.ParseFloat(pPrinted[1], 64)
	se2 := 2 * sd * sd / n
	want := twoSidedT((b-a)/math.Sqrt(se2), se2*se2/(2*math.Pow(sd*sd/n, 2)/(n-1)))
	if math.Abs(got-want) > 0.0005 {
		t.Errorf("Welch p = %v, want %.4f", got, want)
	}
	unstated := factsFor(t, map[string]string{"README.md": "Mean ± sd.\n\n" + table})
	if text := unstated["effect:README.md:table1:tg128_by_GPU"].Text; !regexp.MustCompile(`n not stated`).MatchString(text) {
		t.Errorf("without a stated n: %q", text)
	}
}

// twoSidedT is P(|T| ≥ t) for Student's t with df degrees of freedom, by Simpson's rule over its density.
func twoSidedT(t, df float64) float64 {
	lgA, _ := math.Lgamma((df + 1) / 2)
	lgB, _ := math.Lgamma(df / 2)
	density := func(x float64) float64 {
		return math.Exp(lgA-lgB) / math.Sqrt(df*math.Pi) * math.Pow(1+x*x/df, -(df+1)/2)
	}
	const steps = 2000
	h, sum := math.Abs(t)/steps, density(0)+density(math.Abs(t))
	for i := 1; i < steps; i++ {
		sum += float64(2+2*(i%2)) * density(float64(i)*h)
	}
	return 1 - 2*sum*h/3
}
