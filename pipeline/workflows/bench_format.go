package workflows

import (
	"cmp"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"chimera/pipeline/engine"
	"chimera/pipeline/record"
	"chimera/pipeline/render"
)

// BenchFormats are the output formats of `chimera bench`, as llama-bench's -o.
var BenchFormats = []string{"table", "md", "csv", "json", "jsonl", "sql"}

// WriteBench writes rows in one of BenchFormats.
func WriteBench(w io.Writer, rows []BenchRow, format string) error {
	switch format {
	case "table":
		return writeBenchTable(w, rows)
	case "md":
		return writeBenchMarkdown(w, rows)
	case "csv":
		return writeBenchCSV(w, rows)
	case "json":
		return render.WriteJSON(w, rows)
	case "jsonl":
		enc := json.NewEncoder(w)
		for _, r := range rows {
			if err := enc.Encode(r); err != nil {
				return err
			}
		}
		return nil
	case "sql":
		return writeBenchSQL(w, rows)
	}
	return engine.Invalid(fmt.Errorf("format must be one of %s, got %q", strings.Join(BenchFormats, ", "), format))
}

func writeBenchTable(w io.Writer, rows []BenchRow) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	placed := anyPlaced(rows)
	header := "model\tsize MiB\tngl\tngl used\tthreads\tn_ctx\tbatch\tubatch\tfa\tcache\t"
	if placed {
		header += "placement\t"
	}
	fmt.Fprintln(tw, header+"test\tt/s\tp50 ms\tp95 ms\tnote\t")
	for _, r := range rows {
		p50, p95 := "-", "-"
		if r.TokenLatency != nil {
			p50, p95 = fmt.Sprintf("%.2f", r.TokenLatency.Median), fmt.Sprintf("%.2f", r.TokenLatency.P95)
		}
		var notes []string
		if r.DuplicateOf != "" {
			notes = append(notes, "same as "+r.DuplicateOf)
		}
		if offloadsBatchWork(r.GPULayersActual, r.GPUInfo != "", r.NoOpOffload) {
			notes = append(notes, "op offload on")
		}
		note := strings.Join(notes, "; ")
		fmt.Fprintf(tw, "%s\t%.0f\t%s\t%d\t%s\t%d\t%d\t%d\t%s\t%s\t", filepath.Base(r.ModelFilename),
			float64(r.ModelSize)/(1<<20), engine.NumGPULabel(r.NGPULayers), r.GPULayersActual, threadsCell(r), r.NCtx, r.NBatch,
			r.NUBatch, flashCell(r), cacheCell(r))
		if placed {
			fmt.Fprintf(tw, "%s\t", placementCell(r))
		}
		fmt.Fprintf(tw, "%s\t%.2f ± %.2f\t%s\t%s\t%s\t\n", r.Test(), r.AvgTS, r.StddevTS, p50, p95, note)
	}
	return tw.Flush()
}

// placementCell names where a row's work went, where it differs from chimera's defaults: the multi-GPU settings
// and op offload, "sm row, ts 3/1, op offload off"; "-" for none.
func placementCell(r BenchRow) string {
	parts := []string{engine.PlacementLabel(r.SplitMode, r.MainGPU, r.TensorSplit, r.Devices)}
	if r.NoOpOffload {
		parts = append(parts, "op offload off")
	}
	return cmp.Or(strings.Join(slices.DeleteFunc(parts, func(p string) bool { return p == "" }), ", "), "-")
}

// anyPlaced reports whether a row sets a multi-GPU setting: only then do the tables show them.
func anyPlaced(rows []BenchRow) bool {
	return slices.ContainsFunc(rows, func(r BenchRow) bool { return placementCell(r) != "-" })
}

// threadsCell shows the generation threads, and after a slash the prompt-processing threads where they differ.
func threadsCell(r BenchRow) string {
	if r.NThreadsBatch == 0 || r.NThreadsBatch == r.NThreads {
		return strconv.Itoa(r.NThreads)
	}
	return fmt.Sprintf("%d/%d", r.NThreads, r.NThreadsBatch)
}

