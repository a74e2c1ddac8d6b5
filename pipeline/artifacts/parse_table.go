package artifacts

import (
	"iter"
	"math"
	"slices"
	"strings"

	"chimera/pipeline/stats"
)

// table is a rectangular view of records: a CSV or JSONL file, a markdown pipe table, or a JSON array (or keyed
// collection) of objects.
type table struct {
	name    string   // where the table sits in its file: "" for CSV and JSONL, "results[]" in JSON, "table2" in markdown
	columns []string // column names, unique within the table
	units   []string // per column, from an export's units row; nil when the file has none
	records []record
	caption string // the text right above a markdown table
	section string // the headings a markdown table sits under, outermost first
	// headingColumns counts the leading columns that hold the headings of stacked tables (see stacked): they
	// are dimensions whatever their cells.
	headingColumns int
	test           string // the llama-bench test of every record, when splitTests cut the table out of a mixed one
	// notes are the footnotes of the document the table is in, by mark (see footnoteDefinitions)
	notes map[string]string

	failureColumns failureColumns // found when the first record is added
	// kinds are the columns' kinds as a relation read from the table found them (see readColumns); nil before
	kinds []columnKind
}

// record is one row: its cells as text and, where a cell holds a number, its value.
type record struct {
	cells   []string
	values  []float64 // NaN where the cell is not a number
	failure string    // why the row failed, "" when it succeeded
	// block names the table the record was listed in, where tables were stacked into this one (see stacked and
	// sweepFamily.table): its headings, its file's settings; "" in a table of its own.
	block string
}

// describeTables describes a file made of tables: rows and failures over all of them, and a stats.Summary per
// numeric column. A single unnamed table also gives the file its column list.
func describeTables(tables []*table) FileFacts {
	f := FileFacts{Fields: map[string]stats.Summary{}, tables: tables}
	f.Rows, f.Failures = countRecords(tables)
	for _, t := range tables {
		t.addSummaries(f.Fields)
	}
	if len(tables) == 1 && tables[0].name == "" {
		f.Columns = tables[0].columns
	}
	return f
}

// countRecords counts the records of all tables, and those that failed.
func countRecords(tables []*table) (rows, failures int) {
	for _, t := range tables {
		rows += len(t.records)
		failures += t.failures()
	}
	return rows, failures
}

// addRow appends a row of text cells, cut or padded to the table's width, reading numbers leniently.
func (t *table) addRow(cells []string) {
	cells = trimCells(fitWidth(cells, len(t.columns)))
	values := make([]float64, len(cells))
	for i, c := range cells {
		values[i] = math.NaN()
		if v, ok := ParseNumber(c); ok {
			values[i] = v
		}
	}
	t.addRecord(cells, values)
}

// addRecord appends a row whose numbers are already known (NaN where a cell is not a number).
func (t *table) addRecord(cells []string, values []float64) {
	if t.failureColumns == nil {
		t.failureColumns = findFailureColumns(t.columns)
	}
	failure := t.failureColumns.failureOf(t.columns, cells)
	t.records = append(t.records, record{cells: cells, values: values, failure: failure})
}

// trimCells trims every cell in place.
func trimCells(cells []string) []string {
	for i, c := range cells {
		cells[i] = strings.TrimSpace(c)
	}
	return cells
}

// fitWidth cuts cells to width or pads them with empty cells.
func fitWidth(cells []string, width int) []string {
	if len(cells) >= width {
		return cells[:width:width]
	}
	return append(cells, make([]string, width-len(cells))...)
}

// field names column i for Fields and facts: the table's place in its file, then the column.
func (t *table) field(i int) string {
	if t.name == "" {
		return t.columns[i]
	}
	return t.name + "." + t.columns[i]
}

// label names the table in a sentence: its place in its file, or "the table" for a file's only one.
func (t *table) label() string {
	if t.name == "" {
		return "the table"
	}
	return t.name
}

// failures counts the records that failed.
func (t *table) failures() int {
	n := 0
	for _, r := range t.records {
		if r.failure != "" {
			n++
		}
	}
	return n
}

// succeeded returns the records that did not fail: only these enter statistics. When none failed they are the
// table's own records, which readers leave as they are.
func (t *table) succeeded() []record {
	if t.failures() == 0 {
		return t.records
	}
	ok := make([]record, 0, len(t.records))
	for _, r := range t.records {
		if r.failure == "" {
			ok = append(ok, r)
		}
	}
	return ok
}

// numbers returns column i's values over the records that succeeded, skipping cells that are not numbers.
func (t *table) numbers(i int) []float64 {
	return slices.AppendSeq(make([]float64, 0, len(t.records)), t.eachNumber(i))
}

// eachNumber yields column i's values over the records that succeeded, skipping cells that are not numbers.
func (t *table) eachNumber(i int) iter.Seq[float64] {
	return func(yield func(float64) bool) {
		for _, r := range t.records {
			if r.failure == "" && !math.IsNaN(r.values[i]) && !yield(r.values[i]) {
				return
			}
		}
	}
}

