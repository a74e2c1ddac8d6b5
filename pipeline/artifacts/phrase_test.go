package artifacts

import (
	"strconv"
	"strings"
	"testing"
)

// A number fixed prints is recorded as printed, however large: beyond 2⁵³ fixed decimals would print digits
// that the recorded number's shortest form has not.
func TestPhraseFixedPrintsWhatItRecords(t *testing.T) {
	for _, x := range []float64{8.813879999999999e+17, 1.5, 0.000123456, -3e20} {
		var p phrase
		text := p.fixed(x, 1)
		if len(p.numbers) != 1 || !strings.Contains(text, strconv.FormatFloat(p.numbers[0], 'f', -1, 64)) {
			t.Errorf("fixed(%g) printed %q, recorded %v", x, text, p.numbers)
		}
	}
}
