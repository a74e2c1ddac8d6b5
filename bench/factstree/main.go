// Command factstree writes the tree of benchmark artifacts that bench/facts.sh times `chimera facts` on
// (docs/benchmarks/facts.md): a sweep of an Ollama-style serving benchmark over num_gpu × num_ctx × temperature
// for four models on a 10 GiB GPU, as a sweep script leaves it. It is deterministic: every run writes the same
// bytes.
//
//	factstree [-manifest FILE] DIR
//
// DIR/<model>/gpuN_ctxN_tempNpN/ is one cell of the sweep: run_K/ for each of its runs, with metrics.csv (a row per
// prompt), requests.jsonl (a record per request), ollama-verbose.log (`ollama run --verbose`'s timing blocks),
// llama-bench.log (llama-bench's console table) and run.json; then summary.json and summary.md over the runs.
// Some requests fail (timeouts, dropped connections); a cell whose model, context and offload do not fit the GPU
// ran out of memory, and its runs hold only llama-bench.log and run.json. Each model has sweep_summary.csv (a row
// per run) and llama_bench.csv (llama-bench -o csv, a row per test); README.md sums the sweep up. The tree has
// exactly treeFiles files: every cell has one run, and replicate runs (two more in some cells, a retry in some
// out-of-memory cells) make up the rest. With -manifest, what was written (files, bytes, cells, runs, records,
// failures) goes to FILE as JSON.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
)

// treeFiles is the size of the tree: the "3,800-file tree".
const treeFiles = 3800

func main() {
	manifest := flag.String("manifest", "", "write what the tree holds to this JSON `file`")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: factstree [-manifest FILE] DIR")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(flag.Arg(0), *manifest); err != nil {
		fmt.Fprintln(os.Stderr, "factstree:", err)
		os.Exit(1)
	}
}

func run(dir, manifest string) error {
	m, err := writeTree(dir, treeFiles)
	if err != nil {
		return err
	}
	if manifest == "" {
		return nil
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(manifest, append(b, '\n'), 0o644)
}
