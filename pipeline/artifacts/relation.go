package artifacts

import (
	"cmp"
	"math"
	"slices"
	"strings"
)

// relation is a table read for insight: every row a configuration, every column a dimension (a setting or a
// category that tells configurations apart) or a measure (a quantity with a unit and a better direction).
// Identifiers (run ids, timestamps, commits) and free text take part in neither.
type relation struct {
	source   string   // the file, or a family's pattern
	sources  []string // the files whose rows it holds
	name     string   // the table's place in its file
	caption  string
	section  string // the headings above a markdown table, outermost first
	markdown bool   // restated in a document rather than measured into a data file
	rows     int
	failures []string // per row, why the record failed: "" for one that succeeded
	dims     []*dimension
	measures []*measure
	tails    []tail // p99 beside the median of one quantity, kept before the p99 leaves the measures
}

// dimension is a column whose values name configurations: levels in row order.
type dimension struct {
	name    string
	levels  []string  // per row, "" where unknown
	values  []float64 // per row, the level as a number, NaN where it is not one
	ordered bool      // every known level is a number, so the levels have an order a trend can follow
	set     []string  // the distinct known levels in order of appearance, once insights ask (see distinct)
}

// distinct is the dimension's distinct known levels, in the order they appear. It is computed on first use,
// after newRelation has finished shaping the levels.
func (d *dimension) distinct() []string {
	if d.set == nil {
		d.set = []string{}
		seen := map[string]bool{}
		for _, l := range d.levels {
			if l != "" && !seen[l] {
				seen[l] = true
				d.set = append(d.set, l)
			}
		}
	}
	return d.set
}

// measure is a column of measurements.
type measure struct {
	name      string
	unit      string
	direction int // +1 when higher is better, −1 when lower is, 0 when the name and unit do not say
	cells     []cell
	failed    []float64 // the values failed records wrote, which cells leave out (see excludeFailedRows)
}

// Column kinds, decided by name and content (see classifyColumn).
type columnKind int

const (
	kindIgnored columnKind = iota
	kindDimension
	kindMeasure
	kindSpread  // a standard deviation of another column: stddev_ts beside avg_ts
	kindSamples // the repetitions behind another column: samples_ts beside avg_ts
)

// newRelation reads a table: it classifies its columns, attaches spreads and samples to the measures they
// describe, lets blank cells of a grouped table's dimensions inherit the level above, and unpivots headers
// that hold levels ("FlashAttn OFF | FlashAttn ON", "tg128 | pp512", baseline.x beside candidate.x) into a
// dimension. It returns the relations the table holds: the table itself, and one more per unpivoted group.
func newRelation(source string, sources []string, kind string, t *table) []*relation {
	records := t.records
	rel := &relation{source: source, sources: sources, name: t.name, caption: t.caption, section: t.section,
		markdown: kind == KindMarkdown || kind == KindText, rows: len(records), failures: make([]string, len(records))}
	for row, r := range records {
		rel.failures[row] = r.failure
	}
	cells := make([][]cell, len(t.columns))
	kinds := make([]columnKind, len(t.columns))
	failureColumns := slices.Concat(findFailureColumns(t.columns)...)
	for col, name := range t.columns {
		cells[col] = make([]cell, len(records))
		for row, r := range records {
			cells[col][row] = parseCell(r.cells[col])
		}
		switch {
		case col < t.headingColumns:
			kinds[col] = kindDimension
		case slices.Contains(failureColumns, col):
			kinds[col] = kindIgnored // whether a record failed is its outcome, not a setting
		default:
			kinds[col] = classifyColumn(name, cells[col])
		}
		if kinds[col] == kindIgnored {
			cells[col] = nil // a long table's text and identifiers need not stay in memory while the rest is read
		}
	}
	for col, name := range t.columns {
		switch kinds[col] {
		case kindDimension:
			rel.dims = append(rel.dims, newDimension(name, cells[col]))
		case kindMeasure:
			rel.measures = append(rel.measures, rel.newMeasure(name, unitOf(t, col), cells[col]))
		}
	}
	attachSpreads(rel, t.columns, kinds, cells)
	rel.excludeFailedRows()
	rel.excludeColdRows()
	rel.splitDepthFromTests()
	rel.splitModelSizes()
	if rel.markdown && t.headingColumns == 0 {
		rel.fillDown()
	}
	relations := append([]*relation{rel}, rel.unpivot()...)
	for _, r := range relations {
		r.dropConstantMeasures()
		r.dropRestatedMeasures()
		r.keepCentralStatistics()
		r.addEfficiency()
	}
	return relations
}

