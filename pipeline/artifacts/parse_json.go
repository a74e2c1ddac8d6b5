package artifacts

import (
	"encoding/json"
	"fmt"
	"iter"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"chimera/pipeline/stats"
)

// maxJSONDepth is the deepest nesting of objects and arrays parseJSON reads. Benchmark artifacts nest a few
// levels (the shared dataset six); a document nested deeper is not a table, and flattening one costs time and
// memory quadratic in its depth (a 960 KB file nested 9,998 deep took 4.5 GB). The output budget would stop
// it too, but this reason says what is wrong with the file.
const maxJSONDepth = 64

var errNestedTooDeep = fmt.Errorf("JSON nested deeper than %d levels", maxJSONDepth)

// parseJSON reads one JSON document. Its numeric leaves become Fields keyed by path, with "[]" standing for
// any array index so that a column's values across an array are summarised together ("results[].tokens_s").
// Arrays of objects become tables, and so do keyed collections, objects whose members are objects of a common
// shape such as {"eager": {…}, "jit": {…}}. Records that failed stay out of Fields.
func parseJSON(text string) (FileFacts, error) {
	root, err := unmarshalShallow(text)
	if err != nil {
		return FileFacts{}, err
	}
	c := newJSONCollector(newOutputBudget(text))
	c.visit(root, "")
	return c.facts()
}

// parseJSONL reads one JSON value per line; objects are the rows of a single table, like a CSV file's.
func parseJSONL(text string) (FileFacts, error) {
	var values []any
	for i, line := range strings.Split(text, "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		v, err := unmarshalShallow(line)
		if err != nil {
			return FileFacts{}, fmt.Errorf("line %d: %w", i+1, err)
		}
		values = append(values, v)
	}
	c := newJSONCollector(newOutputBudget(text))
	c.visitArray(values, "", "")
	f, err := c.facts()
	if err == nil && len(f.tables) == 1 {
		f.Columns = f.tables[0].columns
	}
	return f, err
}

// unmarshalShallow decodes a JSON value nested at most maxJSONDepth levels deep.
func unmarshalShallow(text string) (any, error) {
	var v any
	if err := json.Unmarshal([]byte(text), &v); err != nil {
		return nil, err
	}
	if nestedDeeper(v, maxJSONDepth) {
		return nil, errNestedTooDeep
	}
	return v, nil
}

// nestedDeeper reports whether v nests objects and arrays more than levels deep.
func nestedDeeper(v any, levels int) bool {
	var children iter.Seq[any]
	switch v := v.(type) {
	case []any:
		children = slices.Values(v)
	case map[string]any:
		children = maps.Values(v)
	default:
		return false
	}
	if levels == 0 {
		return true
	}
	for child := range children {
		if nestedDeeper(child, levels-1) {
			return true
		}
	}
	return false
}

// leaf is a scalar inside a record, named by its path relative to the record.
type leaf struct {
	name  string
	cell  string
	value float64 // NaN unless the leaf is a number
}

type jsonCollector struct {
	values  map[string][]float64 // numeric leaves by generic path
	records map[string][][]leaf  // table records by table name
	tables  []string             // table names in the order they were met
	budget  *outputBudget        // charged for every value; once it is spent the collector stops

	// The leaf names of the last record added (at first none) and their failure columns, and the keys of the
	// last object in order: the records of one array mostly share them.
	shape         []string
	shapeFailures failureColumns
	keys          []string
}

func newJSONCollector(budget *outputBudget) *jsonCollector {
	return &jsonCollector{values: map[string][]float64{}, records: map[string][][]leaf{}, budget: budget,
		shapeFailures: findFailureColumns(nil)}
}

func (c *jsonCollector) visit(v any, path string) {
	switch v := v.(type) {
	case float64:
		if isMeasurement(v) {
			c.values[path] = append(c.values[path], v)
		}
	case []any:
		c.visitArray(v, path+"[]", path+"[]")
	case map[string]any:
		c.visitObject(v, path)
	}
}

// visitArray visits the elements of an array; when all are objects they are also the records of table
// tableName.
func (c *jsonCollector) visitArray(elems []any, tableName, elemPath string) {
	isTable := len(elems) > 0 && allObjects(elems)
	for _, e := range elems {
		if !c.charge(elemPath) {
			return
		}
		if isTable && c.addRecord(tableName, c.flattenRecord(e.(map[string]any))) {
			continue
		}
		c.visit(e, elemPath)
	}
}

// visitObject visits an object's members in key order; a keyed collection's members are also records, with
// their key in a column named after the collection.
func (c *jsonCollector) visitObject(obj map[string]any, path string) {
	keys := c.sortedKeys(obj)
	members := c.keyedRecords(obj, keys)
	for i, k := range keys {
		memberPath := joinPath(path, k)
		if !c.charge(memberPath) {
			return
		}
		if members != nil {
			keyLeaf := leaf{name: collectionName(path), cell: k, value: math.NaN()}
			if c.addRecord(joinPath(path, "*"), append([]leaf{keyLeaf}, members[i]...)) {
				continue
			}
		}
		c.visit(obj[k], memberPath)
	}
}

// sortedKeys is an object's keys in order, shared with the next object of the same keys: callers only read it.
func (c *jsonCollector) sortedKeys(obj map[string]any) []string {
	sameKeys := len(obj) == len(c.keys) && !slices.ContainsFunc(c.keys, func(k string) bool {
		_, ok := obj[k]
		return !ok
	})
	if !sameKeys {
		c.keys = slices.Sorted(maps.Keys(obj))
	}
	return c.keys
}

// charge takes the cost of one value from the budget: a leaf, and the path it is named or filed under, which
// repeats its parents' and is built or hashed once per value. It reports whether the budget still holds out.
func (c *jsonCollector) charge(path string) bool { return c.budget.spend(len(path) + leafBytes) }

