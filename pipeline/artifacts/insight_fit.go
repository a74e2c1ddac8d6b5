package artifacts

import (
	"cmp"
	"slices"
	"strings"
)

// FactFit: where configurations do not fit, out of memory or killed as the kernel kills a process that
// exhausts it, and the nearest one that does: the largest context, the most layers offloaded or the biggest
// model that still fits. Other failures (timeouts, errors) are counted by the failures fact.
const FactFit = "fit"

func findFit(rel *relation) *insight {
	dims := rel.varyingDims()
	configs := rel.configurations()
	var failing []configuration
	for _, c := range configs {
		if slices.ContainsFunc(c.rows, func(row int) bool { return rel.rowFailure(row) != notMissing }) {
			failing = append(failing, c)
		}
	}
	if len(failing) == 0 || len(failing) == len(configs) {
		return nil
	}
	in := &insight{subject: "fit", text: &phrase{}, coverage: 1, significance: 1,
		effect: float64(len(failing)) / float64(len(configs)), value: float64(len(failing)), unit: "configurations"}
	p := in.text
	p.printf("%s of %s ran out of memory or were killed", p.count(len(failing)), p.countOf(len(configs), "configuration"))
	if along := rel.fitAxis(); along != nil && len(failing) > maxListed {
		rel.writeFitAlong(p, along) // a list of configurations would be cut: one line per series says it all
		return in
	}
	for i, c := range failing[:min(len(failing), maxListed)] {
		failed := slices.DeleteFunc(slices.Clone(c.rows), func(row int) bool { return rel.rowFailure(row) == notMissing })
		p.printf("%s%s: %s", listItem(i, "; "), c.name, describeFailure(rel.rowFailure(failed[0])))
		if len(failed) < len(c.rows) {
			p.printf(" in %s of %s runs", p.count(len(failed)), p.count(len(c.rows)))
		}
		rel.writeNearestCompleted(p, dims, failed[0])
	}
	return in
}

// rowFailure is why a row did not fit: its record or one of its cells says out of memory or killed; "" for
// any other row.
func (rel *relation) rowFailure(row int) missingReason {
	for _, m := range rel.measures {
		if r := m.cells[row].missing; r == missingOutOfMemory || r == missingKilled {
			return r
		}
	}
	return notMissing
}

func describeFailure(kind missingReason) string {
	if kind == missingKilled {
		return "killed (exit 137 or SIGKILL, as the kernel's out-of-memory killer ends a process)"
	}
	return "out of memory"
}

// neighbour is a completed row one setting away from a failed one.
type neighbour struct {
	by  *dimension // the one dimension whose level differs
	row int
}

func (n neighbour) setting() string { return settingOf(n.by, n.row) }

// writeNearestCompleted names the completed rows that differ from a failed one in one dimension alone, with
// the first measure's values: what still fits next to what does not. Rows of one such setting that differ in
// other dimensions (the tests of a benchmark) are told apart by those.
func (rel *relation) writeNearestCompleted(p *phrase, dims []*dimension, failed int) {
	if len(rel.measures) == 0 {
		return
	}
	m := rel.measures[0]
	var neighbours []neighbour
	for row := 0; row < rel.rows; row++ {
		if rel.rowFailure(row) != notMissing || !m.cells[row].isNumber() {
			continue
		}
		if d := differingDims(dims, failed, row); len(d) == 1 {
			neighbours = append(neighbours, neighbour{d[0], row})
		}
	}
	if len(neighbours) == 0 {
		return
	}
	slices.SortStableFunc(neighbours, func(a, b neighbour) int { return strings.Compare(a.setting(), b.setting()) })
	settings := groupBySetting(neighbours)
	p.printf(", while one setting away %s was measured at ", measureLabel(m))
	for i, rows := range settings[:min(len(settings), maxListed)] {
		p.printf("%s%s ", listSeparator(i, ", "), rows[0].setting())
		rel.writeValuesApart(p, m, dims, rows)
	}
	p.more(len(settings))
	rel.writeWaysAround(p, m, dims, settings)
}

// groupBySetting splits neighbours sorted by setting into the runs of one setting.
func groupBySetting(neighbours []neighbour) [][]neighbour {
	var out [][]neighbour
	for i, n := range neighbours {
		if i == 0 || n.setting() != neighbours[i-1].setting() {
			out = append(out, nil)
		}
		out[len(out)-1] = append(out[len(out)-1], n)
	}
	return out
}

// writeValuesApart prints the measure of rows that share a setting: a single value, or each value with the
// levels that tell it apart from the others, "(test=pp2048 13.79, test=tg32 8.84)", or none for repetitions.
func (rel *relation) writeValuesApart(p *phrase, m *measure, dims []*dimension, rows []neighbour) {
	if len(rows) == 1 {
		c := m.cells[rows[0].row]
		p.printf("%s", p.fixed(c.value, int(c.decimals)))
		return
	}
	apart := varyingAmong(dims, rows)
	p.printf("(")
	for i, n := range rows {
		c := m.cells[n.row]
		p.printf("%s%s", listSeparator(i, ", "), strings.TrimSpace(subspaceKey(apart, n.row)+" "+p.fixed(c.value, int(c.decimals))))
	}
	p.printf(")")
}