// isNumeric reports whether column i is a numeric column: among the successful records, at least half of its
// non-empty cells are numbers.
func (t *table) isNumeric(i int) bool {
	filled, numeric := 0, 0
	for _, r := range t.records {
		if r.failure != "" {
			continue
		}
		if r.cells[i] != "" {
			filled++
		}
		if !math.IsNaN(r.values[i]) {
			numeric++
		}
	}
	return numeric > 0 && 2*numeric >= filled
}

// addSummaries adds a stats.Summary of every numeric column to fields, keyed by field name.
func (t *table) addSummaries(fields map[string]stats.Summary) {
	for i := range t.columns {
		if t.isNumeric(i) {
			fields[t.field(i)] = stats.Summarize(t.numbers(i))
		}
	}
}

// tracksFailures reports whether the table has a column that can mark a record as failed.
func (t *table) tracksFailures() bool {
	return slices.ContainsFunc(findFailureColumns(t.columns), func(columns []int) bool { return len(columns) > 0 })
}

// failureColumns lists, for each of failureChecks in turn, the columns of a header that the check reads. A
// table finds them once: matching every column name for every row took time proportional to the header's
// size times the rows (7 s for a 104 KB CSV under a 100 KB header cell).
type failureColumns [][]int

func findFailureColumns(columns []string) failureColumns {
	found := make(failureColumns, len(failureChecks))
	for col, name := range columns {
		name = normalizeColumn(lastKey(name))
		for i, check := range failureChecks {
			if check.column(name) {
				found[i] = append(found[i], col)
			}
		}
	}
	return found
}

// failureOf decides from a record's error, status and success columns, found in its header columns, whether
// it failed, and why. Error text is preferred over a bare status, which is preferred over a success flag.
func (fc failureColumns) failureOf(columns, cells []string) string {
	for i, check := range failureChecks {
		for _, col := range fc[i] {
			if col < len(cells) && check.failed(strings.ToLower(cells[col])) {
				return check.reason(columns[col], cells[col])
			}
		}
	}
	return ""
}

var failureChecks = []struct {
	column func(name string) bool
	failed func(lowerCell string) bool
	reason func(column, cell string) string
}{
	{ // error, error_message, compilation.error: any text that is not a "no error" placeholder
		column: failureColumn("error", "errors", "exception", "error_message", "error_msg"),
		failed: func(c string) bool { return !noError[strings.TrimSpace(c)] },
		reason: func(_, cell string) string { return cell },
	},
	{ // status, state, outcome, result: a word that means failure
		column: failureColumn("status", "state", "outcome", "result"),
		failed: failureWord.MatchString,
		reason: func(_, cell string) string { return cell },
	},
	{ // error_code, exit_code: anything but zero, after the error text that says more
		column: failureColumn("error_code", "exit_code", "return_code", "returncode"),
		failed: func(c string) bool { return !noError[strings.TrimSpace(c)] },
		reason: func(column, cell string) string { return column + "=" + cell },
	},
	{ // success, ok, passed, compilation.success: a false flag
		column: failureColumn("success", "succeeded", "ok", "passed"),
		failed: func(c string) bool { return falseFlag[strings.TrimSpace(c)] },
		reason: func(column, cell string) string { return column + "=" + cell },
	},
}

// failureColumn matches a column (its last key, normalised) named by one of the words, alone or after words
// that name the run itself: status, run_status, compile_error. A status of something else, such as a
// recommendation's in a report an LLM wrote, says nothing about whether a benchmark failed.
func failureColumn(words ...string) func(name string) bool {
	return func(name string) bool {
		parts := strings.Split(name, "_")
		for i := range parts {
			if slices.Contains(words, strings.Join(parts[i:], "_")) &&
				!slices.ContainsFunc(parts[:i], func(w string) bool { return !runQualifiers[w] }) {
				return true
			}
		}
		return false
	}
}

// runQualifiers are the words that may stand before a failure column's name and still mean the run's own.
var runQualifiers = setOf("run", "request", "call", "benchmark", "bench", "test", "job", "exit", "overall", "compile",
	"compilation", "build")

// failureWord is a status word that means failure: failed, error, timeout, aborted, crashed.
var failureWord = wordStems("fail", "error", "timeout", "timed out", "abort", "crash")

var noError = map[string]bool{"": true, "none": true, "null": true, "nan": true, "n/a": true, "-": true, "false": true, "0": true, "ok": true}

var falseFlag = map[string]bool{"false": true, "no": true, "n": true, "f": true, "0": true, "failed": true}

func hasAnySuffix(s string, suffixes ...string) bool {
	for _, suffix := range suffixes {
		if strings.HasSuffix(s, suffix) {
			return true
		}
	}
	return false
}
