// Package diff compares two recorded runs measurement by measurement: it matches what both measured, the same
// configuration and test, and tests each difference with Welch's t-test on the stored samples. It reads store
// records only and never loads a model.
package diff

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"chimera/pipeline/stats"
	"chimera/store"
)

// ErrIncompatible is returned, wrapped, for two runs whose kinds measure different things.
var ErrIncompatible = errors.New("runs of incompatible kinds")

// Report is the comparison of run B against run A.
type Report struct {
	A        RunInfo     `json:"a"`
	B        RunInfo     `json:"b"`
	Warnings []string    `json:"warnings"` // what differs between the runs besides their settings: machine, GPUs, build, model
	Rows     []Row       `json:"rows"`     // what both runs measured, in A's order
	OnlyInA  []Unmatched `json:"only_in_a"`
	OnlyInB  []Unmatched `json:"only_in_b"`
	// SharedSettings are the settings every bench configuration compared has, where there are several: Named
	// leaves them out.
	SharedSettings store.Settings `json:"shared_settings"`
}

// RunInfo names a compared run.
type RunInfo struct {
	ID        int64         `json:"id"`
	Kind      store.RunKind `json:"kind"`
	Status    store.Status  `json:"status"`
	Model     string        `json:"model"` // the model reference, or its path when there is none
	Build     string        `json:"build"`
	Host      string        `json:"host"`
	GPUs      string        `json:"gpus"`
	StartedAt time.Time     `json:"started_at"`
}

// Row compares one series measured by both runs.
type Row struct {
	Key
	A        stats.Summary `json:"a"`
	B        stats.Summary `json:"b"`
	Ratio    Number        `json:"ratio"`     // mean B / mean A
	DeltaPct Number        `json:"delta_pct"` // (mean B − mean A) / mean A, in percent
	P        Number        `json:"p"`         // Welch's two-sided p-value
	Verdict  Verdict       `json:"verdict"`   // B against A
}

// Unmatched is a series only one of the runs measured.
type Unmatched struct {
	Key
	Summary stats.Summary `json:"summary"`
}

// Verdict says whether B was faster than A for one series.
type Verdict string

// The verdicts: a difference is claimed at p < stats.SignificanceLevel.
const (
	Faster        Verdict = "faster"
	Slower        Verdict = "slower"
	NoDifference  Verdict = "no significant difference"
	TooFewSamples Verdict = "no p-value (fewer than 2 samples)"
	NoSpread      Verdict = "no p-value (no spread)"
)

// Number is a float64 written to JSON as null where it is not finite: a p-value Welch's test leaves undefined,
// a ratio to a zero mean.
type Number float64

// Finite reports whether n is defined: neither NaN nor infinite.
func (n Number) Finite() bool {
	return !math.IsNaN(float64(n)) && !math.IsInf(float64(n), 0)
}

// MarshalJSON writes n, or null where it is not finite.
func (n Number) MarshalJSON() ([]byte, error) {
	if !n.Finite() {
		return []byte("null"), nil
	}
	return json.Marshal(float64(n))
}

// Runs compares run b against run a. Its only error is ErrIncompatible.
func Runs(a, b *store.RunTree) (*Report, error) {
	if err := checkCompatible(&a.Run, &b.Run); err != nil {
		return nil, err
	}
	seriesA, seriesB := seriesOf(a), seriesOf(b)
	report := &Report{A: infoOf(&a.Run), B: infoOf(&b.Run), Warnings: warnings(&a.Run, &b.Run), Rows: []Row{},
		OnlyInA: seriesA.missingFrom(seriesB), OnlyInB: seriesB.missingFrom(seriesA)}
	for _, key := range seriesA.keys {
		if samplesB, ok := seriesB.samples[key]; ok {
			report.Rows = append(report.Rows, compare(key, seriesA.samples[key], samplesB))
		}
	}
	configurations := maps.Clone(seriesA.configurations)
	maps.Copy(configurations, seriesB.configurations)
	report.SharedSettings = sharedSettings(slices.Sorted(maps.Keys(configurations)), configurations)
	return report, nil
}