// varyingAmong are the dimensions whose levels differ between the rows.
func varyingAmong(dims []*dimension, rows []neighbour) []*dimension {
	return slices.DeleteFunc(slices.Clone(dims), func(d *dimension) bool {
		return !slices.ContainsFunc(rows, func(n neighbour) bool { return d.levels[n.row] != d.levels[rows[0].row] })
	})
}

// writeWaysAround compares the two ways around a failure, where there are two and one each: another level of
// one setting at the size that failed (another backend at the longer context), and the failing level at a
// smaller size (the same backend at a shorter context). Their rows are matched on the dimensions that tell one
// way's rows apart (the tests of a benchmark); the way that keeps the failing size is named first.
func (rel *relation) writeWaysAround(p *phrase, m *measure, dims []*dimension, settings [][]neighbour) {
	if len(settings) != 2 || settings[0][0].by == settings[1][0].by {
		return
	}
	first, second := settings[0], settings[1]
	if first[0].by.ordered && !second[0].by.ordered {
		first, second = second, first
	}
	others := varyingAmong(dims, first) // what tells the rows of one way apart; settings tied to the way differ
	listed := 0
	for _, a := range first {
		for _, b := range second {
			if differingDims(others, a.row, b.row) != nil {
				continue
			}
			if listed == 0 {
				p.printf("; %s at %s against %s at %s", first[0].setting(), settingOf(second[0].by, a.row),
					settingOf(first[0].by, b.row), second[0].setting())
			}
			pa, pb := pointAtRow(m, a.row), pointAtRow(m, b.row)
			c := compare(pb, pa)
			p.printf("%s%s vs %s (%s, ", listItem(listed, ", "), strings.TrimSpace(subspaceKey(others, a.row)+" "+writeValue(p, pa, "")),
				writeValue(p, pb, ""), p.percent(c.change))
			c.writeTest(p)
			p.printf(")")
			listed++
		}
	}
}

func settingOf(d *dimension, row int) string { return d.name + "=" + d.levels[row] }

// pointAtRow is one row's value of a measure as a point, with the spread its cell states.
func pointAtRow(m *measure, row int) point {
	var pt point
	pt.summarize(m, []int{row})
	return pt
}

// differingDims are the dimensions whose known levels differ between two rows.
func differingDims(dims []*dimension, a, b int) []*dimension {
	var out []*dimension
	for _, d := range dims {
		if d.levels[a] != "" && d.levels[b] != "" && d.levels[a] != d.levels[b] {
			out = append(out, d)
		}
	}
	return out
}

// fitOutcome is whether a row fit: +1 when it was measured, −1 when it ran out of memory or was killed, 0 when
// it says neither.
func (rel *relation) fitOutcome(row int) int {
	if rel.rowFailure(row) != notMissing {
		return -1
	}
	if slices.ContainsFunc(rel.measures, func(m *measure) bool { return m.cells[row].isNumber() }) {
		return 1
	}
	return 0
}

// fitAxis is the ordered setting along which the most series both fit and fail (the context that runs out of
// memory past some size); nil when no ordered setting separates the two within any series.
func (rel *relation) fitAxis() *dimension {
	dims := rel.independentDims()
	var best *dimension
	most := 0
	for _, d := range dims {
		if !d.ordered {
			continue
		}
		s := rel.subspacesOf(d, dims)
		mixed := 0
		for _, key := range s.keys {
			outcomes := map[int]bool{}
			for _, row := range s.rows[key] {
				outcomes[rel.fitOutcome(row)] = true
			}
			if outcomes[1] && outcomes[-1] {
				mixed++
			}
		}
		if mixed > most {
			best, most = d, mixed
		}
	}
	return best
}

// writeFitAlong states, for each series along an ordered setting, the levels that failed and the ones that
// fit, then the series that fit at every level: what ran out of memory, exactly, and what did not.
func (rel *relation) writeFitAlong(p *phrase, along *dimension) {
	dims := rel.independentDims()
	s := rel.subspacesOf(along, dims)
	var fitEverywhere []string
	listed := 0
	for _, key := range s.keys {
		rows := slices.Clone(s.rows[key])
		slices.SortStableFunc(rows, func(a, b int) int { return cmp.Compare(along.values[a], along.values[b]) })
		var failed, fit []string
		reason := notMissing
		for _, row := range rows {
			switch rel.fitOutcome(row) {
			case -1:
				failed = append(failed, along.levels[row])
				reason = cmp.Or(reason, rel.rowFailure(row))
			case 1:
				fit = append(fit, along.levels[row])
			}
		}
		switch {
		case len(failed) == 0 && len(fit) > 0:
			fitEverywhere = append(fitEverywhere, cmp.Or(key, "the rest"))
		case len(failed) > 0:
			if listed++; listed > maxListed {
				continue
			}
			p.printf("%s%s: %s at %s %s", listItem(listed-1, "; "), cmp.Or(key, "the rest"), describeFailure(reason),
				along.name, strings.Join(slices.Compact(failed), ", "))
			if len(fit) > 0 {
				p.printf(", fit at %s", strings.Join(slices.Compact(fit), ", "))
			}
		}
	}
	p.more(listed)
	if len(fitEverywhere) > 0 {
		p.printf("; fit at every %s: %s", along.name, strings.Join(fitEverywhere[:min(len(fitEverywhere), maxListed)], "; "))
		p.more(len(fitEverywhere))
	}
}