func newDimension(name string, cells []cell) *dimension {
	d := &dimension{name: name, levels: make([]string, len(cells)), values: make([]float64, len(cells)), ordered: true}
	for i, c := range cells {
		d.levels[i], d.values[i] = c.text, c.value
		if c.missing == missingEmpty {
			d.levels[i] = ""
		}
		if d.levels[i] != "" && !c.isNumber() {
			d.ordered = false
		}
	}
	return d
}

func (rel *relation) newMeasure(name, unit string, cells []cell) *measure {
	m := &measure{name: name, cells: cells, unit: unit}
	if m.unit == "" {
		m.unit = commonUnit(cells)
	}
	if m.unit == "" && directionOf(name) == 0 {
		m.unit = unitInText(rel.quantity()) // a name that says what it is (ttft_s) is not the caption's quantity
	}
	m.direction = directionOf(name + " " + m.unit)
	if m.direction == 0 {
		m.direction = directionOf(rel.quantity())
	}
	return m
}

// quantity is the text around a table that names what it measures: the caption, else the nearest heading
// that names a unit ("Output tok/s", "TTFT (ms)"); "" when none does.
func (rel *relation) quantity() string {
	if unitInText(rel.caption) != "" {
		return rel.caption
	}
	headings := strings.Split(rel.section, " › ")
	for i := len(headings) - 1; i >= 0; i-- {
		if unitInText(headings[i]) != "" {
			return headings[i]
		}
	}
	return ""
}

// fillDown gives a blank dimension cell the level above it, as grouped tables write a model once for the rows
// of its quantisations. Only one table's rows are grouped so: stacked tables are not (see the callers), and a
// failed row's blanks are what it never got to.
func (rel *relation) fillDown() {
	for _, d := range rel.dims {
		for i := 1; i < len(d.levels); i++ {
			if d.levels[i] == "" && d.levels[i-1] != "" && rel.failures[i] == "" {
				d.levels[i], d.values[i] = d.levels[i-1], d.values[i-1]
			}
		}
	}
}

// classifyColumn decides a column's kind from its name first (an identifier, a setting, a spread) and then
// from its cells: mostly numbers is a measure, short repeated words a dimension, long or unique text nothing.
func classifyColumn(name string, cells []cell) columnKind {
	norm := normalizeColumn(name)
	if !settingName(norm) && (identifierName(norm) || linksToDetails(cells) || comparesColumns(name)) {
		return kindIgnored
	}
	numbers, texts, runs, longText, statements := 0, 0, 0, 0, 0
	for _, c := range cells {
		switch {
		case c.missing == missingStatement:
			statements++
		case c.runs != nil:
			runs++
		case c.isNumber():
			numbers++
		case c.missing == missingText:
			texts++
			if len([]rune(c.text)) > 40 {
				longText++
			}
		}
	}
	switch {
	case statements > 0 && statements >= numbers+texts:
		return kindIgnored
	case runs > 0 && runs >= numbers && spreadStem(norm, samplesMarks) != "":
		return kindSamples
	case numbers+runs > 0 && numbers+runs >= texts:
		return numericKind(name)
	case texts == 0 || 2*longText > texts || 2*timestamps(cells) > texts:
		return kindIgnored // free text, or the times rows were taken at
	}
	return kindDimension
}

