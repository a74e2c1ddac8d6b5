package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// factsDir writes what bench/facts.sh leaves: one round per wall time, each with the peak RSS given in KiB.
func factsDir(t *testing.T, walls []string, peakKiB int) string {
	t.Helper()
	dir := t.TempDir()
	write(t, filepath.Join(dir, "meta.env"), "date=today\ncores=2 (nproc)\ncommand=/usr/bin/time -v bin/chimera facts --data $TREE\n")
	write(t, filepath.Join(dir, "tree.json"), `{"files": 3800, "bytes": 46745366, "files_by_extension": {".csv": 600, ".log": 1300},
		"models": ["a", "b"], "cells_by_runs": {"1": 100, "3": 50}, "runs": 250, "oom_cells": 21}`)
	for i, wall := range walls {
		base := filepath.Join(dir, fmt.Sprintf("r%02d", i+1))
		write(t, base+".time", fmt.Sprintf("\tUser time (seconds): 2.50\n\tSystem time (seconds): 0.50\n"+
			"\tElapsed (wall clock) time (h:mm:ss or m:ss): %s\n\tMaximum resident set size (kbytes): %d\n", wall, peakKiB))
		write(t, base+".txt", "fact one\nfact two\n")
	}
	return dir
}

// The verdict takes the median wall time (one round slowed by a neighbour does not miss the goal) and the largest
// peak RSS, in MB of 10^6 bytes.
func TestFactsGoal(t *testing.T) {
	for _, c := range []struct {
		walls   []string
		peakKiB int
		want    string
	}{
		{[]string{"0:02.70", "0:09.00", "0:02.80"}, 135000, "**Goal met** (within 5 s and 300 MB): median wall time 2.80 s, largest peak RSS 138.2 MB."},
		{[]string{"0:05.10", "0:05.20", "0:04.00"}, 135000, "**Goal missed**"},
		{[]string{"0:02.70"}, 293000, "**Goal missed**"}, // 300.0 MB and a bit: under 300 MiB, over 300 MB
	} {
		var out strings.Builder
		if err := run([]string{"facts", factsDir(t, c.walls, c.peakKiB)}, &out); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), c.want) {
			t.Errorf("rounds %v, %d KiB: want %q in\n%s", c.walls, c.peakKiB, c.want, out.String())
		}
	}
}

// The page gets the rounds, their median and the tree; the text around the block is kept.
func TestFactsPage(t *testing.T) {
	dir := factsDir(t, []string{"0:02.00", "0:03.00"}, 100000)
	doc := filepath.Join(t.TempDir(), "facts.md")
	write(t, doc, "# Facts\n\nintro\n\n"+factsPage.Begin+"\nold\n"+factsPage.End+"\n\nanalysis\n")
	var out strings.Builder
	if err := run([]string{"facts", dir, doc}, &out); err != nil {
		t.Fatal(err)
	}
	page := read(t, doc)
	for _, want := range []string{
		"intro\n\n" + factsPage.Begin + "\nMeasured today by `make bench`",
		"| 2 | 3.00 | 3.00 | 102.4 | 2 |",
		"| median (range) | 2.50 (2.00–3.00) | 3.00 | 102.4 |  |",
		"| files | 3,800, 46.7 MB: 1,300 .log, 600 .csv; the largest 0 kB |",
		"100 cells with 1, 50 cells with 3",
		factsPage.End + "\n\nanalysis\n",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("want %q in\n%s", want, page)
		}
	}
	if strings.Contains(page, "\nold\n") {
		t.Error("the old block was kept")
	}
	var line strings.Builder
	if err := run([]string{"facts-line", filepath.Join(dir, "r01")}, &line); err != nil || line.String() != "2.00 s wall, 3.00 s CPU, peak RSS 102.4 MB; 2 lines of facts\n" {
		t.Errorf("facts-line printed %q, %v", line.String(), err)
	}
}

func TestCount(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 3800: "3,800", 1234567: "1,234,567", -4500: "-4,500"} {
		if got := count(n); got != want {
			t.Errorf("count(%d) = %q, want %q", n, got, want)
		}
	}
}
