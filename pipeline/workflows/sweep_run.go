package workflows

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"

	"chimera/pipeline/agents"
	"chimera/pipeline/artifacts"
	"chimera/pipeline/engine"
	"chimera/pipeline/record"
	"chimera/pipeline/render"
	"chimera/pipeline/stats"
	"chimera/store"
)

// sweeper measures a sweep's cells and records each under its own run, a child of the sweep's.
type sweeper struct {
	opts    SweepOptions
	rec     *record.Recorder
	cellRow store.Run // the sweep's row with the sweep as parent: the template of every cell's row
	facts   *artifacts.FactsReport
	model   *engine.ModelFile
	result  *SweepResult // its cells are measured in place
	loads   *engine.ModelCache
	bench   *bencher
	bar     *progressBar
	varied  []*engine.Setting // the axes that tell the cells apart in their labels
}

// run measures every cell that is not a duplicate; the model loads are shared by all of them.
func (s *sweeper) run(ctx context.Context, blocks int) error {
	cells := s.result.Cells
	s.bar = newProgressBar(s.opts.Log, measuredCells(cells, s.opts.Shard.K)*s.opts.stepsPerCell())
	defer s.bar.finish()
	s.loads = engine.NewModelCache(s.model, s.bar)
	defer s.loads.Close()
	s.bench = newBencher(BenchOptions{NPrompt: s.opts.NPrompt, NGen: s.opts.NGen, UseMmap: s.opts.Base.UseMmap}, s.loads, blocks)
	s.bench.tick = s.bar.step
	s.varied = variedAxes(cells, s.opts.Workload)
	s.bench.labelled = s.varied
	if err := s.saveShard(); err != nil {
		return err
	}
	for i := range cells {
		c := &cells[i]
		if !c.toMeasure(s.opts.Shard.K) {
			continue // another shard's, a duplicate that no shard runs, or a cell an earlier run of the shard finished
		}
		if c.DuplicateOf > 0 {
			engine.Logf(s.bar, "%s: the effective settings of cell %d (%d layers offloaded): not run again", s.label(i+1, c), c.DuplicateOf, c.GPULayers)
			continue
		}
		stepsBefore := s.bar.done
		if err := s.runCell(ctx, i+1, c); err != nil {
			return err
		}
		if c.Error != "" {
			engine.Logf(s.bar, "%s: not measured: %s", s.label(i+1, c), c.Error)
			s.bar.advance(stepsBefore + s.opts.stepsPerCell() - s.bar.done) // the steps it will not take
			continue
		}
		engine.Logf(s.bar, "%s: decode %.2f tok/s, ttft %.1f ms", s.label(i+1, c), stats.Summarize(c.DecodeTPS).Mean, stats.Summarize(c.TTFTMS).Mean)
	}
	return allCellsFailed(cells, s.opts.Shard.K)
}

// cannotRunAt reports whether err is a cell's own settings failing (its prompts do not fit, the model does not
// load with its offload), which the other cells need not share, rather than a failure of the sweep itself.
func cannotRunAt(err error) bool {
	var load *engine.LoadError
	return engine.IsInputError(err) || errors.As(err, &load)
}

// allCellsFailed is the first error of the shard's cells when none could be measured, the sweep then having no
// result.
func allCellsFailed(cells []SweepCell, shard int) error {
	first := ""
	for _, c := range cells {
		if !c.toMeasure(shard) || c.DuplicateOf > 0 {
			continue
		}
		if c.Error == "" {
			return nil
		}
		first = cmp.Or(first, c.Error)
	}
	if first == "" {
		return nil // a shard without cells: there are more shards than distinct cells
	}
	return engine.Invalid(fmt.Errorf("no cell could be measured: %s", first))
}

// label names cell n by the settings that vary: cell 2 num_gpu=0 num_ctx=2048.
func (s *sweeper) label(n int, c *SweepCell) string {
	return strings.TrimSpace(fmt.Sprintf("cell %d %s", n, engine.Describe(c.Config, s.varied)))
}

func measuredCells(cells []SweepCell, shard int) int {
	n := 0
	for _, c := range cells {
		if c.DuplicateOf == 0 && c.toMeasure(shard) {
			n++
		}
	}
	return n
}

// stepsPerCell counts the progress bar's steps in a cell: every pass, the warm-up included, and for the bench
// workload each of its two tests.
func (o SweepOptions) stepsPerCell() int {
	if o.Workload == WorkloadBench {
		return 2 * (o.Runs + 1)
	}
	return o.Runs + 1
}

