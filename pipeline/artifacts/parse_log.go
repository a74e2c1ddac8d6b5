package artifacts

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Saved console output states its measurements in "key: value" and "key = value" lines: Ollama's --verbose
// timings ("eval rate:  66.97 tokens/s"), llama.cpp's performance lines ("eval time = 1234.56 ms / 127 runs
// (9.72 ms per token, 102.88 tokens per second)"), a benchmark script's own ("Total memory size : 62.70 GB").
// A tool prints one block of them per run, so a key seen again starts a new record. A "name = value" line
// whose value is not a measurement ("model_name = mistral:7b") labels the records after it: it is a column of
// theirs, so that runs can be grouped by it.

// appendLogRecords adds the records of the lines' measurements to tables, as one table named after the ones
// before it, and the objects printed on a line as another (see inlineObjectsTable); tables stay as they are
// when the lines hold neither. Lines in code fences are code, whose assignments are no measurements. Reading
// stops when the budget is spent.
func appendLogRecords(tables []*table, lines []string, fenced []bool, budget *outputBudget) []*table {
	r := logReader{seen: map[string]bool{}, labels: map[string]string{}, budget: budget}
	for i, line := range lines {
		if budget.exhausted() {
			return tables
		}
		if !fenced[i] {
			r.readLine(strings.TrimSpace(line))
		}
	}
	r.closeRecord()
	if len(r.records) > 0 {
		tables = append(tables, r.table(fmt.Sprintf("table%d", len(tables)+1)))
	}
	if t := inlineObjectsTable(fmt.Sprintf("table%d", len(tables)+1), lines, fenced, budget); t != nil {
		tables = append(tables, t)
	}
	return tables
}

// logValue is a measurement as a log writes it, or a label.
type logValue struct {
	text  string  // the number as written, without its unit; a label's text
	value float64 // NaN for a label that is not a number
	unit  string
}

type logReader struct {
	keys    []string // every key, in the order it first appears
	seen    map[string]bool
	labels  map[string]string   // the labels in force
	open    map[string]logValue // the record being read, nil between records
	records []map[string]logValue
	budget  *outputBudget
}

func (r *logReader) readLine(line string) {
	if strings.Contains(line, "|") {
		return // a table's row, or several fields on one line ("uma: 1 | fp16: 1")
	}
	if key, value, ok := cutLogLine(line, "="); ok {
		if !r.readMeasurements(key, value) && !strings.Contains(value, "=") {
			r.setLabel(key, value) // several settings on a line, "num_gpu=80, num_ctx=512", are no label
		}
		return
	}
	if key, value, ok := cutLogLine(strings.ReplaceAll(line, ":\t", ": "), ": "); ok {
		r.readMeasurements(key, value)
	}
}

// cutLogLine splits a line at sep into a key and its value. The key is what follows the last colon before
// sep: llama.cpp starts its lines with the name of the function that prints them. A colon is a separator only
// with a space after it, for "mistral:7b" is a model's name.
func cutLogLine(line, sep string) (key, value string, ok bool) {
	before, value, found := strings.Cut(line, sep)
	if !found {
		return "", "", false
	}
	key = strings.Join(strings.Fields(before[strings.LastIndexByte(before, ':')+1:]), " ")
	return key, strings.TrimSpace(value), isLogKey(key)
}

// isLogKey reports whether key is a name: a letter, then letters, digits, spaces and a little punctuation, not
// too long to be one (48 characters).
func isLogKey(key string) bool {
	first, size := utf8.DecodeRuneInString(key)
	return unicode.IsLetter(first) && utf8.RuneCountInString(key) <= 48 &&
		!strings.ContainsFunc(key[size:], func(r rune) bool {
			return !unicode.IsLetter(r) && !unicode.IsNumber(r) && !strings.ContainsRune(" _.()/%-", r)
		})
}

// llamaPerfValue is the value of one of llama.cpp's performance lines after its time: the runs or tokens it
// took, then the time per token and the rate, both of which "total time" leaves out.
var llamaPerfValue = regexp.MustCompile(
	`^(\S+) ms\s*/\s*(\S+) (runs|tokens)\s*(?:\(\s*(\S+) ms per token,\s*(\S+) tokens per second\s*\))?$`)

// llamaPerfSubmatch matches value as a performance line's. Few lines of a log are one: the regexp runs only
// on values that hold its " ms".
func llamaPerfSubmatch(value string) []string {
	if !strings.Contains(value, " ms") {
		return nil
	}
	return llamaPerfValue.FindStringSubmatch(value)
}

// readMeasurements reads the value of key as one measurement or, from a llama.cpp performance line, as the
// phase's time, count, time per token and rate, named as Ollama names them ("eval count", "eval rate"). It
// reports whether the value is a measurement.
func (r *logReader) readMeasurements(key, value string) bool {
	if m := llamaPerfSubmatch(value); m != nil {
		phase := strings.TrimSuffix(key, " time")
		r.measure(key, logNumber(m[1], "ms"))
		r.measure(phase+" count", logNumber(m[2], m[3]))
		if m[4] != "" {
			r.measure(phase+" time per token", logNumber(m[4], "ms"))
			r.measure(phase+" rate", logNumber(m[5], "tokens/s"))
		}
		return true
	}
	v, ok := readLogValue(value)
	if ok && !r.restatesMean(key) {
		r.measure(key, v)
	}
	return ok
}

// logNumber is a measurement of a number as written, NaN when it is none.
func logNumber(text, unit string) logValue {
	v, ok := ParseNumber(text)
	if !ok {
		v = math.NaN()
	}
	return logValue{text: text, value: v, unit: unit}
}

