// Package tune searches for the fastest settings by measuring, not by estimating and not by measuring the whole
// grid. The offload axis comes first: the largest value that loads and fits the memory budget, found by
// bisection (memory grows with every layer offloaded, so feasibility is monotone in it). The other axes follow by
// coordinate descent from the defaults, each candidate raced against the incumbent with adaptive repetitions: it
// is measured round by round, alternating with the incumbent, until Welch's test decides or both confidence
// intervals are narrow enough to call a tie, and dropped as soon as it is significantly worse. Coordinate descent
// suits these axes, whose effects mostly add up (threads, batch, cache types), it needs a measurement only per
// value per axis and pass instead of per combination, and a second pass catches the interactions that remain.
// Offload levels are raced too, since a device slower than the CPU makes every layer offloaded cost speed: each
// pass races no offload and the midpoints either side of the incumbent, never above the largest that fits.
// Ties within noise go to the cheaper setting: less memory, else the value listed first (the axes list their
// values cheapest first), but never to one significantly below the fastest trial measured; the answer is the
// cheapest trial that is not. The package measures nothing itself: a Measurer does.
package tune

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"chimera/pipeline/stats"
)

// Axis is one setting the search varies, its values listed cheapest first.
type Axis struct {
	Name    string
	Values  []string
	Default int // the index of the value the defaults use
}

// Config is one value of each axis, as indices into the axes' values.
type Config []int

func (c Config) key() string { return fmt.Sprint([]int(c)) }

// Measurement is one round of a trial: the objective's samples, one per repetition, and the memory it held.
type Measurement struct {
	Samples     []float64
	MemoryBytes int64
}

// ErrCannotRun marks a configuration the machine cannot run (it does not load, its context does not fit): the
// trial is rejected and the search goes on.
var ErrCannotRun = errors.New("cannot run")

// Measurer measures reps repetitions of the objective at a configuration.
type Measurer interface {
	Measure(ctx context.Context, cfg Config, reps int) (Measurement, error)
}

// Options configure a search.
type Options struct {
	Axes []Axis
	// Offload is the index of the axis searched by bisection first (its values in increasing offload), or -1.
	Offload        int
	HigherIsBetter bool
	MemoryBudget   int64 // bytes; 0 for none
	RepsPerRound   int
	MaxRounds      int     // rounds a race may take before it is called a tie
	Precision      float64 // a race whose confidence intervals are within this fraction of the means is a tie
	MaxTrials      int     // distinct configurations measured at most; 0 for no limit
	Passes         int     // coordinate-descent passes over the axes
	Seed           uint64  // orders each axis's candidates
	Log            func(format string, args ...any)
}

// Trial is everything measured at one configuration.
type Trial struct {
	Config      Config    `json:"config"`
	Samples     []float64 `json:"samples"`
	MemoryBytes int64     `json:"memory_bytes"` // the most any round held
	Rounds      int       `json:"rounds"`
	Rejected    string    `json:"rejected,omitempty"` // why the configuration cannot be used: over budget, cannot run
}

// Usable reports whether the trial can be an answer: measured, and not rejected. A search interrupted before a
// trial's first round leaves it unmeasured.
func (t *Trial) Usable() bool { return t.Rejected == "" && len(t.Samples) > 0 }

// Summary describes the trial's samples.
func (t *Trial) Summary() stats.Summary { return stats.Summarize(t.Samples) }

// Result is a finished or interrupted search.
type Result struct {
	Trials       []*Trial `json:"trials"` // in the order first measured
	Best         int      `json:"best"`   // index into Trials; -1 when nothing could run
	Defaults     int      `json:"defaults"`
	Tied         []int    `json:"tied_with_best"` // usable trials Welch's test cannot tell from the best
	Measurements int      `json:"measurements"`   // repetitions measured in all
	GridSize     int      `json:"grid_size"`      // configurations the full grid has
	Notes        []string `json:"notes"`
}

// Search finds the best configuration. A cancelled ctx stops it between rounds; the result then holds what was
// measured and the best so far, with ctx's error.
func Search(ctx context.Context, m Measurer, opts Options) (*Result, error) {
	s := &searcher{opts: opts, m: m, trials: map[string]*Trial{}, rng: rand.New(rand.NewPCG(opts.Seed, 0x7475)),
		result: &Result{Best: -1, Defaults: -1, GridSize: gridSize(opts.Axes)}}
	err := s.run(ctx)
	s.chooseBest()
	s.result.Tied = s.tiedWithBest()
	return s.result, err
}

// chooseBest settles the answer: of the trials not significantly worse than the fastest one, the cheapest. The
// incumbent alone would not do: a chain of ties, each one cheaper, can end significantly below where it began.
func (s *searcher) chooseBest() {
	top := s.fastest()
	if top == nil {
		return
	}
	best := top
	for _, t := range s.result.Trials {
		if t.Usable() && !s.significantlyWorse(t, top) && s.cheaper(t, best) {
			best = t
		}
	}
	s.result.Best = s.index(best)
}

