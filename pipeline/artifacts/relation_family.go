package artifacts

import (
	"math"
	"path"
	"regexp"
	"slices"
	"strings"
)

// A sweep writes one file per configuration and spells the configuration in the path:
// run_gpu80_ctx512_temp0p8/results.json, ngl-99/bench.csv, …__rocm6_4_4__fa1__longctx32768.log. Files whose
// paths differ only in such settings are one relation: their tables stacked, whatever columns each adds or
// lacks, with each setting a dimension.

// pathSetting is one setting read from a path.
type pathSetting struct{ name, value string }

var (
	// keyValueSetting: num_gpu=80, c=4, and with a dash the short names llama-bench writes: ngl-99.
	keyValueSetting    = regexp.MustCompile(`(?i)([a-z][a-z_]*?)(=|-)(\d+(?:[.p]\d+)?)`)
	dashSettings       = setOf("ngl", "ctx", "gpu", "c", "t", "b", "ub", "bs", "tp", "np", "fa", "batch", "ubatch", "threads", "depth", "d")
	letterDigitSetting = regexp.MustCompile(`(?i)^([a-z]+)(\d+(?:p\d+)?)$`)
	quantSetting       = regexp.MustCompile(`(?i)(?:^|[^a-z0-9])(i?q\d(?:_[a-z0-9]{1,2})*|f16|bf16|fp16|f32|fp8)(?:$|[^a-z0-9])`)
	backendSetting     = regexp.MustCompile(`(?i)(?:^|[^a-z0-9])((?:rocm|cuda|vulkan|metal|opencl|sycl|cpu|radv)(?:[0-9a-z]|_[0-9a-z]|\.\d)*)`)
	replicateWord      = regexp.MustCompile(`(?i)^(?:run|rep|repeat|trial|iter|iteration|seed|sample)$`)
	digitRun           = regexp.MustCompile(`\d+`)
)

// pathSettings reads the settings a path spells, in path order, and a template of the path that the files of
// one sweep share: each part that holds settings becomes the list of their names, and digits elsewhere
// (repetitions, timestamps) become "*". A double underscore separates parts as a slash does, since flattened
// paths write one for the other.
func pathSettings(p string) ([]pathSetting, string) {
	ext := path.Ext(p)
	var settings []pathSetting
	var template []string
	for _, segment := range strings.Split(strings.TrimSuffix(p, ext), "/") {
		var parts []string
		for _, part := range strings.Split(segment, "__") {
			found := partSettings(part)
			settings = append(settings, found...)
			parts = append(parts, partTemplate(part, found))
		}
		template = append(template, strings.Join(parts, "__"))
	}
	return settings, strings.Join(template, "/") + ext
}

// partSettings reads key=value pairs, quantisations and backends, then words that join a letter name to a
// number. In a part that holds settings, the other words name a variant (bvc_gpu120_ctx1024 is variant bvc);
// numbers alone are repetitions or timestamps, pooled and not compared.
func partSettings(part string) []pathSetting {
	var settings []pathSetting
	rest := part
	for _, m := range keyValueSetting.FindAllStringSubmatch(part, -1) {
		if m[2] == "-" && !dashSettings[strings.ToLower(m[1])] || replicateWord.MatchString(m[1]) {
			continue
		}
		settings = append(settings, pathSetting{strings.ToLower(m[1]), pointAsDecimal(m[3])})
		rest = strings.Replace(rest, m[0], " ", 1)
	}
	for _, re := range []struct {
		name string
		re   *regexp.Regexp
	}{{"quant", quantSetting}, {"backend", backendSetting}} {
		for _, m := range re.re.FindAllStringSubmatch(rest, -1) {
			settings = append(settings, pathSetting{re.name, strings.ToLower(m[1])})
			rest = strings.Replace(rest, m[1], " ", 1)
		}
	}
	var variant []string
	for _, w := range strings.FieldsFunc(rest, isWordSeparator) {
		m := letterDigitSetting.FindStringSubmatch(w)
		switch {
		case m != nil && !replicateWord.MatchString(m[1]):
			settings = append(settings, pathSetting{strings.ToLower(m[1]), pointAsDecimal(m[2])})
		case m == nil && !isAllDigits(w) && !replicateWord.MatchString(w):
			variant = append(variant, w)
		}
	}
	if len(settings) > 0 && len(variant) > 0 {
		settings = append(settings, pathSetting{"variant", strings.Join(variant, "_")})
	}
	return settings
}

