package artifacts

import (
	"math"
	"regexp"
	"slices"
)

// Model names carry their size in parameters: "deepseek-r1:14b", "llava:7b", "Llama-3.1-70B". Read apart, the
// family and the size are two dimensions, and the size an ordered one: how a family's speed falls as it grows
// is then a trend like any other.

// modelSizeName matches a name ending in a size: the family, then a separator and billions of parameters.
var modelSizeName = regexp.MustCompile(`(?i)^(.+?)[:\-_ ](\d+(?:\.\d+)?)b$`)

// splitModelSizes adds a family and a size dimension beside each dimension all of whose levels name a model
// with its size, and at least two sizes.
func (rel *relation) splitModelSizes() {
	for i, d := range rel.dims {
		if d.ordered || !allLevelsMatch(d.levels, modelSizeName) {
			continue
		}
		family := &dimension{name: d.name + " family"}
		size := &dimension{name: d.name + " size (B)", ordered: true}
		for _, level := range d.levels {
			f, s, v := "", "", math.NaN()
			if m := modelSizeName.FindStringSubmatch(level); m != nil {
				f, s, v = m[1], m[2], parseCell(m[2]).value
			}
			family.levels, size.levels, size.values = append(family.levels, f), append(size.levels, s), append(size.values, v)
			family.values = append(family.values, math.NaN())
		}
		if distinctLevels(size.levels) >= 2 {
			// Before the whole name, which the two determine: of dimensions that determine each other, the first
			// is kept (see independentDims).
			rel.dims = slices.Insert(rel.dims, i, family, size)
		}
		return
	}
}
