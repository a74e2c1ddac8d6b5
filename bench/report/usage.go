package main

import (
	"math"
	"os"
	"strconv"
	"strings"
)

// timeV is what /usr/bin/time -v reported.
type timeV struct {
	peakKiB int64
	wallS   float64
	cpuS    float64 // user + system
}

func readTimeV(path string) timeV {
	var t timeV
	b, err := os.ReadFile(path)
	if err != nil {
		return t
	}
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if v, ok := strings.CutPrefix(line, "Maximum resident set size (kbytes): "); ok {
			t.peakKiB, _ = strconv.ParseInt(v, 10, 64)
		}
		if _, v, ok := strings.Cut(line, "Elapsed (wall clock) time (h:mm:ss or m:ss): "); ok {
			t.wallS = clockSeconds(v)
		}
		for _, prefix := range []string{"User time (seconds): ", "System time (seconds): "} {
			if v, ok := strings.CutPrefix(line, prefix); ok {
				s, _ := strconv.ParseFloat(v, 64)
				t.cpuS += s
			}
		}
	}
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
	t := readTimeV(base + ".time")
	if err != nil || t.wallS <= 0 {
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
	others := (busy(after)-busy(before))/userHZ - t.cpuS
	return usage{others: math.Max(0, others) / t.wallS, steal: (after[7] - before[7]) / userHZ / t.wallS}, true
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

// clockSeconds parses time's h:mm:ss or m:ss.ss.
func clockSeconds(s string) float64 {
	var total float64
	for _, part := range strings.Split(s, ":") {
		v, _ := strconv.ParseFloat(part, 64)
		total = total*60 + v
	}
	return total
}
