package main

import (
	"fmt"
	"slices"
	"strings"

	"chimera/bench/benchdoc"

	"chimera/pipeline/render"
)

// markdown is the generated block of docs/benchmarks/cpu.md.
func (res *results) markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Measured %s by `make bench` (`bench/run.sh`).\n\n", res.meta["date"])
	benchdoc.WriteTable(&b, res.machineTable())
	res.writeThroughput(&b)
	res.writeCosts(&b)
	res.writeWorkflow(&b)
	return b.String()
}

func (res *results) machineTable() *render.Table {
	m := res.meta
	t := render.NewTable("machine", "")
	for _, kv := range [][2]string{
		{"CPU", m["cpu_model"]}, {"cores", m["cores"]}, {"memory", m["memory"]}, {"kernel", m["kernel"]},
		{"OS", m["os"]}, {"chimera", m["chimera_commit"] + ", " + m["chimera_build"]},
		{"chimera's CPU backend", m["chimera_system_info"]},
		{"upstream", m["upstream_version"]}, {"model", res.model},
		{"settings (both)", m["settings"]},
		{"load average (1, 5, 15 min)", "before the first run " + m["load_start"] + "; after the last " + m["load_end"] +
			" (the benchmarks' own threads count: 2.0 on 2 cores is this benchmark alone)"},
	} {
		if kv[1] != "" {
			t.Add(kv[0], strings.TrimSpace(kv[1]))
		}
	}
	return t
}

func (res *results) writeThroughput(b *strings.Builder) {
	fmt.Fprintf(b, "### Throughput (tok/s)\n\n%s rounds; in each, every program runs once with a warm-up and %s "+
		"repetitions of each test (llama-bench's own method), the programs in rotating order. A cell is the median of "+
		"the per-round means, with their range. A ratio is computed per round, from runs seconds apart under the same "+
		"conditions, then summarised the same way.", res.meta["rounds"], res.meta["reps"])
	if others, steal := res.neighbourUsage(); len(others) > 0 {
		fmt.Fprintf(b, " While the programs ran, other processes used %s cores (median and range over the runs: "+
			"/proc/stat's busy time minus the run's own CPU time, per second of the run) and the hypervisor stole %s.",
			benchdoc.MedianRange(others, 2), benchdoc.MedianRange(steal, 2))
	}
	b.WriteString("\n\n")
	benchdoc.WriteTable(b, res.throughputTable())
	for _, set := range res.more {
		fmt.Fprintf(b, "The same rounds on %s:\n\n", set.model)
		benchdoc.WriteTable(b, set.throughputTable())
	}
}

// throughputTable has a column per runner, then one per upstream runner with chimera's speed relative to it.
func (res *roundSet) throughputTable() *render.Table {
	peers := slices.DeleteFunc(slices.Clone(res.runners), func(r string) bool { return r == "chimera" })
	header := []string{"test"}
	for _, r := range res.runners {
		header = append(header, res.runnerTitle(r))
	}
	for _, p := range peers {
		header = append(header, "chimera ÷ "+strings.TrimPrefix(p, "upstream-"))
	}
	t := benchdoc.AlignNumbers(render.NewTable(header...))
	for _, test := range res.tests {
		row := []string{test}
		for _, r := range res.runners {
			row = append(row, benchdoc.MedianRange(res.roundTPS(r, test), 1))
		}
		for _, p := range peers {
			row = append(row, benchdoc.MedianRange(res.ratios(test, p), 2))
		}
		t.Add(row...)
	}
	return t
}

func (res *roundSet) runnerTitle(runner string) string {
	switch runner {
	case "upstream-v3":
		return "upstream, haswell (AVX2) build"
	case "upstream-best":
		v := "?"
		for _, inv := range res.invs {
			if inv.runner == runner && inv.variant != "" {
				v = inv.variant
			}
		}
		return "upstream, ggml's pick (" + v + ")"
	}
	return runner
}
