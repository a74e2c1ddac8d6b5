package artifacts

import (
	"cmp"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"text/tabwriter"
)

// Fact is one statement computed from the artifacts, never by an LLM, with where it comes from.
type Fact struct {
	ID   string `json:"id"` // kind, source, field and qualifier: stable across runs
	Kind string `json:"kind"`
	// Text is one sentence without the source path, which Source holds.
	Text string `json:"text"`
	// Source is the file's path relative to its root; a directory, a pattern such as "*/summary.json" (see
	// families.go), or "." for the whole inventory, when the fact is about several files.
	Source string `json:"source"`
	// Sources is Source, then every other file that states the same finding (see mergeRestatements) or whose
	// rows the fact covers.
	Sources  []string `json:"sources"`
	Field    string   `json:"field,omitempty"` // column or JSON path
	Value    float64  `json:"value"`           // the headline number
	Unit     string   `json:"unit,omitempty"`
	Priority int      `json:"priority"` // higher is more important; prompts are ranked and trimmed by it
	// Numbers holds every quantity Text prints, exactly as printed, for grounding checks. Digits that are part
	// of names (paths, model tags) or dates are not quantities.
	Numbers []float64 `json:"numbers"`
}

// Fact kinds.
const (
	FactNote        = "note"
	FactInventory   = "inventory"
	FactSkipped     = "skipped"
	FactTimestamp   = "timestamp"
	FactThroughput  = "throughput"
	FactTTFT        = "ttft"
	FactGroupMeans  = "group_means"
	FactBestConfig  = "best_config"
	FactParamEffect = "param_effect"
	FactColdStart   = "cold_start"
	FactTimeShares  = "time_shares"
	FactFailures    = "failures"
	FactCompletion  = "completion"
	FactSpeedup     = "speedup"
	FactKernel      = "kernel"
	// FactNoDifference says that no configuration of a sweep stands out from the runner-up (see addBestConfig).
	FactNoDifference = "no_difference"
	FactConcurrency  = "concurrency" // speedup, efficiency and contention of agents run at once
	FactNoInput      = "no_input"    // runs that were given nothing to analyse
)

// Priorities. Markdown tables restate numbers that the CSV and JSON files hold first-hand (or that an LLM
// once wrote), so facts from them rank lower.
const (
	priorityNote            = 100
	priorityInventory       = 95
	priorityBestConfig      = 90
	priorityConcurrency     = 88
	priorityFailureRollup   = 85
	priorityGroupThroughput = 80
	priorityGroupSpeedup    = 78
	priorityTimestamp       = 75
	priorityThroughput      = 70
	prioritySpeedup         = 65
	priorityGroupTTFT       = 62
	priorityTTFT            = 60
	priorityNoInput         = 58
	priorityColdStart       = 60
	priorityCompletion      = 55
	priorityPartialFailures = 55
	priorityParamEffect     = 50
	priorityTimeShares      = 50
	priorityAllFailed       = 45
	prioritySkipped         = 45
	priorityKernel          = 40
	markdownPenalty         = 50
)

// FactsReport is an inventory with the facts derived from it; its JSON is what `chimera facts` prints.
type FactsReport struct {
	Inventory
	Facts []Fact `json:"facts"`
}