// numericKind is the kind of a column of numbers: a setting by its name or its last key (options.temperature),
// a spread, else a measure.
func numericKind(name string) columnKind {
	norm := normalizeColumn(name)
	switch {
	case settingName(norm) || settingName(normalizeColumn(lastKey(name))):
		return kindDimension
	case spreadStem(norm, spreadMarks) != "":
		return kindSpread
	}
	return kindMeasure
}

// comparesColumns recognises a column that compares others of its table (Δ%, "WS/Max-Q", "Relative gain"):
// computed from the measurements, not one of them.
func comparesColumns(name string) bool {
	lower := strings.ToLower(name)
	if strings.ContainsAny(lower, "Δδ") {
		return true
	}
	for _, w := range comparisonWords {
		if containsWord(lower, w) {
			return true
		}
	}
	before, after, found := strings.Cut(lower, "/")
	return found && unitInText(lower) == "" && strings.TrimSpace(before) != "" && strings.TrimSpace(after) != ""
}

var comparisonWords = []string{"delta", "diff", "difference", "change", "ratio", "relative", "vs"}

// linksToDetails recognises a column of links that all read the same ("Graph", "data"): they point to each
// row's details and tell the rows apart by their targets alone.
func linksToDetails(cells []cell) bool {
	texts := map[string]bool{}
	for _, c := range cells {
		if c.link {
			texts[c.text] = true
		}
	}
	return len(texts) == 1
}

// identifierName recognises columns that identify a row rather than describe it.
func identifierName(norm string) bool {
	last := norm[strings.LastIndexByte(norm, '_')+1:]
	return norm == "" || identifierNames[norm] || identifierNames[last] && last != "time"
}

var identifierNames = setOf("id", "uuid", "run_id", "timestamp", "date", "datetime", "time", "created_at",
	"started_at", "finished_at", "commit", "build_commit", "sha", "hash", "seed", "url", "link", "path", "file",
	"filename", "idx", "index", "no", "row", "run", "run_number", "rep", "repetition", "trial", "iteration", "gen_text", "prompt", "text", "response", "output_text", "error_msg",
	"error_message", "message", "notes", "note", "comment", "data_link", "plot_link", "gpu_info", "cpu_info")

// settingName recognises the settings a benchmark varies on purpose: they are dimensions even though they are
// numbers, and ordered ones, so a trend can follow them.
func settingName(norm string) bool {
	return settingNames[norm] || settingNames[strings.TrimPrefix(norm, "n_")] || settingNames[strings.TrimPrefix(norm, "num_")]
}

var settingNames = setOf("ngl", "gpu_layers", "n_gpu_layers", "num_gpu", "gpu", "ctx", "ctx_size", "context",
	"context_length", "context_size", "depth", "starting_depth", "ending_context", "kv_depth", "batch",
	"batch_size", "ubatch", "ubatch_size", "threads", "thread", "threads_batch", "concurrency", "max_concurrency",
	"concurrent_requests", "parallel", "prompt", "gen", "prompt_len", "prompt_length", "input_len", "output_len",
	"input_length", "output_length", "max_tokens", "predict", "temperature", "temp", "top_k", "top_p", "gpus",
	"gpu_count", "tp", "tensor_parallel", "power_limit", "seq_len", "sequence_length", "request_rate", "c",
	"tokens", "prompts", "requests", "size", "fa", "flash_attn", "mmap", "use_mmap", "no_kv_offload",
	"split_mode", "main_gpu", "type_k", "type_v", "cache_type_k", "cache_type_v", "params", "model_size", "model_params", "model_n_params", "agents", "workers", "clients", "users", "qps")

// Words that mark a column as the spread or the samples of another: stddev_ts describes avg_ts.
var (
	spreadMarks  = setOf("stddev", "std", "sd", "stdev", "std_dev", "stderr")
	samplesMarks = setOf("samples", "runs", "values")
	statWords    = setOf("avg", "mean", "median", "average", "p50")
)

