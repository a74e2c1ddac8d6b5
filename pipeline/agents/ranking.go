package agents

import (
	"strings"

	"chimera/pipeline/artifacts"
)

// informationBand is how much a fact tells a reader; prompts and reports take facts band by band, in this order.
type informationBand int

const (
	bandOverview    informationBand = iota // what the tree holds: notes, inventory, skipped files, latest timestamp
	bandConclusion                         // comparisons and rollups across runs, configurations or files
	bandStatistic                          // statistics of one file's column
	bandRestatement                        // a fact that says what a higher-ranked one already said, from another file
)

// kindBands places every kind of fact; a kind not listed is a statistic.
var kindBands = map[string]informationBand{
	artifacts.FactNote:            bandOverview,
	artifacts.FactInventory:       bandOverview,
	artifacts.FactSkipped:         bandOverview,
	artifacts.FactTimestamp:       bandOverview,
	artifacts.FactBestConfig:      bandConclusion,
	artifacts.FactFailures:        bandConclusion,
	artifacts.FactGroupMeans:      bandConclusion,
	artifacts.FactSpeedup:         bandConclusion,
	artifacts.FactColdStart:       bandConclusion,
	artifacts.FactCompletion:      bandConclusion,
	artifacts.FactParamEffect:     bandConclusion,
	artifacts.FactTimeShares:      bandConclusion,
	artifacts.FactNoDifference:    bandConclusion,
	artifacts.FactConcurrency:     bandConclusion,
	artifacts.FactNoInput:         bandConclusion,
	artifacts.FactBestLevel:       bandConclusion,
	artifacts.FactEffect:          bandConclusion,
	artifacts.FactTrend:           bandConclusion,
	artifacts.FactRatio:           bandConclusion,
	artifacts.FactNearTie:         bandConclusion,
	artifacts.FactFit:             bandConclusion,
	artifacts.FactFailedRows:      bandConclusion,
	artifacts.FactAgainstBaseline: bandConclusion,
	artifacts.FactOutlier:         bandConclusion,
	artifacts.FactPair:            bandConclusion,
	artifacts.FactSortOrder:       bandConclusion,
	artifacts.FactHeadroom:        bandConclusion,
	artifacts.FactZeroTimes:       bandConclusion,
	artifacts.FactDistribution:    bandStatistic,
	artifacts.FactThroughput:      bandStatistic,
	artifacts.FactTTFT:            bandStatistic,
	artifacts.FactKernel:          bandStatistic,
}

func bandOf(kind string) informationBand {
	if band, ok := kindBands[kind]; ok {
		return band
	}
	return bandStatistic
}

// rankByInformation orders facts for the agents and the reports: band by band, each band by priority with its
// kinds taking turns, and within a kind its top-level directories taking turns, so that one prolific kind or
// directory cannot fill a context on its own. The order depends on the facts alone, so that every prompt built
// from them starts with the same facts (see userMessage).
func rankByInformation(facts []artifacts.Fact) []artifacts.Fact {
	bands := make([][]artifacts.Fact, bandRestatement+1)
	said := map[string]bool{}
	for _, f := range artifacts.RankFacts(facts) {
		band, key := bandOf(f.Kind), restatementKey(f)
		if said[key] {
			band = bandRestatement
		}
		said[key] = true
		bands[band] = append(bands[band], f)
	}
	ranked := make([]artifacts.Fact, 0, len(facts))
	for _, band := range bands {
		ranked = append(ranked, takeTurns(takeTurns(band, kindAndArea), kindOf)...)
	}
	return ranked
}

// restatementKey is the same for facts that say the same thing about different files: a CSV and the JSON, summary
// or Markdown table that repeats it differ in the field's name only.
func restatementKey(f artifacts.Fact) string {
	text := f.Text
	if f.Field != "" {
		text = strings.ReplaceAll(text, f.Field, "")
	}
	return f.Kind + "\x00" + f.Unit + "\x00" + text
}

func kindOf(f artifacts.Fact) string { return f.Kind }

// kindAndArea is a fact's kind and the top-level entry its source lies in.
func kindAndArea(f artifacts.Fact) string { return f.Kind + "\x00" + topLevel(f.Source) }

// topLevel is the first element of a path relative to its root: the top-level directory holding it, or the
// path itself when it lies at the root.
func topLevel(path string) string {
	first, _, _ := strings.Cut(path, "/")
	return first
}

// takeTurns deals facts in turns: the first fact of every key, keys in the order they first appear, then the
// second of every key, and so on. Facts with the same key keep their order.
func takeTurns(facts []artifacts.Fact, key func(artifacts.Fact) string) []artifacts.Fact {
	groups := groupByKey(facts, key)
	dealt := make([]artifacts.Fact, 0, len(facts))
	for turn := 0; len(dealt) < len(facts); turn++ {
		for _, group := range groups {
			if turn < len(group) {
				dealt = append(dealt, group[turn])
			}
		}
	}
	return dealt
}

// groupByKey groups items by key, the groups in the order their keys first appear.
func groupByKey[T any](items []T, key func(T) string) [][]T {
	var groups [][]T
	index := map[string]int{}
	for _, item := range items {
		k := key(item)
		i, ok := index[k]
		if !ok {
			i = len(groups)
			index[k] = i
			groups = append(groups, nil)
		}
		groups[i] = append(groups[i], item)
	}
	return groups
}
