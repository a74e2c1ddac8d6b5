package artifacts

import (
	"maps"
	"regexp"
	"slices"
	"strings"
)

// A label often names two things at once: "Intel 265K Custom PC (Nvidia RTX 4090)" is a host and the GPU in
// it, "Llama 3 8B (Q4_K_M)" a model and its quantisation. When the names and the bracketed qualifiers cross,
// two names each seen with the same two qualifiers, they are two factors: the rows of one qualifier under
// different names compare the names ("same GPU, weaker host"), and those of one name compare the qualifiers.
// The label stays as it was written, the whole the two parts come from.

// qualifiedLabel matches a name followed by a qualifier in brackets at its end.
var qualifiedLabel = regexp.MustCompile(`^(.*\S)\s*\(([^()]+)\)$`)

// splitQualifiedLabels adds a base and a qualifier dimension after each text dimension whose levels cross so.
// A level without a bracketed qualifier is in neither part.
func (rel *relation) splitQualifiedLabels() {
	for i := 0; i < len(rel.dims); i++ {
		d := rel.dims[i]
		if d.ordered || d.whole != nil {
			continue
		}
		bases, qualifiers := splitQualified(d.levels)
		if !crossed(bases, qualifiers) {
			continue
		}
		base := &dimension{name: d.name + " base", levels: bases, whole: d}
		qualifier := &dimension{name: d.name + " (…)", levels: qualifiers, whole: d}
		rel.dims = slices.Insert(rel.dims, i+1, base, qualifier)
		for _, part := range []*dimension{base, qualifier} {
			part.values = nanRow(len(d.levels))
			rel.unifySpellings(part)
		}
		i += 2
	}
}

// splitQualified cuts each level into its name and its bracketed qualifier; "" for both where it has none.
func splitQualified(levels []string) (bases, qualifiers []string) {
	bases, qualifiers = make([]string, len(levels)), make([]string, len(levels))
	for i, level := range levels {
		if i > 0 && level == levels[i-1] {
			bases[i], qualifiers[i] = bases[i-1], qualifiers[i-1] // a run of one level, as grouped tables write them
			continue
		}
		if !strings.HasSuffix(level, ")") {
			continue // the regexp would look at every start of a long level for nothing
		}
		if m := qualifiedLabel.FindStringSubmatch(level); m != nil {
			bases[i], qualifiers[i] = m[1], m[2]
		}
	}
	return bases, qualifiers
}

// maxCrossingBases bounds the bases per qualifier that crossed pairs up: a qualifier shared by thousands of
// names (a unit in brackets) needs no quadratic look at them.
const maxCrossingBases = 100

// crossed reports whether two bases are each seen with the same two qualifiers: the least evidence that the
// parts vary apart from each other.
func crossed(bases, qualifiers []string) bool {
	seen := map[string]map[string]bool{} // qualifier → the bases seen with it
	for i, q := range qualifiers {
		if q == "" {
			continue
		}
		if seen[q] == nil {
			seen[q] = map[string]bool{}
		}
		seen[q][bases[i]] = true
	}
	pairs := map[[2]string]string{} // two bases → the first qualifier seen with both
	for q, withQ := range seen {
		names := slices.Sorted(maps.Keys(withQ))
		names = names[:min(len(names), maxCrossingBases)]
		for i, a := range names {
			for _, b := range names[i+1:] {
				if first, ok := pairs[[2]string{a, b}]; ok && first != q {
					return true
				}
				pairs[[2]string{a, b}] = q
			}
		}
	}
	return false
}
