package artifacts

import (
	"maps"
	"path"
	"regexp"
	"slices"
	"strings"
)

// family is one table repeated in several files whose paths differ in one segment, which names what the
// files vary: bvc_gpu80_ctx512_temp0p8/summary.json beside homo_gpu80_ctx512_temp0p8/summary.json, or
// gemma3_baseline.csv beside gemma3_270m_baseline.csv. Its table holds every member's records, with what the
// segment says as columns (see levelColumns), so that the analyses compare across the files what they compare
// within one.
type family struct {
	pattern      string // the members' path with the segments that vary globbed (see familyPattern)
	kind         string
	members      []familyMember
	levelColumns map[string][]string
}

type familyMember struct {
	file  *FileFacts
	t     *table
	level string // the varying segment, a file name without its extension
}

type families []*family

// replicateSegment matches names of repetitions, which a family pools rather than compares: run_1, rep2, 3,
// and timestamps such as 20251002-151204.
var replicateSegment = regexp.MustCompile(`(?i)^(?:(?:run|rep|repeat|trial|iter|iteration|seed|sample)[_-]?\d+|\d[\d_.T:-]*\d|\d)$`)

// findFamilies groups the tables that hold measurements by kind, table name, columns and path with one
// segment left open; a group whose open segment takes two or more values that are not repetitions is a family.
func findFamilies(files []FileFacts) families {
	var keys []string
	candidates := map[string][]familyMember{}
	for i := range files {
		f := &files[i]
		for _, t := range f.tables {
			if len(t.records) == 0 || !measures(t) {
				continue
			}
			segments := strings.Split(f.Path, "/")
			for j, segment := range segments {
				level := strings.TrimSuffix(segment, path.Ext(segment))
				if j < len(segments)-1 {
					level = segment
				}
				if replicateSegment.MatchString(level) {
					continue
				}
				key := f.Kind + "\x00" + t.name + "\x00" + strings.Join(t.columns, "\x01") + "\x00" + template(segments, j)
				if candidates[key] == nil {
					keys = append(keys, key)
				}
				candidates[key] = append(candidates[key], familyMember{file: f, t: t, level: level})
			}
		}
	}
	var found families
	for _, key := range keys {
		if fam := newFamily(candidates[key]); fam != nil {
			found = append(found, fam)
		}
	}
	return found
}

// measures reports whether a table has a column a family would compare.
func measures(t *table) bool {
	return slices.ContainsFunc(t.columns, func(c string) bool {
		r := roleOf(c)
		return slices.ContainsFunc(groupMetrics, func(m groupMetric) bool { return m.role == r })
	})
}

// template is a path's segments with segment j open and every replicate segment as well.
func template(segments []string, j int) string {
	parts := slices.Clone(segments)
	for k, s := range parts {
		switch {
		case k == j && k == len(parts)-1:
			parts[k] = "\x02" + path.Ext(s)
		case k == j:
			parts[k] = "\x02"
		case replicateSegment.MatchString(s):
			parts[k] = "*"
		}
	}
	return strings.Join(parts, "/")
}

// newFamily makes a family of the candidates when their levels differ in more than repetitions.
func newFamily(members []familyMember) *family {
	levels := make([]string, len(members))
	for i, m := range members {
		levels[i] = m.level
	}
	columns := levelColumns(levels)
	if columns == nil {
		return nil
	}
	return &family{kind: members[0].file.Kind, members: members, pattern: familyPattern(members), levelColumns: columns}
}

// levelColumns reads the levels of a family as columns. Words that join a setting's name to its value
// (gpu80, ctx512, temp0p8: num_gpu 80, num_ctx 512, temperature 0.8) become columns of their own. The rest,
// without the words every level shares, is the variant (bvc, homo; 270m, 1b-it-qat): the whole level when
// that leaves one empty. It returns nil when the levels differ in nothing but repetitions.
func levelColumns(levels []string) map[string][]string {
	words := make([][]string, len(levels))
	columns := map[string][]string{}
	for i, level := range levels {
		for _, w := range strings.Split(level, "_") {
			switch name, value, ok := levelSetting(w); {
			case ok:
				setCell(columns, name, i, len(levels), value)
			case !replicateSegment.MatchString(w):
				words[i] = append(words[i], w)
			}
		}
	}
	variants := distinctiveWords(words)
	if !varies(variants) && variants[0] == "" {
		variants = nil // the levels differ in repetitions alone
	} else if slices.Contains(variants, "") {
		variants = levels
	}
	if variants == nil || !varies(variants) && !slices.ContainsFunc(slices.Collect(maps.Values(columns)), varies) {
		return nil
	}
	columns["variant"] = variants
	return columns
}

// levelSettingRe matches a setting in a path: letters, then a number with "p" for its decimal point.
var levelSettingRe = regexp.MustCompile(`^([a-z]+)(\d+(?:p\d+)?)$`)

// levelSettings names the grid parameters paths spell short.
var levelSettings = map[string]string{"gpu": "num_gpu", "ngl": "num_gpu", "ctx": "num_ctx", "temp": "temperature"}

func levelSetting(word string) (name, value string, ok bool) {
	m := levelSettingRe.FindStringSubmatch(strings.ToLower(word))
	if m == nil || levelSettings[m[1]] == "" {
		return "", "", false
	}
	return levelSettings[m[1]], strings.Replace(m[2], "p", ".", 1), true
}

