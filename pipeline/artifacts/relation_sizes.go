package artifacts

import (
	"math"
	"regexp"
	"slices"
	"strings"
)

// Levels often carry a number that is itself a setting. Model names carry their size in parameters
// ("deepseek-r1:14b", "Llama-3.1-70B"); workload names carry their length ("prefill_512", "ctx4096"). Read
// apart, the name without the number and the number are two dimensions, the number an ordered one: how a
// family's speed falls as it grows, or a prompt's time as it lengthens, is then a trend like any other.

// modelSizeName matches a name ending in a size: the family, then a separator and billions of parameters.
var modelSizeName = regexp.MustCompile(`(?i)^(.+?)[:\-_ ](\d+(?:\.\d+)?)b$`)

// settingLevel matches a level that names a setting and its value: a word, an optional separator, a number.
var settingLevel = regexp.MustCompile(`(?i)^([a-z]+)[_\-]?(\d+(?:\.\d+)?)$`)

// splitModelSizes adds a family and a size dimension beside the first dimension all of whose levels name a
// model with its size, and at least two sizes.
func (rel *relation) splitModelSizes() {
	for i, d := range rel.dims {
		if d.ordered || !allLevelsMatch(d.levels, modelSizeName) {
			continue
		}
		family, size := splitLevels(d, d.name+" size (B)", func(level string) (string, string, bool) {
			m := modelSizeName.FindStringSubmatch(level)
			if m == nil {
				return "", "", false
			}
			return m[1], m[2], true
		})
		if distinctLevels(size.levels) >= 2 {
			rel.insertSplit(i, family, size)
		}
		return
	}
}

// splitSettingLevels adds, beside a dimension of which two or more levels name one setting with different
// values ("prefill_128", "prefill_512" beside "short_len"), a dimension of the other levels and the setting's
// name ("prefill"), and the setting's value as an ordered dimension, unknown in the rows of other levels.
func (rel *relation) splitSettingLevels() {
	for i := 0; i < len(rel.dims); i++ {
		d := rel.dims[i]
		word, ok := numberedSetting(d)
		if !ok {
			continue
		}
		family, value := splitLevels(d, word, func(level string) (string, string, bool) {
			m := settingLevel.FindStringSubmatch(level)
			if m == nil || !strings.EqualFold(m[1], word) {
				return level, "", false
			}
			return word, m[2], true
		})
		rel.insertSplit(i, family, value)
		i += 2
	}
}

// numberedSetting is the setting two or more of a dimension's levels name with different values.
func numberedSetting(d *dimension) (string, bool) {
	if d.ordered {
		return "", false
	}
	values := map[string]map[string]bool{}
	for _, level := range d.levels { // not d.distinct(), which is computed once the levels are shaped
		m := settingLevel.FindStringSubmatch(level)
		if m == nil || !settingName(strings.ToLower(m[1])) {
			continue
		}
		word := strings.ToLower(m[1])
		if values[word] == nil {
			values[word] = map[string]bool{}
		}
		values[word][m[2]] = true
		if len(values[word]) >= 2 {
			return word, true
		}
	}
	return "", false
}

// splitLevels reads each level of d as a family and a number: the family dimension is named as d with
// " family" added, the number's as given.
func splitLevels(d *dimension, numberName string, parse func(level string) (family, number string, ok bool)) (family, number *dimension) {
	family = &dimension{name: d.name + " family"}
	number = &dimension{name: numberName, ordered: true}
	for _, level := range d.levels {
		f, n, ok := parse(level)
		v := math.NaN()
		if ok {
			v = parseCell(n).value
		}
		family.levels, number.levels, number.values = append(family.levels, f), append(number.levels, n), append(number.values, v)
		family.values = append(family.values, math.NaN())
	}
	return family, number
}

// insertSplit puts the two dimensions a split read before the whole, which they determine: of dimensions that
// determine each other, the first is kept (see independentDims).
func (rel *relation) insertSplit(i int, family, number *dimension) {
	rel.dims = slices.Insert(rel.dims, i, family, number)
}
