package artifacts

import (
	"slices"
	"strings"
)

// FactStreamRates: the rates one request stream saw, from the per-token times a serving benchmark reports (vllm
// bench serve's median_tpot_ms and median_ttft_ms, LLMPerf's inter-token latency): decode as one token per time
// per output token, prefill as a request's input tokens over its time to first token. Such a summary gives
// throughputs over all requests at once; these are what a single user meets.
const FactStreamRates = "stream_rates"

// perTokenTimes and firstTokenTimes name the quantities, as quantityName leaves them.
var (
	perTokenTimes   = []string{"tpot", "itl", "tbt", "inter_token_latency", "time_per_output_token"}
	firstTokenTimes = []string{"ttft", "time_to_first_token"}
)

func findStreamRates(rel *relation) *insight {
	if rel.rows != 1 {
		return nil // a summary object; a table of runs has its own rows compared
	}
	perToken, ok := centralTime(rel, perTokenTimes)
	if !ok {
		return nil
	}
	in := &insight{subject: "stream rates", text: &phrase{}, unit: "tok/s", coverage: 1, significance: 1, effect: 0.5}
	p := in.text
	in.value = 1000 / perToken.ms
	p.printf("per stream: decode %s tok/s (1000 / %s %s ms)", p.num(in.value), perToken.m.name, p.num(perToken.ms))
	if firstToken, ok := centralTime(rel, firstTokenTimes); ok {
		if tokens, ok := tokensPerRequest(rel.measures, "input"); ok {
			p.printf("; prefill %s tok/s (%s input tokens a request / %s %s ms)", p.num(tokens/firstToken.ms*1000), p.num(tokens),
				firstToken.m.name, p.num(firstToken.ms))
		}
	}
	return in
}

// timeOf is a measure's first value in milliseconds.
type timeOf struct {
	m  *measure
	ms float64
}

// centralTime is the median of one of the quantities, else their mean, in milliseconds: a statistic of a time
// whose name or unit says ms or s. A median the relation keeps only beside its p99 (a tail) counts too.
func centralTime(rel *relation, quantities []string) (timeOf, bool) {
	return timeStatistic(rel, quantities, centralWords, setOf("median", "p50"))
}

// meanTime is the mean of one of the quantities in milliseconds: what sums of times add up to.
func meanTime(rel *relation, quantities []string) (timeOf, bool) {
	return timeStatistic(rel, quantities, meanWords, meanWords)
}

// timeStatistic is a statistic of one of the quantities, by one of the words, in milliseconds; one by a
// preferred word before the others.
func timeStatistic(rel *relation, quantities []string, words, preferred map[string]bool) (timeOf, bool) {
	candidates := slices.Clone(rel.measures)
	for _, t := range rel.tails {
		candidates = append(candidates, t.central)
	}
	var best timeOf
	for _, m := range candidates {
		stem, word := statisticOf(m.name)
		if !words[word] || !slices.Contains(quantities, quantityName(stem)) || !m.cells[0].isNumber() {
			continue
		}
		scale, ok := millisecondsPer(m, stem)
		if ok && m.cells[0].value > 0 && (best.m == nil || preferred[word]) {
			best = timeOf{m: m, ms: m.cells[0].value * scale}
		}
	}
	return best, best.m != nil
}

// millisecondsPer is how many milliseconds one unit of the time is, by its unit or the unit its name ends in.
func millisecondsPer(m *measure, stem string) (float64, bool) {
	switch {
	case m.unit == "ms" || strings.HasSuffix(stem, "_ms"):
		return 1, true
	case m.unit == "s" || strings.HasSuffix(stem, "_s"):
		return 1000, true
	}
	return 0, false
}

// tokensPerRequest is the tokens of one side ("input", "output") of one request: a mean the summary reports, or
// its total over the requests completed.
func tokensPerRequest(measures []*measure, side string) (float64, bool) {
	if mean, ok := positiveNamed(measures, "results_number_"+side+"_tokens_mean", "mean_"+side+"_tokens", side+"_tokens_mean"); ok {
		return mean, true
	}
	total, hasTotal := positiveNamed(measures, "total_"+side+"_tokens")
	completed, hasCompleted := completedRequests(measures)
	return total / completed, hasTotal && hasCompleted
}

func completedRequests(measures []*measure) (float64, bool) {
	return positiveNamed(measures, "completed", "num_prompts")
}

