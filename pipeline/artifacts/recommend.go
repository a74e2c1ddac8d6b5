package artifacts

import "fmt"

// maxRecommendations bounds the facts-derived recommendations a report lists.
const maxRecommendations = 6

// adviceByKind is what a fact of each kind asks the reader to do; kinds without advice produce none.
var adviceByKind = map[string]string{
	FactBestConfig: "Start from the fastest measured configuration, then confirm it with repeated runs",
	FactFailures:   "Fix or exclude the failed runs before comparing settings",
	FactColdStart:  "Keep cold first calls out of averages: warm up once per configuration",
	FactSpeedup:    "Prefer the backend with the measured speedup where it applies",
}

// Recommendations turns the facts that call for an action into advice, highest priority first, each quoting the
// fact and its source so nothing in it is invented.
func Recommendations(facts []Fact) []string {
	var recs []string
	for _, f := range RankFacts(facts) {
		advice, ok := adviceByKind[f.Kind]
		if !ok || len(recs) == maxRecommendations {
			continue
		}
		recs = append(recs, fmt.Sprintf("%s: %s (`%s`).", advice, f.Text, f.Source))
	}
	return recs
}