// BuildFacts derives every fact the inventory supports, highest priority first; equal priorities keep the
// walk order of their files.
// A fact that restates another, from another file, is merged into it (see mergeRestatements).
// It reads the inventory's tables once: the records of a sweep's files go as the sweep is stacked (see
// releaseRecords), so an inventory gives its facts once.
func BuildFacts(inv *Inventory) *FactsReport {
	var facts factList
	facts.addInventory(inv)
	families := findFamilies(inv.Files)
	for _, fam := range families {
		for _, part := range splitTests(fam.table()) {
			fam.view(part).addFacts(&facts)
		}
	}
	var data []*FileFacts
	var measured [][]*table // per data file, its measured tables
	var insightInputs []fileTable
	for i := range inv.Files {
		f := &inv.Files[i]
		if isWrittenReport(f) {
			continue // an agent's prose: its tables restate or imagine, they measure nothing
		}
		tables := measuredTables(f)
		data, measured = append(data, f), append(measured, tables)
		for _, t := range insightTables(slices.Concat(tables, singleRecordTable(f))) {
			insightInputs = append(insightInputs, fileTable{f, t})
		}
	}
	sweeps, singles := findSweeps(insightInputs)
	inSweep := sweepMembers(sweeps)
	for i, f := range data {
		for _, t := range measured[i] {
			if families.absorbs(t) {
				continue
			}
			for _, part := range splitTests(t) {
				v := newTableView(f, part)
				v.inSweep = inSweep[f]
				v.addFacts(&facts)
			}
		}
	}
	facts.addSweepInsights(sweeps, singles)
	facts.addFailureRollups(inv.Files)
	return &FactsReport{Inventory: *inv, Facts: uniqueIDs(mergeRestatements(RankFacts(facts)))}
}

// uniqueIDs numbers the second and later facts with one ID, ":2" and on: two families at one pattern whose
// tables differ in other columns can state the same kind of fact about the same field.
func uniqueIDs(facts []Fact) []Fact {
	seen := map[string]int{}
	for i := range facts {
		id := facts[i].ID
		seen[id]++
		if seen[id] > 1 {
			facts[i].ID = fmt.Sprintf("%s:%d", id, seen[id])
		}
	}
	return facts
}

// WriteFactsText prints the report for people: the inventory as a table, skipped entries, notes, then the
// facts.
func WriteFactsText(w io.Writer, r *FactsReport) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "roots: %s\n\n", strings.Join(r.Roots, ", "))
	fmt.Fprintf(tw, "KIND\tBYTES\tROWS\tFAILED\tFIELDS\tPATH\n")
	for _, f := range r.Files {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%s\n", f.Kind, f.Bytes, f.Rows, f.Failures, len(f.Fields), f.Path)
	}
	if len(r.Skipped) > 0 {
		fmt.Fprintf(tw, "\nskipped (%d):\n", len(r.Skipped))
		for _, s := range r.Skipped {
			fmt.Fprintf(tw, "  %s\t%s\n", s.Path, s.Reason)
		}
	}
	if len(r.Notes) > 0 {
		fmt.Fprintf(tw, "\nnotes:\n")
		for _, n := range r.Notes {
			fmt.Fprintf(tw, "  %s\n", n)
		}
	}
	fmt.Fprintf(tw, "\nfacts (%d, highest priority first):\n", len(r.Facts))
	for _, f := range r.Facts {
		source := f.Source
		if more := len(f.Sources) - 1; more > 0 {
			source += fmt.Sprintf(" (+%d)", more)
		}
		fmt.Fprintf(tw, "  %d\t%s\t%s\t%s\n", f.Priority, f.Kind, source, f.Text)
	}
	return tw.Flush()
}

// factList collects facts, dropping any whose numbers are not finite (JSON cannot carry them).
type factList []Fact

func (l *factList) add(f Fact) {
	if !isFinite(f.Value) || slices.ContainsFunc(f.Numbers, func(x float64) bool { return !isFinite(x) }) {
		return
	}
	*l = append(*l, f)
}

func isFinite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// newFact assembles a fact; the ID joins kind, source, field and qualifier.
func newFact(kind, source, field, qualifier string, priority int, p *phrase, value float64, unit string) Fact {
	id := kind + ":" + source
	for _, part := range []string{field, qualifier} {
		if part != "" {
			id += ":" + part
		}
	}
	return Fact{ID: id, Kind: kind, Text: p.String(), Source: source, Sources: []string{source}, Field: field,
		Value: value, Unit: unit, Priority: priority, Numbers: append([]float64{}, p.numbers...)}
}

// RankFacts orders facts by priority, highest first, in a new slice; equal priorities keep their order.
func RankFacts(facts []Fact) []Fact {
	return slices.SortedStableFunc(slices.Values(facts), func(a, b Fact) int { return cmp.Compare(b.Priority, a.Priority) })
}
