package artifacts

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"chimera/pipeline/stats"
)

// parseJSON reads one JSON document. Its numeric leaves become Fields keyed by path, with "[]" standing for
// any array index so that a column's values across an array are summarised together ("results[].tokens_s").
// Arrays of objects become tables, and so do keyed collections, objects whose members are objects of a common
// shape such as {"eager": {…}, "jit": {…}}. Records that failed stay out of Fields.
func parseJSON(text string) (FileFacts, error) {
	var root any
	if err := json.Unmarshal([]byte(text), &root); err != nil {
		return FileFacts{}, err
	}
	c := newJSONCollector()
	c.visit(root, "")
	return c.facts(), nil
}

// parseJSONL reads one JSON value per line; objects are the rows of a single table, like a CSV file's.
func parseJSONL(text string) (FileFacts, error) {
	var values []any
	for i, line := range strings.Split(text, "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		var v any
		if err := json.Unmarshal([]byte(line), &v); err != nil {
			return FileFacts{}, fmt.Errorf("line %d: %w", i+1, err)
		}
		values = append(values, v)
	}
	c := newJSONCollector()
	c.visitArray(values, "", "")
	f := c.facts()
	if len(f.tables) == 1 {
		f.Columns = f.tables[0].columns
	}
	return f, nil
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
}

func newJSONCollector() *jsonCollector {
	return &jsonCollector{values: map[string][]float64{}, records: map[string][][]leaf{}}
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
		if isTable && c.addRecord(tableName, flattenRecord(e.(map[string]any))) {
			continue
		}
		c.visit(e, elemPath)
	}
}

// visitObject visits an object's members in key order; a keyed collection's members are also records, with
// their key in a column named after the collection.
func (c *jsonCollector) visitObject(obj map[string]any, path string) {
	keys := slices.Sorted(maps.Keys(obj))
	members := keyedRecords(obj, keys)
	for i, k := range keys {
		if members != nil {
			keyLeaf := leaf{name: collectionName(path), cell: k, value: math.NaN()}
			if c.addRecord(joinPath(path, "*"), append([]leaf{keyLeaf}, members[i]...)) {
				continue
			}
		}
		c.visit(obj[k], joinPath(path, k))
	}
}

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
	return failureOf(names, cells) != ""
}

func (c *jsonCollector) facts() FileFacts {
	f := FileFacts{Fields: make(map[string]stats.Summary, len(c.values))}
	for path, xs := range c.values {
		f.Fields[path] = stats.Summarize(xs)
	}
	for _, name := range c.tables {
		f.tables = append(f.tables, recordsTable(name, c.records[name]))
	}
	f.Rows, f.Failures = countRecords(f.tables)
	return f
}

// recordsTable lines records up under the union of their leaf names, in the order the names first appear.
func recordsTable(name string, records [][]leaf) *table {
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
	for _, rec := range records {
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
func keyedRecords(obj map[string]any, keys []string) [][]leaf {
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
		records[i] = flattenRecord(member)
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
// left out: they are tables or fields of their own.
func flattenRecord(obj map[string]any) []leaf {
	var leaves []leaf
	var walk func(v any, name string)
	walk = func(v any, name string) {
		switch v := v.(type) {
		case map[string]any:
			for _, k := range slices.Sorted(maps.Keys(v)) {
				walk(v[k], joinPath(name, k))
			}
		case []any:
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