// sharedSettings are the settings of the first configuration that every other has too, none for a single one.
func sharedSettings(keys []string, configurations map[string]store.Settings) store.Settings {
	shared := store.Settings{}
	if len(keys) < 2 {
		return shared
	}
	for _, setting := range configurations[keys[0]] {
		if !slices.ContainsFunc(keys[1:], func(key string) bool { return !slices.Contains(configurations[key], setting) }) {
			shared = append(shared, setting)
		}
	}
	return shared
}

// Named is how a table names k's configuration: a bench configuration without the settings every one compared
// shares, an agent pass by its label.
func (r *Report) Named(k Key) string {
	if k.Metric != tokensPerSecond || len(r.SharedSettings) == 0 {
		return k.Configuration
	}
	var distinct []string
	for _, setting := range strings.Fields(k.Configuration) {
		if !slices.ContainsFunc(r.SharedSettings, func(s store.Setting) bool { return s.Name+"="+s.Value == setting }) {
			distinct = append(distinct, setting)
		}
	}
	return strings.Join(distinct, " ")
}

// checkCompatible accepts two runs of one kind, and a bench with a sweep, whose cells record bench results.
func checkCompatible(a, b *store.Run) error {
	if a.Kind == b.Kind || recordsBenchResults(a.Kind) && recordsBenchResults(b.Kind) {
		return nil
	}
	return fmt.Errorf("%w: run %d is a %s, run %d a %s (compare two runs of one kind, or any two of bench, sweep and tune)",
		ErrIncompatible, a.ID, a.Kind, b.ID, b.Kind)
}

func recordsBenchResults(kind store.RunKind) bool {
	return kind == store.KindBench || kind == store.KindSweep || kind == store.KindTune
}

func infoOf(r *store.Run) RunInfo {
	return RunInfo{ID: r.ID, Kind: r.Kind, Status: r.Status, Model: cmp.Or(r.ModelRef, r.ModelPath),
		Build: r.BuildInfo, Host: r.Host, GPUs: r.GPUs, StartedAt: r.StartedAt}
}

// warnings says what besides their settings differs between two runs, and so may explain a difference.
func warnings(a, b *store.Run) []string {
	differences := []struct{ what, a, b string }{
		{"hosts", a.Host, b.Host},
		{"GPUs", a.GPUs, b.GPUs},
		{"builds", a.BuildInfo, b.BuildInfo},
		{"models (GGUF header sha256)", a.ModelSHA256, b.ModelSHA256},
	}
	warnings := []string{}
	for _, d := range differences {
		if d.a != d.b {
			warnings = append(warnings, fmt.Sprintf("the runs differ in their %s: A %s, B %s", d.what, orNone(d.a), orNone(d.b)))
		}
	}
	return warnings
}

func orNone(s string) string { return cmp.Or(s, "none") }

func compare(key Key, a, b []float64) Row {
	summaryA, summaryB := stats.Summarize(a), stats.Summarize(b)
	judgement := stats.Judge(a, b, key.Metric.HigherIsFaster)
	return Row{
		Key: key, A: summaryA, B: summaryB,
		Ratio:    Number(summaryB.Mean / summaryA.Mean),
		DeltaPct: Number(100 * (summaryB.Mean - summaryA.Mean) / summaryA.Mean),
		P:        Number(judgement.P),
		Verdict:  diffVerdicts[judgement.Outcome],
	}
}

// diffVerdicts words each outcome of stats.Judge for run B against run A.
var diffVerdicts = map[stats.Outcome]Verdict{stats.TooFewSamples: TooFewSamples, stats.NoSpread: NoSpread,
	stats.NoDifference: NoDifference, stats.Better: Faster, stats.Worse: Slower}
