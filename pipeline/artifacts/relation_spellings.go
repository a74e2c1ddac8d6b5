package artifacts

import (
	"slices"
	"strings"
	"unicode"
)

// Hand-written labels spell one thing more than one way: "AMD AI Pro R9700" in one table is "AMD Radeon AI Pro
// R9700" in the next, "Nvidia 4090" is "Nvidia RTX 4090". A name that is another with words left out, keeping
// its first and last word and leaving out no word with a digit (the model number stays), names the same
// thing when the two never meet under the same levels of the other dimensions: two things a table tells
// apart (Qwen 7B and Qwen Coder 7B on one GPU) share their other levels somewhere.

// unifySpellings writes each short spelling of d's levels as its long one, where exactly one long one fits.
func (rel *relation) unifySpellings(d *dimension) {
	levels := d.distinct()
	contexts := rel.levelContexts(d)
	renamed := map[string]string{}
	for _, short := range levels {
		var long []string
		for _, l := range levels {
			if l != short && abbreviates(short, l) && !slices.ContainsFunc(contexts[short], func(c string) bool {
				return slices.Contains(contexts[l], c)
			}) {
				long = append(long, l)
			}
		}
		if len(long) == 1 {
			renamed[short] = long[0]
		}
	}
	if len(renamed) == 0 {
		return
	}
	for i, l := range d.levels {
		if to, ok := renamed[l]; ok {
			d.levels[i] = to
		}
	}
	d.set = nil
}

// levelContexts lists, per level of d, the levels of the other dimensions in its rows: not those of the whole d
// is a part of, which differs with d by construction, nor of a label, which differs in every row.
func (rel *relation) levelContexts(d *dimension) map[string][]string {
	var others []*dimension
	for _, o := range rel.dims {
		if o != d && o != d.whole && !rel.isLabel(o) {
			others = append(others, o)
		}
	}
	contexts := map[string][]string{}
	for row, level := range d.levels {
		if key := subspaceKey(others, row); level != "" && !slices.Contains(contexts[level], key) {
			contexts[level] = append(contexts[level], key)
		}
	}
	return contexts
}

// abbreviates reports whether short is long with words left out: the same first and last word, the others in
// order, and no word left out that holds a digit.
func abbreviates(short, long string) bool {
	s, l := strings.Fields(short), strings.Fields(long)
	if len(s) < 2 || len(s) >= len(l) || s[0] != l[0] || s[len(s)-1] != l[len(l)-1] {
		return false
	}
	i := 0
	for _, w := range l {
		switch {
		case i < len(s) && w == s[i]:
			i++
		case strings.ContainsFunc(w, unicode.IsDigit):
			return false
		}
	}
	return i == len(s)
}