// addRecord files a record under its table and reports whether it failed.
func (c *jsonCollector) addRecord(tableName string, rec []leaf) (failed bool) {
	if _, ok := c.records[tableName]; !ok {
		c.tables = append(c.tables, tableName)
	}
	c.records[tableName] = append(c.records[tableName], rec)
	names, cells := make([]string, len(rec)), make([]string, len(rec))
	for i, l := range rec {
		names[i], cells[i] = l.name, l.cell
	}
	if !slices.Equal(names, c.shape) {
		c.shape, c.shapeFailures = names, findFailureColumns(names)
	}
	return c.shapeFailures.failureOf(names, cells) != ""
}

// facts summarises what the collector found, or fails with errTooLarge when the budget ran out.
func (c *jsonCollector) facts() (FileFacts, error) {
	tables := make([]*table, len(c.tables))
	for i, name := range c.tables {
		tables[i] = recordsTable(name, c.records[name], c.budget)
	}
	if c.budget.exhausted() {
		return FileFacts{}, errTooLarge
	}
	f := FileFacts{Fields: make(map[string]stats.Summary, len(c.values)), tables: tables}
	for path, xs := range c.values {
		f.Fields[path] = stats.Summarize(xs)
	}
	f.Rows, f.Failures = countRecords(f.tables)
	return f, nil
}

// recordsTable lines records up under the union of their leaf names, in the order the names first appear,
// for as long as the budget pays for the padded rows.
func recordsTable(name string, records [][]leaf, budget *outputBudget) *table {
	t := &table{name: name}
	index := map[string]int{}
	for _, rec := range records {
		for _, l := range rec {
			if _, ok := index[l.name]; !ok {
				index[l.name] = len(t.columns)
				t.columns = append(t.columns, l.name)
			}
		}
	}
	t.records = make([]record, 0, len(records))
	for _, rec := range records {
		if !budget.spendRow(len(t.columns)) {
			break
		}
		cells, values := make([]string, len(t.columns)), nanRow(len(t.columns))
		for _, l := range rec {
			cells[index[l.name]], values[index[l.name]] = l.cell, l.value
		}
		t.addRecord(cells, values)
	}
	return t
}

// keyedRecords flattens the members of a keyed collection: at least two members, all of them objects sharing
// at least one leaf name. For any other object it returns nil.
func (c *jsonCollector) keyedRecords(obj map[string]any, keys []string) [][]leaf {
	if len(keys) < 2 {
		return nil
	}
	records := make([][]leaf, len(keys))
	shared := map[string]int{}
	for i, k := range keys {
		member, ok := obj[k].(map[string]any)
		if !ok {
			return nil
		}
		records[i] = c.flattenRecord(member)
		for _, l := range records[i] {
			shared[l.name]++
		}
	}
	for _, count := range shared {
		if count == len(keys) {
			return records
		}
	}
	return nil
}

// flattenRecord lists an object's scalar leaves in key order, nested objects joined with dots. Arrays are
// left out, they are tables or fields of their own, but for the repetitions behind another leaf
// (llama-bench's samples_ts beside avg_ts), which are one cell.
func (c *jsonCollector) flattenRecord(obj map[string]any) []leaf {
	leaves := make([]leaf, 0, len(obj)) // as many as the members, unless some nest
	var walk func(v any, name string)
	walk = func(v any, name string) {
		switch v := v.(type) {
		case map[string]any:
			for _, k := range c.sortedKeys(v) {
				member := joinPath(name, k)
				if !c.charge(member) {
					return
				}
				walk(v[k], member)
			}
		case []any:
			if cell, ok := samplesCell(name, v); ok {
				leaves = append(leaves, leaf{name: name, cell: cell, value: math.NaN()})
			}
		case float64:
			value := math.NaN()
			if isMeasurement(v) {
				value = v
			}
			leaves = append(leaves, leaf{name: name, cell: strconv.FormatFloat(v, 'g', -1, 64), value: value})
		default:
			leaves = append(leaves, leaf{name: name, cell: scalarText(v), value: math.NaN()})
		}
	}
	walk(obj, "")
	return leaves
}

// samplesCell writes an array of numbers named as samples (see samplesMarks) as a cell of repetitions,
// "[8, 7.97, 7.95]", which parseCell reads back; ok is false for any other array.
func samplesCell(name string, elems []any) (string, bool) {
	if len(elems) < 2 || spreadStem(normalizeColumn(name), samplesMarks) == "" {
		return "", false
	}
	numbers := make([]string, len(elems))
	for i, e := range elems {
		x, ok := e.(float64)
		if !ok {
			return "", false
		}
		numbers[i] = strconv.FormatFloat(x, 'g', -1, 64)
	}
	return "[" + strings.Join(numbers, ", ") + "]", true
}

// scalarText prints a JSON string, boolean or null as a table cell.
func scalarText(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case bool:
		return strconv.FormatBool(v)
	default:
		return ""
	}
}

func allObjects(elems []any) bool {
	for _, e := range elems {
		if _, ok := e.(map[string]any); !ok {
			return false
		}
	}
	return true
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// collectionName names the key column of a keyed collection after the collection: "backends" for
// "backends.*", "key" when the collection has no name of its own (the top level, an array element).
func collectionName(path string) string {
	name := strings.TrimSuffix(path, "[]")
	if name = name[strings.LastIndex(name, ".")+1:]; name == "" {
		return "key"
	}
	return name
}

// nanRow is a row of n missing values.
func nanRow(n int) []float64 {
	row := make([]float64, n)
	for i := range row {
		row[i] = math.NaN()
	}
	return row
}
