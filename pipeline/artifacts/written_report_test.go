package artifacts

import "testing"

func TestIsWrittenReport(t *testing.T) {
	for _, c := range []struct {
		headings []string
		want     bool
	}{
		{[]string{"Chimera Insight", "Workflow Summary", "Metrics", "Key Findings", "Persona Prompt"}, true},
		{[]string{"Technical Report 110", "Executive Summary", "Key Findings", "7. Production Recommendations"}, false},
		{[]string{"Findings", "DeepSeek R1 14b", "Llama 3.2:3b"}, false},
	} {
		if got := isWrittenReport(&FileFacts{Headings: c.headings}); got != c.want {
			t.Errorf("isWrittenReport(%v) = %v, want %v", c.headings, got, c.want)
		}
	}
}

func TestIsHypothetical(t *testing.T) {
	for columns, want := range map[string]bool{
		"Option|Potential Range|Status":            true,
		"Risk|Likelihood|Mitigation":               true,
		"Scenario|Speedup|Efficiency (%)":          false,
		"model|n_gpu_layers|test|t/s":              false,
		"Knob|Typical effect|Why / when to try it": false,
		"Draft model|Target model|tok/s":           false,
	} {
		tb := tableOf(splitPipeRow(columns))
		if got := tb.isHypothetical(); got != want {
			t.Errorf("%q: %v, want %v", columns, got, want)
		}
	}
}
