package artifacts

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// restatementTolerance is how far apart, relatively, two printed quantities may lie and still be one
// quantity restated: a Markdown table rounds what the CSV it was made from holds (25.58 written as 25.6, a
// CV of 9.02 % recomputed as 9.03 %).
const restatementTolerance = 0.01

// mergeRestatements keeps, of the facts that state the same finding (see sameFinding), the first, which in
// rank order is the highest priority one; the sources of the others are added to its Sources. A raw CSV and
// its summary CSV, a JSON file and its Markdown rendering, state most of their findings twice.
func mergeRestatements(facts []Fact) []Fact {
	var kept []Fact
	candidates := map[string][]int{} // indexes into kept, by what sameFinding requires to be equal
	for _, f := range facts {
		key := fmt.Sprint(f.Kind, "\x00", f.Unit, "\x00", roleOf(f.Field), "\x00", len(f.Numbers))
		if isInsightKind(f.Kind) {
			key = fmt.Sprint(f.Kind, "\x00", magnitudes(f.Numbers))
		}
		i := slices.IndexFunc(candidates[key], func(k int) bool { return sameFindingOfOneRole(kept[k], f) })
		if i < 0 {
			candidates[key] = append(candidates[key], len(kept))
			kept = append(kept, f)
			continue
		}
		into := &kept[candidates[key][i]]
		for _, s := range f.Sources {
			if !slices.Contains(into.Sources, s) {
				into.Sources = append(into.Sources, s)
			}
		}
	}
	return kept
}

// sameFinding reports whether two facts state the same finding. Two insights of one kind do when they print the
// same quantities, however their files name the columns (benchmark.mean_time_ms in the JSON, "Mean (ms)" in
// its Markdown rendering). Other facts need the same kind, unit and role of their field
// (throughput in tokens_s and in a Markdown table's "Tokens/s"), and the same quantities in the same order,
// each pair equal at the coarser precision the two were printed at (see sameQuantity). Facts
// about no field have no role to compare; they must read the same but for their numbers. Facts of other
// files that happen to say exactly the same thing state the same finding too.
func sameFinding(a, b Fact) bool {
	return (isInsightKind(a.Kind) || roleOf(a.Field) == roleOf(b.Field)) && sameFindingOfOneRole(a, b)
}

// sameFindingOfOneRole is sameFinding for two facts whose fields are known to have one role: mergeRestatements
// looks for restatements among such facts only, and finding a field's role takes longer than all the rest.
func sameFindingOfOneRole(a, b Fact) bool {
	if isInsightKind(a.Kind) {
		return a.Kind == b.Kind && distinctive(a.Numbers) && distinctive(b.Numbers) && sameNumbers(a.Numbers, b.Numbers)
	}
	if a.Kind != b.Kind || a.Unit != b.Unit || len(a.Numbers) != len(b.Numbers) || len(a.Numbers) == 0 {
		return false
	}
	return sameNumbers(a.Numbers, b.Numbers) && (a.Field != "" || withoutDigits(a.Text) == withoutDigits(b.Text))
}

// magnitudes is the sign and decade of every quantity: two facts that print the same quantities, to within
// restatementTolerance, almost always share them, so restatements are looked for among few candidates.
func magnitudes(numbers []float64) string {
	var b strings.Builder
	for _, x := range numbers {
		decade := 0
		if x != 0 {
			decade = int(math.Floor(math.Log10(math.Abs(x))))
		}
		fmt.Fprintf(&b, "%v%d,", math.Signbit(x), decade)
	}
	return b.String()
}

// distinctive reports whether quantities are many and precise enough not to coincide by chance: at least
// minLooseNumbers with a fraction. "2.00× (2.00×–2.00× over 2 cells)" is not; "0.6929 ± 0.02815, -81.7 % over
// 3.78" is.
func distinctive(numbers []float64) bool {
	fractional := 0
	for _, x := range numbers {
		if !isWhole(x) {
			fractional++
		}
	}
	return fractional >= minLooseNumbers
}

// sameNumbers reports whether two facts print the same quantities in the same order (see sameQuantity).
func sameNumbers(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	loose := len(a) >= minLooseNumbers
	for i, x := range a {
		if !sameQuantity(x, b[i], loose) {
			return false
		}
	}
	return true
}

// minLooseNumbers is how many quantities two facts must state for restatementTolerance to apply: one or two
// values of different runs lie within 1 % of each other often enough by chance, several at once do not.
const minLooseNumbers = 3

// sameQuantity compares two printed quantities: equal to the last digit the coarser of them was printed with,
// or, when loose, within restatementTolerance. Whole numbers, counts most of all, must be equal.
func sameQuantity(x, y float64, loose bool) bool {
	if isWhole(x) && isWhole(y) {
		return x == y
	}
	diff := math.Abs(x - y)
	if loose && diff <= restatementTolerance*max(math.Abs(x), math.Abs(y)) {
		return true
	}
	// The last digit printed is worth 1 at most: a larger difference is ruled out without printing the two.
	return diff <= 1+1e-9 && diff <= math.Pow(10, -float64(min(decimals(x), decimals(y))))*(1+1e-9)
}

// decimals counts the digits a printed quantity has after its decimal point.
func decimals(x float64) int {
	text := strconv.FormatFloat(x, 'f', -1, 64)
	if i := strings.IndexByte(text, '.'); i >= 0 {
		return len(text) - i - 1
	}
	return 0
}

func isWhole(x float64) bool { return x == math.Trunc(x) }

func withoutDigits(text string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return -1
		}
		return r
	}, text)
}
