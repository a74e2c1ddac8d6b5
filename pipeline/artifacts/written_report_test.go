package artifacts

import "testing"

func TestIsWrittenReport(t *testing.T) {
	for _, c := range []struct {
		headings []string
		want     bool
	}{
		{[]string{"Technical Report 108", "Executive Summary", "3. Results", "7. Recommendations"}, true},
		{[]string{"Chimera Insight", "Key Findings", "Recommendations", "Risks and Mitigations"}, true},
		{[]string{"Findings", "DeepSeek R1 14b", "Llama 3.2:3b"}, false},
		{[]string{"Max-Q vs Workstation Edition", "Output tok/s", "Conclusion"}, false},
	} {
		if got := isWrittenReport(&FileFacts{Headings: c.headings}); got != c.want {
			t.Errorf("isWrittenReport(%v) = %v, want %v", c.headings, got, c.want)
		}
	}
}
