package agents

import "chimera/pipeline/artifacts"

// recommendation is an action and the key findings that call for it.
type recommendation struct {
	action   string
	evidence []finding
}

// recommendations turns the key findings into distinct actions, in the order of the first finding calling for
// each; an action that several findings call for is given once, citing them all.
func recommendations(findings []finding) []recommendation {
	var recs []recommendation
	for _, same := range groupByKey(findings, actionFor) {
		if action := actionFor(same[0]); action != "" {
			recs = append(recs, recommendation{action: action, evidence: same})
		}
	}
	return recs
}

// actionFor is what a finding asks the reader to do, "" when it asks nothing.
func actionFor(f finding) string {
	switch f.Kind {
	case artifacts.FactBestConfig:
		return "Start from the fastest measured configuration of each sweep, then confirm it with repeated runs"
	case artifacts.FactGroupMeans:
		if s, ok := f.significance(); ok && s.significant {
			return "Prefer the leading group of each comparison: its lead over the runner-up is significant"
		}
		return "Repeat the runs before choosing between the leading groups: their difference is not shown to be significant"
	case artifacts.FactParamEffect:
		return "Compare the per-level means before sweeping further: tune the parameters whose levels differ most"
	case artifacts.FactSpeedup:
		return "Prefer the backend with the measured speedup where it applies, weighing its compile time"
	case artifacts.FactColdStart:
		return "Keep cold first calls out of averages: warm up once per configuration"
	case artifacts.FactFailures:
		return "Fix or exclude the failed runs before comparing settings"
	case artifacts.FactTimeShares:
		return "Work on the largest share of the time first: load, prompt evaluation or generation"
	case artifacts.FactNoDifference:
		return "Keep the cheapest of the settings that made no measurable difference, or repeat the runs to tell them apart"
	case artifacts.FactConcurrency:
		return "Run the agents together only where the measured speedup holds, and watch the contention it reports"
	case artifacts.FactNoInput:
		return "Rerun the runs that analysed no input: their figures measure nothing"
	case artifacts.FactBestLevel, artifacts.FactRatio:
		return "Start from the best level of each setting where its lead is beyond noise; repeat the runs where it is not"
	case artifacts.FactEffect:
		if s, ok := f.significance(); ok && s.significant {
			return "Adopt the level that wins in most matched cells: its effect holds across the other settings"
		}
		return "Do not choose between the two levels yet: their difference is not shown to be significant"
	case artifacts.FactTrend:
		return "Set ordered settings where the curve stops paying, and look again at the steps that go against it"
	case artifacts.FactNearTie:
		return "Choose between the two nearly equal levels by what else they cost (memory, accuracy, price): speed does not decide"
	case artifacts.FactFit:
		return "Stay within the configurations that fit in memory, or free memory before retrying the ones that did not"
	case artifacts.FactFailedRows:
		return "Keep failed records out of every average: their timings are not a served request's"
	case artifacts.FactAgainstBaseline:
		return "Repeat the runs that fall outside the baseline's range before reading them as an effect of their setting"
	case artifacts.FactZeroTimes:
		return "Read the per-token times that print 0 from their p99 or the end-to-end latency: the median of bursts is no time"
	case artifacts.FactOutlier:
		return "Rerun the configurations with outlying repetitions before trusting their means"
	case artifacts.FactPair:
		return "Expect the pair's ratio where the other settings match, except in the cells that lie far from it"
	case artifacts.FactHeadroom:
		return "Size the next configurations to the headroom left: what used most of the total is one step from not fitting"
	case artifacts.FactSortOrder:
		return "Rank by the values, not by the order the table lists them in"
	}
	return ""
}
