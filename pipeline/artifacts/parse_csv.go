package artifacts

import (
	"encoding/csv"
	"errors"
	"strings"
)

// parseCSV reads a header row and the data rows under it. Quoting is lenient and ragged rows are cut or padded
// to the header's width, within the output budget. A units row directly under the header, as Nsight Compute
// exports have, becomes the table's units instead of data.
func parseCSV(text string) (FileFacts, error) {
	r := csv.NewReader(strings.NewReader(text))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	rows, err := r.ReadAll()
	if err != nil {
		return FileFacts{}, err
	}
	if len(rows) == 0 {
		return FileFacts{}, errors.New("no header row")
	}
	t := &table{columns: columnNames(rows[0])}
	body := rows[1:]
	if len(body) > 1 && isUnitsRow(body[0], body[1]) {
		t.units = trimCells(fitWidth(body[0], len(t.columns)))
		body = body[1:]
	}
	budget := newOutputBudget(text)
	t.records = make([]record, 0, len(body))
	for _, row := range body {
		if !budget.spendRow(len(t.columns)) {
			return FileFacts{}, errTooLarge
		}
		t.addRow(row)
	}
	return describeTables([]*table{t}), nil
}

// isUnitsRow reports whether row holds units rather than data: none of its cells is a number, yet the next
// row has numbers under the cells it fills in.
func isUnitsRow(row, next []string) bool {
	numbersBelow := false
	for i, cell := range row {
		cell = strings.TrimSpace(cell)
		if cell == "" {
			continue
		}
		if _, ok := ParseNumber(cell); ok {
			return false
		}
		if i < len(next) {
			_, ok := ParseNumber(next[i])
			numbersBelow = numbersBelow || ok
		}
	}
	return numbersBelow
}
