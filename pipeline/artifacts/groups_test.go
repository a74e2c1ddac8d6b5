package artifacts

import (
	"fmt"
	"strings"
	"testing"
)

// Three runs of each quant × num_gpu configuration: num_gpu changes the rate 12-fold, so a mean by quant over
// both layer counts holds num_gpu's effect as its noise (pooled Welch p ≈ 0.4 here), while within each layer
// count Q4_K_M leads Q8_0 about 1.65× far beyond its runs' spread. Means by quant or by num_gpu that pool the
// other's repeated configurations are not stated, nor a mean and CV over all twelve rows; the
// per-configuration comparisons are.
func TestPooledMeansOfRepeatedConfigurationsAreNotStated(t *testing.T) {
	var b strings.Builder
	b.WriteString("quant,num_gpu,tokens_s\n")
	for _, c := range []struct {
		quant string
		gpu   int
		rate  float64
	}{{"Q4_K_M", 0, 9.2}, {"Q8_0", 0, 5.6}, {"Q4_K_M", 33, 77.4}, {"Q8_0", 33, 46.7}} {
		for _, jitter := range []float64{-0.1, 0, 0.1} {
			fmt.Fprintf(&b, "%s,%d,%g\n", c.quant, c.gpu, c.rate+jitter)
		}
	}
	byID := factsFor(t, map[string]string{"runs.csv": b.String()})
	for id, f := range byID {
		if f.Kind == FactGroupMeans || f.Kind == FactParamEffect || f.Kind == FactThroughput {
			t.Errorf("a mean pooled over repeated configurations: %s: %s", id, f.Text)
		}
	}
	if _, ok := byID["ratio:runs.csv:tokens_s_by_quant"]; !ok {
		t.Errorf("no per-configuration comparison of quant: %v", byID)
	}
}