// runCell measures cell n under its own run, which records the cell's effective settings, and returns the error
// that stops the sweep: a cell that cannot run at its settings is not one, its error being kept in c.Error. A
// shard's result is recorded with the cell in it before the cell's run ends, so that a cell counts as finished
// (sweep collect, --rerun-missing) once both are recorded, and a shard killed in between measures it again.
func (s *sweeper) runCell(ctx context.Context, n int, c *SweepCell) error {
	row := s.cellRow
	row.Label = s.label(n, c)
	row.ConfigJSON = record.JSON(struct {
		Config          engine.Config `json:"config"`
		NumGPUEffective int           `json:"num_gpu_effective"`
	}{c.Config, c.GPULayers})
	id, err := s.rec.StartRun(row)
	if err != nil {
		return err
	}
	c.RunID = id
	if s.opts.Workload == WorkloadBench {
		err = s.measureBench(ctx, c)
	} else {
		err = s.measureAgents(ctx, c)
	}
	if err != nil && ctx.Err() == nil && cannotRunAt(err) {
		c.Error = err.Error()
	}
	saved := s.saveShard()
	_, err = s.rec.Finish(id, errors.Join(err, saved))
	if c.Error != "" && saved == nil {
		return nil
	}
	return err
}

// measureBench runs the pp and tg tests, each with its own excluded warm-up, and stores them as bench results.
// TTFT is the pp test's time, since the first token comes from the prompt's logits; sampling is excluded, as in
// llama-bench.
func (s *sweeper) measureBench(ctx context.Context, c *SweepCell) error {
	rows, err := s.bench.runConfig(ctx, c.Config, c.GPULayers, s.opts.Runs)
	for _, r := range rows {
		if r.NGen > 0 {
			c.DecodeTPS = r.SamplesTS
			continue
		}
		for _, ns := range r.SamplesNS {
			c.TTFTMS = append(c.TTFTMS, float64(ns)/1e6)
		}
	}
	err = errors.Join(err, s.rec.AddBenchResults(c.RunID, storeBenchRows(rows)))
	return err
}

// measureAgents runs the agent workflow on one context: a warm-up pass, then Runs measured passes.
func (s *sweeper) measureAgents(ctx context.Context, c *SweepCell) error {
	load := c.Config
	load.NumGPU = c.GPULayers
	m, err := s.loads.Get(engine.Describe(c.Config, s.varied), load)
	if err != nil {
		return err
	}
	session, err := agents.NewSession(m, c.Config, s.facts, nil)
	if err != nil {
		return err
	}
	defer session.Close()
	passes, err := workflowPasses(ctx, s.rec, session, c.RunID, s.opts.Runs, s.bar.step)
	for _, p := range passes {
		c.DecodeTPS = append(c.DecodeTPS, p.DecodeTPS)
		c.TTFTMS = append(c.TTFTMS, p.TTFTMS)
		c.WorkflowMS = append(c.WorkflowMS, p.WallMS)
	}
	return err
}

// addRanking stores the ranking, with its notes on duplicates and loads, as the sweep run's report; a shard also
// stores its final result.
func (s *sweeper) addRanking(r *SweepResult) error {
	return errors.Join(s.saveShard(), addRankingReport(s.rec, r))
}

// saveShard records a shard's result as it stands, which sweep collect and --rerun-missing read: the partitioned
// grid before the first cell, then after every cell, so that a shard killed half-way keeps the cells it finished.
// An unsharded sweep records nothing here.
func (s *sweeper) saveShard() error {
	if s.result.Shard == nil {
		return nil
	}
	s.result.Loads = s.loads.Loads()
	var b strings.Builder
	if err := render.WriteJSON(&b, s.result); err != nil {
		return err
	}
	return s.rec.SetReport(s.result.RunID, shardResultReport, b.String())
}

func addRankingReport(rec *record.Recorder, r *SweepResult) error {
	ranking, err := rankingReport(r)
	if err != nil {
		return err
	}
	return rec.AddReport(r.RunID, 0, rankingReportName, "", ranking)
}

// rankingReportName names the report of a sweep's run that holds its ranking, in Markdown.
const rankingReportName = "ranking.md"

func rankingReport(r *SweepResult) (string, error) {
	var b strings.Builder
	err := WriteRanking(&b, r, true)
	return b.String(), err
}

// workflowPass is one pass of both agents: their calls pooled, and its wall time.
type workflowPass struct {
	agents.Metrics
	WallMS float64
}

// workflowPasses runs a warm-up pass of both agents on session, then n measured passes, all recorded under runID,
// calling tick after each; it returns the measured passes completed.
func workflowPasses(ctx context.Context, rec *record.Recorder, session *agents.Session, runID int64, n int, tick func()) ([]workflowPass, error) {
	var passes []workflowPass
	for pass := 0; pass <= n; pass++ {
		p, err := measureWorkflowPass(ctx, rec, session, runID, pass)
		if err != nil {
			return passes, err
		}
		tick()
		if pass > 0 {
			passes = append(passes, p)
		}
	}
	return passes, nil
}

// measureWorkflowPass runs every agent once, the collector's report handed on, and returns the pooled calls and
// the pass's wall time.
func measureWorkflowPass(ctx context.Context, rec *record.Recorder, session *agents.Session, runID int64, pass int) (workflowPass, error) {
	results, wallMS, err := runPass(ctx, rec, session, runID, agentPass{agents: agents.Agents, rep: pass})
	if err != nil {
		return workflowPass{}, err
	}
	var calls []agents.CallRecord
	for _, res := range results {
		calls = append(calls, res.Calls...)
	}
	return workflowPass{agents.PoolCalls(calls), wallMS}, nil
}