// partTemplate is what a part of a path has in common with the same part of another configuration's path.
func partTemplate(part string, settings []pathSetting) string {
	if len(settings) == 0 {
		return digitRun.ReplaceAllString(part, "*")
	}
	names := make([]string, len(settings))
	for i, s := range settings {
		names[i] = s.name
	}
	return "{" + strings.Join(names, ",") + "}"
}

func isWordSeparator(r rune) bool { return r == '_' || r == '-' || r == '.' || r == '=' || r == ' ' }

// pointAsDecimal reads the "p" paths write for a decimal point: 0p8 is 0.8.
func pointAsDecimal(v string) string { return strings.Replace(v, "p", ".", 1) }

func isAllDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

// fileTable is a table with the file it came from.
type fileTable struct {
	file *FileFacts
	t    *table
}

// sweepFamily is the tables of one sweep: files of one kind whose paths share a template, each table under
// the same name; or files of one kind and shape in one folder whose names share no template (llama3.1-8b.txt,
// mistral-7b.txt: one per model), which differ by their names alone.
type sweepFamily struct {
	template string
	kind     string
	members  []fileTable
	settings [][]pathSetting // per member, what tells its file apart: the settings its path spells, or its name
}

// fileDimension names the dimension of a sweep whose files differ by their names.
const fileDimension = "file"

// findSweeps groups tables by kind, path template and table name (files of one table each need no name in
// common: a log that says its run was killed stands beside the others' result tables); a group of two or more
// files is a sweep.
func findSweeps(tables []fileTable) (sweeps []*sweepFamily, singles []fileTable) {
	byKey := map[string]*sweepFamily{}
	var keys []string
	tablesOf := map[*FileFacts]int{}
	for _, ft := range tables {
		tablesOf[ft.file]++
	}
	for _, ft := range tables {
		settings, template := pathSettings(ft.file.Path)
		key := ft.file.Kind + "\x00" + template
		if tablesOf[ft.file] > 1 {
			key += "\x00" + ft.t.name
		}
		if byKey[key] == nil {
			byKey[key] = &sweepFamily{template: template, kind: ft.file.Kind}
			keys = append(keys, key)
		}
		sw := byKey[key]
		sw.members, sw.settings = append(sw.members, ft), append(sw.settings, settings)
	}
	for _, key := range keys {
		sw := byKey[key]
		if len(sw.members) < 2 {
			singles = append(singles, sw.members...)
			continue
		}
		sweeps = append(sweeps, sw)
	}
	named, singles := findNamedSweeps(singles)
	return append(sweeps, named...), singles
}

// findNamedSweeps groups the tables no sweep holds by kind, folder, table name and columns: two or more files
// of one shape side by side are the runs of one benchmark, told apart by their names.
func findNamedSweeps(tables []fileTable) (sweeps []*sweepFamily, singles []fileTable) {
	byKey := map[string]*sweepFamily{}
	var keys []string
	for _, ft := range tables {
		key := strings.Join(append([]string{ft.file.Kind, path.Dir(ft.file.Path), ft.t.name}, ft.t.columns...), "\x00")
		if byKey[key] == nil {
			byKey[key] = &sweepFamily{template: key, kind: ft.file.Kind}
			keys = append(keys, key)
		}
		sw := byKey[key]
		name := []pathSetting{{fileDimension, strings.TrimSuffix(path.Base(ft.file.Path), path.Ext(ft.file.Path))}}
		sw.members, sw.settings = append(sw.members, ft), append(sw.settings, name)
	}
	for _, key := range keys {
		sw := byKey[key]
		if len(sw.files()) < 2 || len(sw.files()) < len(sw.members) {
			singles = append(singles, sw.members...) // a file of several tables of one shape is no sweep of files
			continue
		}
		sweeps = append(sweeps, sw)
	}
	return sweeps, singles
}

// sweepMembers marks the files that belong to a sweep.
func sweepMembers(sweeps []*sweepFamily) map[*FileFacts]bool {
	members := map[*FileFacts]bool{}
	for _, sw := range sweeps {
		for _, m := range sw.members {
			members[m.file] = true
		}
	}
	return members
}

