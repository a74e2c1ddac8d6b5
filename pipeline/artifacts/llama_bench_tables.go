package artifacts

import (
	"regexp"
	"slices"
)

// llamaBenchTest matches llama-bench's test names: pp512, tg128, pp512 @ d4096.
var llamaBenchTest = regexp.MustCompile(`^(pp|tg)\d+( @ d\d+)?$`)

// splitTests cuts a llama-bench style table, whose rows mix tests (prompt processing and generation, perhaps at
// several depths), into one table per test: a mean over pp and tg rates together describes neither. A test is
// named by a test column of llama-bench names or, as in llama-bench's CSV and JSON, by n_prompt, n_gen and
// n_depth. Any other table, and one that holds a single test, comes back whole.
func splitTests(t *table) []*table {
	testOf := testNamer(t)
	if testOf == nil {
		return []*table{t}
	}
	var parts []*table
	byTest := map[string]*table{}
	for _, r := range t.records {
		test := testOf(r)
		part := byTest[test]
		if part == nil {
			part = &table{name: t.name, columns: t.columns, units: t.units, test: test}
			byTest[test] = part
			parts = append(parts, part)
		}
		part.records = append(part.records, r)
	}
	if len(parts) < 2 {
		return []*table{t}
	}
	return parts
}

// testNamer returns how to name a record's test, or nil when the table does not say.
func testNamer(t *table) func(record) string {
	column := func(name string) int {
		return slices.IndexFunc(t.columns, func(c string) bool { return normalizeColumn(c) == name })
	}
	if test := column("test"); test >= 0 && allLlamaBenchTests(t, test) {
		return func(r record) string { return r.cells[test] }
	}
	nPrompt, nGen, nDepth := column("n_prompt"), column("n_gen"), column("n_depth")
	if nPrompt < 0 || nGen < 0 {
		return nil
	}
	return func(r record) string {
		test := testName(r.values[nPrompt], r.values[nGen])
		if nDepth >= 0 && r.values[nDepth] > 0 {
			test += " @ d" + r.cells[nDepth]
		}
		return test
	}
}

func allLlamaBenchTests(t *table, col int) bool {
	return !slices.ContainsFunc(t.records, func(r record) bool { return !llamaBenchTest.MatchString(r.cells[col]) })
}