// spreadStem is what a spread or samples column describes: its name without the marking word ("ts" for
// stddev_ts); "" when no word of the set marks it.
func spreadStem(norm string, words map[string]bool) string {
	parts := strings.Split(norm, "_")
	for i, p := range parts {
		if words[p] {
			return strings.Join(slices.Delete(slices.Clone(parts), i, i+1), "_")
		}
	}
	return ""
}

// attachSpreads gives each measure the sd of its stddev column and the repetitions of its samples column.
func attachSpreads(rel *relation, columns []string, kinds []columnKind, cells [][]cell) {
	for col, kind := range kinds {
		var words map[string]bool
		switch kind {
		case kindSpread:
			words = spreadMarks
		case kindSamples:
			words = samplesMarks
		default:
			continue
		}
		m := rel.measureWithStem(spreadStem(normalizeColumn(columns[col]), words))
		if m == nil && kind == kindSamples {
			m = rel.firstWithoutRuns() // "WS runs" beside "Workstation Edition": samples columns follow their measures' order
		}
		if m == nil {
			continue
		}
		for row, c := range cells[col] {
			if kind == kindSpread {
				m.cells[row].sd, m.cells[row].sdPlaces = c.value, int8(min(c.decimals, math.MaxInt8))
			} else {
				m.cells[row].runs = c.runs
			}
		}
	}
}

// firstWithoutRuns is the first measure with no repetitions attached, nil when every one has some.
func (rel *relation) firstWithoutRuns() *measure {
	for _, m := range rel.measures {
		if !slices.ContainsFunc(m.cells, func(c cell) bool { return c.runs != nil }) {
			return m
		}
	}
	return nil
}

// measureWithStem finds the measure a spread describes: the one whose name, without a mean's word, is stem.
func (rel *relation) measureWithStem(stem string) *measure {
	for _, m := range rel.measures {
		norm := normalizeColumn(m.name)
		if norm == stem || spreadStem(norm, statWords) == stem {
			return m
		}
	}
	return nil
}

// unitOf is a column's unit from the export's units row or its header: "TTFT (ms)", "Mem [MB]", "tok/s".
func unitOf(t *table, col int) string {
	if t.units != nil && t.units[col] != "" {
		return strings.ToLower(t.units[col])
	}
	return unitInText(t.columns[col])
}

// commonUnit is the unit most cells of a column write after their numbers.
func commonUnit(cells []cell) string {
	counts := map[string]int{}
	best := ""
	for _, c := range cells {
		if c.unit != "" {
			counts[c.unit]++
			if counts[c.unit] > counts[best] {
				best = c.unit
			}
		}
	}
	return best
}

// unitWords are the units recognised in headers and captions, longest first so that "tokens/s" wins over "s".
var unitWords = []string{"tokens/s", "tokens per second", "tok/s", "t/s", "tokens/sec", "tps", "ms", "µs", "us",
	"gib", "mib", "gb", "mb", "°c", "w", "s", "%", "×"}

// unitInText finds a unit named in a header or caption: in brackets ("TTFT (ms)"), or as a word of its own.
func unitInText(text string) string {
	lower := strings.ToLower(text)
	if open := strings.LastIndexAny(lower, "(["); open >= 0 {
		if close := strings.IndexAny(lower[open:], ")]"); close > 0 {
			if u := strings.TrimSpace(lower[open+1 : open+close]); slices.Contains(unitWords, u) {
				return canonicalUnit(u)
			}
		}
	}
	for _, u := range unitWords {
		if len(u) > 2 && containsWord(lower, u) {
			return canonicalUnit(u)
		}
	}
	return ""
}

func canonicalUnit(u string) string {
	switch u {
	case "tokens/s", "tokens per second", "tok/s", "tokens/sec", "tps":
		return "tok/s"
	}
	return u
}