// readLogValue reads a measurement: a number and at most one word of unit ("66.97 tokens/s", "26 token(s)",
// "62.70 GB"), or a duration as Go prints it, which Ollama does ("1m2.5s"), in seconds.
func readLogValue(text string) (logValue, bool) {
	digits, unit := splitUnit(text)
	unit = strings.TrimSpace(unit)
	if v, ok := ParseNumber(digits); ok && isLogUnit(unit) {
		return logValue{text: digits, value: v, unit: unit}, true
	}
	if d, err := time.ParseDuration(text); err == nil {
		return logValue{text: strconv.FormatFloat(d.Seconds(), 'f', -1, 64), value: d.Seconds(), unit: "s"}, true
	}
	return logValue{}, false
}

// isLogUnit reports whether unit is one a log writes after a number: none, or one word of at most 16 letters,
// "/", "%", "°" and "×", "token(s)" included.
func isLogUnit(unit string) bool {
	word := strings.TrimSuffix(unit, "(s)")
	length := utf8.RuneCountInString(word)
	return unit == "" || length >= 1 && length <= 16 && !strings.ContainsFunc(word, func(r rune) bool {
		return !unicode.IsLetter(r) && !strings.ContainsRune("%/°×", r)
	})
}

// restatesMean reports whether key names the mean of a measurement already read, as "Average of eval rate"
// does: a script prints it after its runs, and no run measured it.
func (r *logReader) restatesMean(key string) bool {
	if first, _, _ := strings.Cut(key, " "); !meanWords[strings.ToLower(first)] {
		return false // most keys, told without splitting them into words
	}
	words := strings.Fields(key)
	if len(words) < 2 || !meanWords[strings.ToLower(words[0])] {
		return false
	}
	measured := words[1:]
	if measured[0] == "of" {
		measured = measured[1:]
	}
	return r.seen[strings.Join(measured, " ")]
}

var meanWords = setOf("average", "avg", "mean")

// measure adds a measurement to the open record; a key it already holds starts a new one.
func (r *logReader) measure(key string, v logValue) {
	if _, again := r.open[key]; again {
		r.closeRecord()
	}
	if r.open == nil {
		r.open = map[string]logValue{}
	}
	r.see(key)
	r.open[key] = v
}

// setLabel puts a label in force for the records after it; a new value for a label ends the open record.
func (r *logReader) setLabel(key, value string) {
	if old, ok := r.labels[key]; ok && old != value {
		r.closeRecord()
	}
	r.see(key)
	r.labels[key] = value
}

// closeRecord ends the open record, which takes the labels in force. Every record holds a copy of them, so
// they are charged to the budget with its measurements.
func (r *logReader) closeRecord() {
	if r.open == nil || !r.budget.spendRow(len(r.open)+len(r.labels)) {
		return
	}
	for key, label := range r.labels {
		r.open[key] = logNumber(label, "")
	}
	r.records = append(r.records, r.open)
	r.open = nil
}

func (r *logReader) see(key string) {
	if !r.seen[key] {
		r.seen[key] = true
		r.keys = append(r.keys, key)
	}
}

// table lines the records up under the keys they hold, in the order the keys first appear; a label put in
// force after the last record is none of them. A column's unit is that of its first record that holds it.
// Units and cells are copies: as slices of their lines they would keep the whole log in memory, where the
// table is a tenth of it.
func (r *logReader) table(name string) *table {
	units := map[string]string{}
	for _, rec := range r.records {
		for key, v := range rec {
			if _, found := units[key]; !found {
				units[key] = v.unit
			}
		}
	}
	t := &table{name: name}
	for _, key := range r.keys {
		if unit, held := units[key]; held {
			t.columns, t.units = append(t.columns, key), append(t.units, strings.Clone(unit))
		}
	}
	t.records = make([]record, 0, len(r.records))
	for _, rec := range r.records {
		if !r.budget.spendRow(len(t.columns)) {
			break
		}
		t.addRecord(rowOf(rec, t))
	}
	return t
}

// rowOf is a record's cells and values under the table's columns, in their units.
func rowOf(rec map[string]logValue, t *table) ([]string, []float64) {
	cells, values := make([]string, len(t.columns)), make([]float64, len(t.columns))
	for i, key := range t.columns {
		v, ok := rec[key]
		if !ok {
			values[i] = math.NaN()
			continue
		}
		v = inUnit(v, t.units[i])
		cells[i], values[i] = strings.Clone(v.text), v.value
	}
	return cells, values
}

// powersOfSecond are the time units a log's values are converted between, as powers of ten of a second.
var powersOfSecond = map[string]int{"ns": -9, "us": -6, "µs": -6, "ms": -3, "s": 0}

// inUnit expresses v in unit. A time is converted ("850 ms" in a column of seconds is 0.85); a value in another
// unit is not a number of the column, and its cell keeps the unit it was written in.
func inUnit(v logValue, unit string) logValue {
	if v.unit == unit {
		return v
	}
	from, fromTime := powersOfSecond[v.unit]
	to, toTime := powersOfSecond[unit]
	if !fromTime || !toTime {
		return logValue{text: v.text + " " + v.unit, value: math.NaN(), unit: unit}
	}
	x := v.value
	// Powers of ten up to 10^22 are exact: dividing by one rounds once, where multiplying by 10^-3 rounds twice.
	if shift := from - to; shift >= 0 {
		x *= math.Pow10(shift)
	} else {
		x /= math.Pow10(-shift)
	}
	return logValue{text: strconv.FormatFloat(x, 'f', -1, 64), value: x, unit: unit}
}