// cacheCell shows the KV cache type, keys/values where they differ.
func cacheCell(r BenchRow) string {
	if r.TypeK == r.TypeV {
		return r.TypeK
	}
	return r.TypeK + "/" + r.TypeV
}

// flashCell shows the flash attention mode, and for auto what llama.cpp made of it: "auto (on)".
func flashCell(r BenchRow) string {
	if r.FlashAttn != "auto" {
		return r.FlashAttn
	}
	if r.FlashAttnUsed {
		return "auto (on)"
	}
	return "auto (off)"
}

func writeBenchMarkdown(w io.Writer, rows []BenchRow) error {
	columns := []string{"model", "size", "params", "backend", "ngl", "threads", "n_ctx", "n_batch", "n_ubatch", "fa", "type_k"}
	placed := anyPlaced(rows)
	if placed {
		columns = append(columns, "placement")
	}
	t := render.NewTable(append(columns, "test", "t/s")...).AlignRight(1, 2, 4, 5, 6, 7, 8, len(columns)+1)
	for _, r := range rows {
		cells := fmt.Sprintf("%s\t%.2f MiB\t%.2f M\t%s\t%s\t%s\t%d\t%d\t%d\t%s\t%s", r.ModelType,
			float64(r.ModelSize)/(1<<20), float64(r.ModelNParams)/1e6, r.Backends, engine.NumGPULabel(r.NGPULayers), threadsCell(r),
			r.NCtx, r.NBatch, r.NUBatch, flashCell(r), cacheCell(r))
		if placed {
			cells += "\t" + placementCell(r)
		}
		t.Addf("%s\t%s\t%.2f ± %.2f", cells, r.Test(), r.AvgTS, r.StddevTS)
	}
	return t.WriteMarkdown(w)
}

// benchColumns are BenchRow's JSON names and values in field order; lists and nested values become JSON text.
func benchColumns(r BenchRow) (names, values []string) {
	v := reflect.ValueOf(r)
	for i := range v.NumField() {
		name, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("json"), ",")
		names = append(names, name)
		values = append(values, columnValue(v.Field(i)))
	}
	return names, values
}

func columnValue(v reflect.Value) string {
	switch v.Kind() {
	case reflect.String:
		return v.String()
	case reflect.Float64:
		return strconv.FormatFloat(v.Float(), 'f', -1, 64)
	case reflect.Slice, reflect.Pointer:
		return record.JSON(v.Interface())
	default:
		return fmt.Sprint(v.Interface())
	}
}

func writeBenchCSV(w io.Writer, rows []BenchRow) error {
	cw := csv.NewWriter(w)
	names, _ := benchColumns(BenchRow{})
	cw.Write(names)
	for _, r := range rows {
		_, values := benchColumns(r)
		cw.Write(values)
	}
	cw.Flush()
	return cw.Error()
}

// writeBenchSQL writes statements for `sqlite3 db < file`, as llama-bench -o sql does.
func writeBenchSQL(w io.Writer, rows []BenchRow) error {
	names, _ := benchColumns(BenchRow{})
	columns := make([]string, len(names))
	for i, name := range names {
		columns[i] = name + " " + sqlType(reflect.TypeOf(BenchRow{}).Field(i).Type.Kind())
	}
	fmt.Fprintf(w, "CREATE TABLE IF NOT EXISTS llama_bench (\n  %s\n);\n", strings.Join(columns, ",\n  "))
	for _, r := range rows {
		_, values := benchColumns(r)
		quoted := make([]string, len(values))
		for i, value := range values {
			quoted[i] = "'" + strings.ReplaceAll(value, "'", "''") + "'"
		}
		fmt.Fprintf(w, "INSERT INTO llama_bench (%s) VALUES (%s);\n", strings.Join(names, ", "), strings.Join(quoted, ", "))
	}
	return nil
}

func sqlType(k reflect.Kind) string {
	switch k {
	case reflect.Int, reflect.Int64, reflect.Uint64:
		return "INTEGER"
	case reflect.Float64:
		return "REAL"
	}
	return "TEXT"
}