// containsWord reports whether word occurs in text between non-letters.
func containsWord(text, word string) bool {
	for i := 0; ; {
		j := strings.Index(text[i:], word)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(word)
		if (start == 0 || !isLetter(text[start-1])) && (end == len(text) || !isLetter(text[end])) {
			return true
		}
		i = start + 1
	}
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// directionOf says which way a quantity named by text improves: +1 for rates and speedups, −1 for times,
// latencies, memory, power and errors, 0 when text names neither.
func directionOf(text string) int {
	norm := "_" + normalizeColumn(strings.ReplaceAll(text, "/", " per ")) + "_"
	switch {
	case strings.Contains(norm, "_higher_is_better_"):
		return 1 // a caption that says so: "Decode speed in tokens/s, higher is better."
	case strings.Contains(norm, "_lower_is_better_"):
		return -1
	case hasAnySuffix(norm, "_tokens_s_", "_token_s_", "_tok_s_", "_t_s_"):
		return 1 // tokens_s is tokens per second, written without the slash
	case containsAnyWord(norm, "miss", "misses", "fail", "failed", "failure", "failures", "drop", "dropped", "reject",
		"rejected", "loss", "error", "errors"):
		return -1 // a miss rate or an error count is a rate of something bad
	case strings.Contains(norm, "_per_w_") || strings.Contains(norm, "_per_watt_"):
		return 1 // an efficiency: tok/s per W
	case strings.Contains(norm, "_per_s_") || strings.Contains(norm, "_per_sec_") || strings.Contains(norm, "_per_second_"):
		return 1 // anything per second, MB/s as much as tok/s
	case hasAnySuffix(norm, "_s_", "_ms_", "_us_", "_ns_", "_sec_", "_seconds_") && !strings.Contains(norm, "_per_"):
		return -1 // a time: load_s, ttft_ms
	}
	switch {
	case containsAnyWord(norm, lowerIsBetter...):
		return -1
	case containsAnyWord(norm, higherIsBetterWords...):
		return 1
	}
	return 0
}

var (
	// Checked first: "time per token" is a time even though it names a token rate's parts.
	lowerIsBetter = []string{"ttft", "tbt", "itl", "tpot", "latency", "latencies", "ms", "duration", "time", "elapsed",
		"memory", "mem", "vram", "mb", "gb", "gib", "mib", "power", "watts", "w", "energy", "joules", "errors",
		"error", "error_rate", "temp"}
	higherIsBetterWords = []string{"t_per_s", "tok_per_s", "tokens_per_s", "tokens_per_second", "token_per_s",
		"tps", "throughput", "rate", "speed", "speedup", "efficiency", "gain", "goodput", "qps", "score",
		"accuracy", "ts", "tokens_per_sec"}
)

// dropRestatedMeasures removes a measure that another one restates: the same quantity in another unit (avg_ns
// beside avg_ts, ttft_ms beside ttft_s), which ranks every row the same way or exactly the reverse. Its insights
// would restate the other's. A rate is kept over a time, as llama-bench's readers read t/s; otherwise the first.
func (rel *relation) dropRestatedMeasures() {
	ratesFirst := slices.Clone(rel.measures)
	slices.SortStableFunc(ratesFirst, func(a, b *measure) int { return cmp.Compare(b.direction, a.direction) })
	var kept []*measure
	for _, m := range ratesFirst {
		if !slices.ContainsFunc(kept, func(k *measure) bool { return restates(k, m) }) {
			kept = append(kept, m)
		}
	}
	rel.measures = slices.DeleteFunc(rel.measures, func(m *measure) bool { return !slices.Contains(kept, m) })
}

func restates(a, b *measure) bool {
	if withoutUnitWord(a.name) != withoutUnitWord(b.name) {
		return false
	}
	var pairs [][2]float64
	for i := range a.cells {
		if a.cells[i].isNumber() && b.cells[i].isNumber() {
			pairs = append(pairs, [2]float64{a.cells[i].value, b.cells[i].value})
		}
	}
	return len(pairs) >= minTrendPoints && strictlyMonotone(pairs)
}

// strictlyMonotone reports whether ordering the pairs by their first value orders their second strictly one
// way, as Kendall's |τ| = 1 would say, in n log n rather than n² (a sweep stacks tens of thousands of rows).
func strictlyMonotone(pairs [][2]float64) bool {
	slices.SortFunc(pairs, func(p, q [2]float64) int { return cmp.Compare(p[0], q[0]) })
	rising, falling := true, true
	for i := 1; i < len(pairs); i++ {
		dx, dy := pairs[i][0]-pairs[i-1][0], pairs[i][1]-pairs[i-1][1]
		rising = rising && dx > 0 && dy > 0
		falling = falling && dx > 0 && dy < 0
	}
	return rising || falling
}

// withoutUnitWord is a column's name without its last word when that word is a unit: avg_ts and avg_ns are
// both "avg".
func withoutUnitWord(name string) string {
	norm := normalizeColumn(name)
	if i := strings.LastIndexByte(norm, '_'); i > 0 && unitSuffixes[norm[i+1:]] {
		return norm[:i]
	}
	return norm
}

var unitSuffixes = setOf("ts", "ns", "us", "ms", "s", "sec", "tps", "tok_s", "t_s")

// Statistic words name a summary of a quantity rather than the quantity: the central ones stand for it, the
// others (extremes, tail percentiles) describe its spread.
var (
	centralWords = setOf("mean", "avg", "average", "median", "p50")
	spreadStats  = setOf("min", "max", "minimum", "maximum", "p25", "p75", "p90", "p95", "p99", "p999", "stddev", "std")
)

// keepCentralStatistics drops the extremes and percentiles of a quantity whose mean or median the table also
// has (min_time_ms and max_time_ms beside mean_time_ms), and all but the first of its central values: each
// would restate the central one's ranking.
func (rel *relation) keepCentralStatistics() {
	rel.tails = findTails(rel.measures)
	central := map[string]bool{}
	for _, m := range rel.measures {
		if stem, word := statisticOf(m.name); centralWords[word] {
			central[stem] = true
		}
	}
	seen := map[string]bool{}
	rel.measures = slices.DeleteFunc(rel.measures, func(m *measure) bool {
		stem, word := statisticOf(m.name)
		switch {
		case !central[stem]:
			return false
		case spreadStats[word]:
			return true
		case centralWords[word] && seen[stem]:
			return true
		}
		seen[stem] = seen[stem] || centralWords[word]
		return false
	})
}

// statisticOf splits a column's name into the quantity and the statistic word it names: benchmark.min_time_ms
// is benchmark_time_ms and min; a name without one has the word "".
func statisticOf(name string) (stem, word string) {
	parts := strings.Split(normalizeColumn(name), "_")
	for i, p := range parts {
		if centralWords[p] || spreadStats[p] {
			return strings.Join(slices.Delete(slices.Clone(parts), i, i+1), "_"), p
		}
	}
	return strings.Join(parts, "_"), ""
}

// dropConstantMeasures removes measures with one value throughout: a setting every row shares (temperature 0.3,
// an opset) compares nothing.
func (rel *relation) dropConstantMeasures() {
	if rel.rows < 2 {
		return // one row's values are all there is, not a setting it shares with others
	}
	rel.measures = slices.DeleteFunc(rel.measures, func(m *measure) bool {
		values := map[float64]bool{}
		for _, c := range m.cells {
			if c.isNumber() {
				values[c.value] = true
			}
		}
		return len(values) <= 1
	})
}

// timestamps counts the cells that hold a date and time.
func timestamps(cells []cell) int {
	n := 0
	for _, c := range cells {
		if timestampRe.MatchString(c.text) {
			n++
		}
	}
	return n
}

// containsAnyWord reports whether a normalised name, "_" at both ends, holds one of the words.
func containsAnyWord(norm string, words ...string) bool {
	for _, w := range words {
		if strings.Contains(norm, "_"+w+"_") {
			return true
		}
	}
	return false
}