func setCell(columns map[string][]string, name string, i, n int, value string) {
	if columns[name] == nil {
		columns[name] = make([]string, n)
	}
	columns[name][i] = value
}

// distinctiveWords drops the words that every level starts or ends with and joins the rest.
func distinctiveWords(words [][]string) []string {
	prefix, suffix := len(words[0]), len(words[0])
	for _, w := range words {
		prefix = min(prefix, commonPrefixLen(words[0], w))
		suffix = min(suffix, commonPrefixLen(reversed(words[0]), reversed(w)))
	}
	out := make([]string, len(words))
	for i, w := range words {
		if prefix+suffix <= len(w) {
			out[i] = strings.Join(w[prefix:len(w)-suffix], "_")
		}
	}
	return out
}

func commonPrefixLen[T comparable](a, b []T) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

func reversed(words []string) []string {
	r := slices.Clone(words)
	slices.Reverse(r)
	return r
}

func varies(cells []string) bool {
	return slices.ContainsFunc(cells, func(c string) bool { return c != cells[0] })
}

// familyPattern is the members' path pattern (see pathPattern).
func familyPattern(members []familyMember) string {
	files := make([]*FileFacts, len(members))
	for i, m := range members {
		files[i] = m.file
	}
	return pathPattern(files)
}

// pathPattern is the files' path, all of one depth, with each segment that varies written as its common prefix,
// "*" and its common suffix: "*/summary.json", "gemma3/gemma3_*baseline.csv".
func pathPattern(files []*FileFacts) string {
	segments := strings.Split(files[0].Path, "/")
	for k := range segments {
		values := make([]string, len(files))
		for i, f := range files {
			values[i] = strings.Split(f.Path, "/")[k]
		}
		if varies(values) {
			segments[k] = globOf(values)
		}
	}
	return strings.Join(segments, "/")
}

// globOf writes values as their common prefix, "*" and their common suffix, never splitting a character.
func globOf(values []string) string {
	prefix := values[0]
	for _, v := range values {
		prefix = prefix[:commonPrefixLen([]byte(prefix), []byte(v))]
	}
	suffix := reversedString(values[0][len(prefix):])
	for _, v := range values {
		suffix = suffix[:commonPrefixLen([]byte(suffix), []byte(reversedString(v[len(prefix):])))]
	}
	return strings.ToValidUTF8(prefix, "") + "*" + strings.ToValidUTF8(reversedString(suffix), "")
}

func reversedString(s string) string {
	b := []byte(s)
	slices.Reverse(b)
	return string(b)
}

// table lines the members' records up under the level columns, then the table's own. It is made when asked
// for, and not kept: the members' tables hold the same records.
func (fam *family) table() *table {
	first := fam.members[0].t
	names := []string{"variant"}
	for _, name := range []string{"num_gpu", "num_ctx", "temperature"} {
		if fam.levelColumns[name] != nil &&
			!slices.ContainsFunc(first.columns, func(c string) bool { return roleOf(c) == roleOf(name) }) {
			names = append(names, name)
		}
	}
	if slices.Contains(first.columns, "variant") {
		names = names[1:]
	}
	t := &table{name: first.name, columns: append(slices.Clone(names), first.columns...)}
	if first.units != nil {
		t.units = append(make([]string, len(names)), first.units...)
	}
	for i, m := range fam.members {
		levels, levelValues := make([]string, len(names)), nanRow(len(names))
		for j, name := range names {
			levels[j] = fam.levelColumns[name][i]
			if x, ok := ParseNumber(levels[j]); ok && name != "variant" {
				levelValues[j] = x
			}
		}
		for _, r := range m.t.records {
			t.addRecord(slices.Concat(levels, r.cells), slices.Concat(levelValues, r.values))
		}
	}
	return t
}

// pooled reports whether every member's table is one record: the family's table is then all there is to
// analyse, and the members give no facts of their own (see absorbs).
func (fam *family) pooled() bool {
	return !slices.ContainsFunc(fam.members, func(m familyMember) bool { return len(m.t.records) != 1 })
}

// view is the family's table, or a test cut out of it, seen as the table of one file at its pattern, citing
// the members. Unless the family is pooled it only compares.
func (fam *family) view(t *table) *tableView {
	v := newTableView(&FileFacts{Path: fam.pattern, Kind: fam.kind}, t)
	v.comparesOnly = !fam.pooled()
	v.sources = fam.sources()
	return v
}

// sources is the family's pattern, then its member files.
func (fam *family) sources() []string {
	files := make([]*FileFacts, len(fam.members))
	for i, m := range fam.members {
		files[i] = m.file
	}
	return patternAndFiles(fam.pattern, files)
}

// patternAndFiles is what a fact about several files cites: the pattern that names them, then each file once.
func patternAndFiles(pattern string, files []*FileFacts) []string {
	sources := []string{pattern}
	for _, f := range files {
		if !slices.Contains(sources, f.Path) {
			sources = append(sources, f.Path)
		}
	}
	return sources
}

// absorbs reports whether a table's one record, a successful one, is a row of a pooled family's table, which
// then says all that the table would.
func (fs families) absorbs(t *table) bool {
	if len(t.records) != 1 || t.records[0].failure != "" {
		return false
	}
	return slices.ContainsFunc(fs, func(fam *family) bool {
		return fam.pooled() && slices.ContainsFunc(fam.members, func(m familyMember) bool { return m.t == t })
	})
}
