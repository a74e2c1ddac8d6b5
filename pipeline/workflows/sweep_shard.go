package workflows

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"chimera/pipeline/engine"
	"chimera/pipeline/record"
)

// Shard is part K of N of a sweep's distinct cells, K from 1; the zero Shard is the whole sweep.
type Shard struct {
	K int `json:"k"`
	N int `json:"n"`
}

func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.K, s.N) }

// valid reports whether 1 ≤ K ≤ N.
func (s Shard) valid() bool { return s.K >= 1 && s.K <= s.N }

// validate refuses a shard outside 1 ≤ K ≤ N; the zero Shard, all of the grid, is valid.
func (s Shard) validate() error {
	if s != (Shard{}) && !s.valid() {
		return engine.Invalid(fmt.Errorf("shard must be K/N with 1 ≤ K ≤ N, got %s", s))
	}
	return nil
}

// ParseShard reads K/N, 1 ≤ K ≤ N.
func ParseShard(text string) (Shard, error) {
	k, n, found := strings.Cut(text, "/")
	var s Shard
	var errK, errN error
	s.K, errK = strconv.Atoi(k)
	s.N, errN = strconv.Atoi(n)
	if !found || errK != nil || errN != nil || !s.valid() {
		return Shard{}, engine.Invalid(fmt.Errorf("--shard must be K/N with 1 ≤ K ≤ N, got %q", text))
	}
	return s, nil
}

// sweepID names a sweep on every machine: a hash of its plan without the shard, so that every shard of one
// sweep computes the same id and a sweep with another grid or workload another one.
func sweepID(p sweepPlan) string {
	p.SweepID, p.Shard = "", nil
	return planID(p)
}

// planID is a hash of a sharded sweep's or bench's plan, its id and shard left out by the caller.
func planID(plan any) string {
	sum := sha256.Sum256([]byte(record.JSON(plan)))
	return hex.EncodeToString(sum[:8])
}

// partition deals the grid's distinct cells out to n shards in turn, in grid order. Cells are told apart by the
// offload they request, as a machine with a GPU would run them, never by the offload of the machine that runs
// the shard (a machine without a GPU offloads nothing): so every machine computes the same partition, and no
// two shards measure the same effective settings. A duplicate belongs to no shard.
func partition(cells []SweepCell, workload string, blocks, n int) {
	markDuplicates(cells, workload, blocks, true, 0)
	distinct := 0
	for i := range cells {
		if cells[i].DuplicateOf == 0 {
			cells[i].Shard = distinct%n + 1
			distinct++
		}
	}
}

// owners names the shard that measures each configuration of a bench's grid, dealt out to n shards as a sweep's
// cells are: a duplicate, which partition gives to no shard, goes with the configuration it repeats, whose rows it
// shares.
func owners(grid []engine.Config, blocks, n int) []int {
	cells := make([]SweepCell, len(grid))
	for i, cfg := range grid {
		cells[i].Config = cfg
	}
	partition(cells, WorkloadBench, blocks, n)
	owner := make([]int, len(cells))
	for i, c := range cells {
		owner[i] = c.Shard
		if c.Shard == 0 {
			owner[i] = cells[c.DuplicateOf-1].Shard
		}
	}
	return owner
}

// otherShardsCells lists the cells of a shard's grid that other shards measure.
func otherShardsCells(cells []SweepCell, shard int) []string {
	var others []string
	for i, c := range cells {
		if c.Shard > 0 && c.Shard != shard {
			others = append(others, strconv.Itoa(i+1))
		}
	}
	return others
}

// measuredEarlier lists the cells of a re-run shard that an earlier run of it finished.
func measuredEarlier(cells []SweepCell) []string {
	var earlier []string
	for i, c := range cells {
		if c.MeasuredEarlier != "" {
			earlier = append(earlier, strconv.Itoa(i+1))
		}
	}
	return earlier
}

// earlierRuns reads the runs of the shard that RerunMissing's files hold. Where they hold none (a shard killed
// before its first cell, or never started) every cell of the shard is missing.
func (o SweepOptions) earlierRuns(ctx context.Context) ([]*shardRun, error) {
	if len(o.RerunMissing) == 0 {
		return nil, nil
	}
	id := o.plan().SweepID
	var runs []*shardRun
	for _, file := range o.RerunMissing {
		shards, err := readShards(ctx, file, o.ImportLimits)
		if err != nil {
			return nil, err
		}
		for _, s := range shards {
			if s.plan.SweepID == id && *s.plan.Shard == o.Shard {
				runs = append(runs, s)
			}
		}
	}
	if len(runs) == 0 {
		engine.Logf(o.Log, "%s: no run of shard %s of sweep %s: every cell of the shard is missing", strings.Join(o.RerunMissing, ", "), o.Shard, id)
	}
	return runs, nil
}

// markMeasuredEarlier marks the cells that an earlier run of the shard finished, which are not measured again. An
// earlier run must have measured the same model on the same partitioned grid.
func markMeasuredEarlier(cells []SweepCell, modelSHA256 string, earlier []*shardRun) error {
	for _, e := range earlier {
		if e.run.ModelSHA256 != modelSHA256 || gridKey(e.result.Cells) != gridKey(cells) {
			return engine.Invalid(fmt.Errorf("%s: run %d of shard %s measured another model or grid", e.file, e.run.ID, e.plan.Shard))
		}
		for i, done := range e.finished() {
			if done {
				cells[i].MeasuredEarlier = e.run.UUID
			}
		}
	}
	return nil
}