// positiveNamed is the first value above zero of a measure with one of the normalized names.
func positiveNamed(measures []*measure, names ...string) (float64, bool) {
	i := slices.IndexFunc(measures, func(m *measure) bool {
		return slices.Contains(names, normalizeColumn(m.name)) && m.cells[0].isNumber() && m.cells[0].value > 0
	})
	if i < 0 {
		return 0, false
	}
	return measures[i].cells[0].value, true
}

// FactScaling: what concurrent requests bought, from a serving summary that reports both the aggregate output
// throughput and one request's: the gain against the number in flight (LLMPerf's num_concurrent_requests, vllm's
// max_concurrency), which would be the gain if requests did not slow each other.
const FactScaling = "scaling"

func findScaling(rel *relation) *insight {
	if rel.rows != 1 {
		return nil
	}
	aggregate := firstNamed(rel.measures, func(name string) bool {
		return strings.Contains(name, "output_throughput") && !strings.Contains(name, "request")
	})
	perRequest := firstNamed(rel.measures, func(name string) bool {
		return strings.Contains(name, "request_output_throughput") && !strings.Contains(name, "max") && !strings.Contains(name, "min")
	})
	inFlight, ok := concurrency(rel)
	if aggregate == nil || perRequest == nil || !ok || inFlight < 2 || aggregate.cells[0].value <= 0 || perRequest.cells[0].value <= 0 {
		return nil
	}
	total, one := aggregate.cells[0].value, perRequest.cells[0].value
	in := &insight{subject: "scaling", text: &phrase{}, unit: "×", coverage: 1, significance: 1, value: total / one}
	in.effect = 1 - in.value/inFlight
	p := in.text
	p.printf("%s concurrent requests: aggregate %s %s tok/s is %s× one request's %s %s tok/s, where %s× would be perfect scaling",
		p.num(inFlight), aggregate.name, p.num(total), p.decimals(in.value, 1), perRequest.name, p.num(one), p.num(inFlight))
	return in
}

// firstNamed is the first measure with a value whose normalized name matches; nil when none does.
func firstNamed(measures []*measure, matches func(name string) bool) *measure {
	i := slices.IndexFunc(measures, func(m *measure) bool { return matches(normalizeColumn(m.name)) && m.cells[0].isNumber() })
	if i < 0 {
		return nil
	}
	return measures[i]
}

// concurrency is the number of requests a summary kept in flight, as a measure or a setting says it.
func concurrency(rel *relation) (float64, bool) {
	names := []string{"num_concurrent_requests", "max_concurrency", "concurrency"}
	if m := firstNamed(rel.measures, func(name string) bool { return slices.Contains(names, name) }); m != nil && m.cells[0].value > 0 {
		return m.cells[0].value, true
	}
	for _, d := range rel.dims {
		if slices.Contains(names, normalizeColumn(d.name)) && len(d.values) > 0 && d.values[0] > 0 {
			return d.values[0], true
		}
	}
	return 0, false
}

// FactRequestErrors: how many requests of a serving summary failed, of how many started, and what the completed
// ones came to: the figure every other one of the summary rests on, since failed requests are in none of them.
const FactRequestErrors = "request_errors"

func findRequestErrors(rel *relation) *insight {
	if rel.rows != 1 {
		return nil
	}
	value := func(names ...string) (float64, bool) {
		m := firstNamed(rel.measures, func(name string) bool { return slices.Contains(names, name) })
		if m == nil {
			return 0, false
		}
		return m.cells[0].value, true
	}
	failed, hasFailed := value("results_number_errors", "failed", "num_failed_requests", "number_errors")
	completed, hasCompleted := value("results_num_completed_requests", "completed", "num_completed_requests")
	if !hasFailed || !hasCompleted {
		return nil
	}
	started := failed + completed
	if started <= 0 {
		return nil
	}
	in := &insight{subject: "request errors", text: &phrase{}, unit: "%", coverage: 1, significance: 1, value: 100 * failed / started}
	in.effect = failed / started
	p := in.text
	if failed == 0 {
		p.printf("none of %s requests started failed", p.num(started))
	} else {
		p.printf("error rate %s %%: %s of %s requests started failed, left out of every other figure; %s completed",
			p.decimals(in.value, 2), p.num(failed), p.num(started), p.num(completed))
	}
	if perMinute, ok := value("results_num_completed_requests_per_min"); ok {
		p.printf(" (%s per minute)", p.num(perMinute))
	}
	return in
}