// fastest is the usable trial with the best mean; nil when none is usable.
func (s *searcher) fastest() *Trial {
	var top *Trial
	for _, t := range s.result.Trials {
		if t.Usable() && (top == nil || s.direction(t, top) == won) {
			top = t
		}
	}
	return top
}

// significantlyWorse reports whether a is below b at stats.SignificanceLevel.
func (s *searcher) significantlyWorse(a, b *Trial) bool {
	return a != b && stats.Judge(b.Samples, a.Samples, s.opts.HigherIsBetter).Outcome == stats.Worse
}

// tiedWithBest are the usable trials Welch's test cannot tell from the best at stats.SignificanceLevel.
func (s *searcher) tiedWithBest() []int {
	if s.result.Best < 0 {
		return nil
	}
	best := s.result.Trials[s.result.Best]
	var tied []int
	for i, t := range s.result.Trials {
		if i != s.result.Best && t.Usable() && stats.Judge(best.Samples, t.Samples, s.opts.HigherIsBetter).Outcome == stats.NoDifference {
			tied = append(tied, i)
		}
	}
	return tied
}

type searcher struct {
	opts      Options
	m         Measurer
	trials    map[string]*Trial
	rng       *rand.Rand
	result    *Result
	incumbent *Trial
	// maxOffload is the largest offload value that runs within the budget, as the bisection found it.
	maxOffload int
}

func (s *searcher) run(ctx context.Context) error {
	defaults := make(Config, len(s.opts.Axes))
	for i, a := range s.opts.Axes {
		defaults[i] = a.Default
	}
	start, err := s.offloadStart(ctx, defaults)
	if err != nil || start == nil {
		return err
	}
	s.setIncumbent(start)
	if d, err := s.trial(ctx, defaults); err != nil {
		return err
	} else if d != nil {
		s.result.Defaults = s.index(d)
	}
	for pass := 0; pass < max(1, s.opts.Passes); pass++ {
		changed, err := s.descend(ctx)
		if err != nil || !changed {
			return err
		}
	}
	return nil
}

// offloadStart is the defaults with the largest offload that runs within the budget, by bisection; without an
// offload axis, the defaults.
func (s *searcher) offloadStart(ctx context.Context, defaults Config) (*Trial, error) {
	if s.opts.Offload < 0 {
		return s.trial(ctx, defaults)
	}
	var best *Trial
	lo, hi := 0, len(s.opts.Axes[s.opts.Offload].Values)-1
	for lo <= hi {
		mid := (lo + hi + 1) / 2
		cfg := slices.Clone(defaults)
		cfg[s.opts.Offload] = mid
		t, err := s.trial(ctx, cfg)
		if err != nil {
			return best, err
		}
		if t != nil && t.Rejected == "" {
			best, lo = t, mid+1
		} else {
			hi = mid - 1
		}
	}
	if best == nil {
		s.note("no %s value runs within the budget", s.opts.Axes[s.opts.Offload].Name)
	}
	s.maxOffload = lo - 1
	return best, nil
}

// descend races the candidates of every axis against the incumbent once, and reports whether it moved.
func (s *searcher) descend(ctx context.Context) (bool, error) {
	changed := false
	for axis := range s.opts.Axes {
		for _, value := range s.candidates(axis) {
			if value == s.incumbent.Config[axis] {
				continue
			}
			cfg := slices.Clone(s.incumbent.Config)
			cfg[axis] = value
			moved, err := s.challenge(ctx, cfg)
			if err != nil {
				return changed, err
			}
			changed = changed || moved
		}
	}
	return changed, nil
}

// candidates are the values descend races on an axis, in a seeded order. The offload axis, whose values can be
// many and whose speed rises or falls with the layers offloaded (a device slower than the CPU), gets no offload
// and the midpoints either side of the incumbent, never above the largest offload that fits: pass by pass, a
// bisection towards the fastest level.
func (s *searcher) candidates(axis int) []int {
	if axis != s.opts.Offload {
		return s.rng.Perm(len(s.opts.Axes[axis].Values))
	}
	current := s.incumbent.Config[axis]
	levels := []int{0, current / 2, (current + s.maxOffload + 1) / 2}
	return slices.Compact(slices.Sorted(slices.Values(levels)))
}

// challenge races cfg against the incumbent and makes it the incumbent when it wins, or ties and is cheaper.
func (s *searcher) challenge(ctx context.Context, cfg Config) (bool, error) {
	if s.opts.MaxTrials > 0 && len(s.result.Trials) >= s.opts.MaxTrials && s.trials[cfg.key()] == nil {
		return false, nil
	}
	outcome, challenger, err := s.race(ctx, cfg)
	if err != nil || challenger == nil || challenger.Rejected != "" {
		return false, err
	}
	if outcome == won || outcome == tied && s.cheaper(challenger, s.incumbent) && !s.significantlyWorse(challenger, s.fastest()) {
		s.setIncumbent(challenger)
		return true, nil
	}
	return false, nil
}

type raceOutcome int

const (
	lost raceOutcome = iota
	tied
	won
)

