package main

import (
	"math"
	"os"
	"strconv"
	"strings"

	"chimera/bench/benchdoc"
)

// timeOf is what /usr/bin/time -v reported at path, zero where the report is missing or cut short: the tables
// then leave the figure out.
func timeOf(path string) benchdoc.TimeV {
	t, _ := benchdoc.ReadTimeV(path)
	return t
}

// usage is how busy the machine was during one run, apart from the run itself, in cores (0 to the core count).
type usage struct {
	others float64 // CPU time of every other process (and the kernel) divided by the run's wall time
	steal  float64 // time the hypervisor gave this VM's CPUs to someone else, likewise
}

// userHZ is the unit of /proc/stat: USER_HZ, 100 on every Linux x86 ABI.
const userHZ = 100

// readUsage compares /proc/stat's cpu line before and after a run (BASE.stat) with the run's own CPU time
// (BASE.time, from /usr/bin/time -v).
func readUsage(base string) (usage, bool) {
	b, err := os.ReadFile(base + ".stat")
	t := timeOf(base + ".time")
	if err != nil || t.WallS <= 0 {
		return usage{}, false
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 2 {
		return usage{}, false
	}
	before, after := statFields(lines[0]), statFields(lines[1])
	if len(before) < 8 || len(after) < 8 {
		return usage{}, false
	}
	// user nice system idle iowait irq softirq steal (guest time is already inside user).
	busy := func(f []float64) float64 { return f[0] + f[1] + f[2] + f[5] + f[6] }
	others := (busy(after)-busy(before))/userHZ - t.CPUS
	return usage{others: math.Max(0, others) / t.WallS, steal: (after[7] - before[7]) / userHZ / t.WallS}, true
}

func statFields(line string) []float64 {
	fields := strings.Fields(line)
	if len(fields) == 0 || fields[0] != "cpu" {
		return nil
	}
	var out []float64
	for _, f := range fields[1:] {
		v, _ := strconv.ParseFloat(f, 64)
		out = append(out, v)
	}
	return out
}