// files are the sweep's files, each once, in walk order.
func (sw *sweepFamily) files() []*FileFacts {
	var files []*FileFacts
	for _, m := range sw.members {
		if !slices.Contains(files, m.file) {
			files = append(files, m.file)
		}
	}
	return files
}

// pattern names the sweep's files as a glob: "run_gpu*_ctx*_temp0p*/results.json" (see pathPattern).
func (sw *sweepFamily) pattern() string { return pathPattern(sw.files()) }

// sources is the sweep's pattern, then its files.
func (sw *sweepFamily) sources() []string { return patternAndFiles(sw.pattern(), sw.files()) }

// table stacks the members' records under the union of their columns, with a column per path setting.
func (sw *sweepFamily) table() *table {
	var settingNames, columns []string
	perMember := make([]map[string]string, len(sw.members))
	for i, m := range sw.members {
		perMember[i] = map[string]string{}
		for _, s := range sw.settings[i] {
			if !slices.Contains(settingNames, s.name) {
				settingNames = append(settingNames, s.name)
			}
			perMember[i][s.name] = s.value
		}
		for _, c := range m.t.columns {
			if !slices.Contains(columns, c) {
				columns = append(columns, c)
			}
		}
	}
	first := sw.members[0].t
	st := &table{name: first.name, caption: first.caption, section: first.section,
		columns: columnNames(append(pathColumnNames(settingNames, columns), columns...)), headingColumns: len(settingNames),
		units: sw.units(len(settingNames), columns)}
	rows := 0
	for _, m := range sw.members {
		rows += len(m.t.records)
	}
	st.records = make([]record, 0, rows)
	for i, m := range sw.members {
		index := map[string]int{}
		for j, c := range m.t.columns {
			index[c] = j
		}
		settings := make([]string, len(settingNames))
		settingValues := make([]float64, len(settingNames))
		named := make([]string, len(settingNames))
		for j, n := range settingNames {
			settings[j] = perMember[i][n]
			settingValues[j] = parseCell(settings[j]).value
			named[j] = n + "=" + settings[j]
		}
		block := strings.Join(named, ", ")
		// one array of cells and one of values for all the member's rows
		width := len(st.columns)
		cells, values := make([]string, width*len(m.t.records)), make([]float64, width*len(m.t.records))
		for k, r := range m.t.records {
			row := k * width
			rowCells, rowValues := cells[row:row+width:row+width], values[row:row+width:row+width]
			copy(rowCells, settings)
			copy(rowValues, settingValues)
			for j, c := range columns {
				col := len(settings) + j
				if src, ok := index[c]; ok {
					rowCells[col], rowValues[col] = r.cells[src], r.values[src]
				} else {
					rowValues[col] = math.NaN()
				}
			}
			// The member's own reading of the record stands: its numbers and whether it failed.
			rowBlock := block
			if r.block != "" {
				rowBlock += " › " + r.block
			}
			st.records = append(st.records, record{cells: rowCells, values: rowValues, failure: r.failure, block: rowBlock})
		}
	}
	return st
}

// units are the stacked columns' units after the settings' columns, each from the first member that states
// one; nil when none does.
func (sw *sweepFamily) units(settings int, columns []string) []string {
	units := make([]string, settings+len(columns))
	stated := false
	for _, m := range sw.members {
		for j, c := range m.t.columns {
			if k := settings + slices.Index(columns, c); m.t.units != nil && m.t.units[j] != "" && units[k] == "" {
				units[k], stated = m.t.units[j], true
			}
		}
	}
	if !stated {
		return nil
	}
	return units
}

// releaseRecords lets the members' records go once the sweep's stacked table holds them: nothing reads them
// after, and the files of sweeps hold most of a large tree's records. A file that failed on every row keeps
// its records for the failure rollup (see addFailureRollup).
func (sw *sweepFamily) releaseRecords() {
	for _, m := range sw.members {
		if m.file.Failures < m.file.Rows {
			m.t.records = nil
		}
	}
}

// pathColumnNames names the columns of path settings, marking one that a table also has: the path's "backend"
// (rocm6_4_4) and the table's (ROCm) are two columns.
func pathColumnNames(settings, columns []string) []string {
	names := make([]string, len(settings))
	for i, n := range settings {
		names[i] = n
		if slices.Contains(columns, n) {
			names[i] = n + " (path)"
		}
	}
	return names
}