// race measures cfg round by round, the incumbent alternating with it, until Welch's test decides, both
// intervals are narrow enough, or the rounds run out. Each round's test uses α divided by the rounds allowed, so
// that testing after every round keeps the chance of a false decision within stats.SignificanceLevel.
func (s *searcher) race(ctx context.Context, cfg Config) (raceOutcome, *Trial, error) {
	challenger, err := s.trial(ctx, cfg)
	if err != nil || challenger == nil || challenger.Rejected != "" {
		return lost, challenger, err
	}
	alpha := stats.SignificanceLevel / float64(max(1, s.opts.MaxRounds))
	for {
		if p := stats.Welch(challenger.Samples, s.incumbent.Samples).P; p < alpha {
			return s.direction(challenger, s.incumbent), challenger, nil
		}
		if s.precise(challenger) && s.precise(s.incumbent) || challenger.Rounds >= s.opts.MaxRounds {
			return tied, challenger, nil
		}
		if err := s.round(ctx, challenger); err != nil {
			return lost, challenger, err
		}
		if s.incumbent.Rounds < challenger.Rounds {
			if err := s.round(ctx, s.incumbent); err != nil {
				return lost, challenger, err
			}
		}
	}
}

func (s *searcher) direction(a, b *Trial) raceOutcome {
	if (stats.Mean(a.Samples) > stats.Mean(b.Samples)) == s.opts.HigherIsBetter {
		return won
	}
	return lost
}

// precise reports whether the trial's 95 % confidence interval lies within Precision of its mean.
func (s *searcher) precise(t *Trial) bool {
	lo, hi := stats.MeanCI95(t.Samples)
	m := stats.Mean(t.Samples)
	return m != 0 && (hi-lo)/2 <= s.opts.Precision*math.Abs(m)
}

// cheaper prefers less memory (by more than 1 %, the noise of a reading), then values listed earlier.
func (s *searcher) cheaper(a, b *Trial) bool {
	if float64(a.MemoryBytes) < 0.99*float64(b.MemoryBytes) {
		return true
	}
	if float64(b.MemoryBytes) < 0.99*float64(a.MemoryBytes) {
		return false
	}
	return slices.Compare(a.Config, b.Config) < 0
}

// trial is cfg's trial, measured once (a first round) when it is new; nil when the trial limit stops it.
func (s *searcher) trial(ctx context.Context, cfg Config) (*Trial, error) {
	if t := s.trials[cfg.key()]; t != nil {
		return t, nil
	}
	if s.opts.MaxTrials > 0 && len(s.result.Trials) >= s.opts.MaxTrials {
		return nil, nil
	}
	t := &Trial{Config: slices.Clone(cfg)}
	s.trials[cfg.key()] = t
	s.result.Trials = append(s.result.Trials, t)
	return t, s.round(ctx, t)
}

// round measures one more round of t; a configuration that cannot run or exceeds the budget is rejected.
func (s *searcher) round(ctx context.Context, t *Trial) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m, err := s.m.Measure(ctx, t.Config, s.opts.RepsPerRound)
	switch {
	case errors.Is(err, ErrCannotRun):
		t.Rejected = err.Error()
	case err != nil:
		return err
	case s.opts.MemoryBudget > 0 && m.MemoryBytes > s.opts.MemoryBudget:
		t.Rejected = fmt.Sprintf("over the memory budget: %d MiB of %d MiB", m.MemoryBytes>>20, s.opts.MemoryBudget>>20)
	}
	t.Rounds++
	t.Samples = append(t.Samples, m.Samples...)
	t.MemoryBytes = max(t.MemoryBytes, m.MemoryBytes)
	s.result.Measurements += len(m.Samples)
	s.log("%s: %s", s.opts.Describe(t.Config), s.status(t))
	return nil
}

func (s *searcher) setIncumbent(t *Trial) {
	s.incumbent = t
	s.result.Best = s.index(t)
}

func (s *searcher) index(t *Trial) int { return slices.Index(s.result.Trials, t) }

// Describe names a configuration by its axes' values: threads=2 batch=512.
func (o Options) Describe(cfg Config) string {
	parts := make([]string, len(cfg))
	for i, v := range cfg {
		parts[i] = o.Axes[i].Name + "=" + o.Axes[i].Values[v]
	}
	return strings.Join(parts, " ")
}

func (s *searcher) status(t *Trial) string {
	if t.Rejected != "" {
		return "rejected: " + t.Rejected
	}
	sum := t.Summary()
	return fmt.Sprintf("%.2f ± %.2f (n=%d, %d MiB)", sum.Mean, sum.SD, sum.N, t.MemoryBytes>>20)
}

func (s *searcher) note(format string, args ...any) {
	s.result.Notes = append(s.result.Notes, fmt.Sprintf(format, args...))
}

func (s *searcher) log(format string, args ...any) {
	if s.opts.Log != nil {
		s.opts.Log(format, args...)
	}
}

func gridSize(axes []Axis) int {
	n := 1
	for _, a := range axes {
		n *= len(a.Values)
	}
	return n
}
