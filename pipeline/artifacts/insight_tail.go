package artifacts

import (
	"math"
	"slices"
	"strings"
)

// FactTail: how far a quantity's p99 lies from its median, where a tool reports both (vllm bench serve's
// median_ttft_ms and p99_ttft_ms, LLMPerf's quantiles): the tail a user meets one request in a hundred.
const FactTail = "tail"

// tail pairs a quantity's median (or mean, without a median) with its p99.
type tail struct {
	quantity      string
	central, p99  *measure
	centralIsMean bool
}

// findTails pairs, by quantity, the p99 measures with the median measures, or the mean ones where there is no
// median.
func findTails(measures []*measure) []tail {
	centrals := map[string]*measure{}
	means := map[string]bool{}
	for _, m := range measures {
		stem, word := statisticOf(m.name)
		switch {
		case word == "median" || word == "p50":
			centrals[stem], means[stem] = m, false
		case centralWords[word] && centrals[stem] == nil:
			centrals[stem], means[stem] = m, true
		}
	}
	var tails []tail
	for _, m := range measures {
		if stem, word := statisticOf(m.name); word == "p99" && centrals[stem] != nil {
			tails = append(tails, tail{quantity: quantityName(stem), central: centrals[stem], p99: m, centralIsMean: means[stem]})
		}
	}
	return tails
}

// quantityName is a stem without the words every statistic of it shares: ttft for results_ttft_ms.
func quantityName(stem string) string {
	parts := slices.DeleteFunc(strings.Split(stem, "_"), func(w string) bool {
		return w == "results" || w == "ms" || w == "s" || w == "quantiles"
	})
	return strings.Join(parts, "_")
}

func findTail(rel *relation) *insight {
	if len(rel.tails) == 0 {
		return nil
	}
	in := &insight{subject: "tail", text: &phrase{}, coverage: 1, significance: 1}
	p := in.text
	listed := 0
	for _, t := range rel.tails {
		ratio, row, ok := worstTail(t)
		if !ok {
			continue
		}
		c, q := t.central.cells[row], t.p99.cells[row]
		word := "median"
		if t.centralIsMean {
			word = "mean"
		}
		if listed == 0 {
			p.printf("tails, p99/%s", word)
		}
		p.printf("%s%s %s (p99 %s, %s %s)", listItem(listed, "; "), t.quantity, p.decimals(ratio, 3),
			p.fixed(q.value, int(q.decimals)), word, p.fixed(c.value, int(c.decimals)))
		in.effect = math.Max(in.effect, ratio-1)
		in.value = math.Max(in.value, ratio)
		listed++
	}
	if listed == 0 {
		return nil
	}
	return in
}

// worstTail is the largest p99-to-central ratio over the rows that have both, and its row.
func worstTail(t tail) (ratio float64, row int, ok bool) {
	for i := range t.central.cells {
		c, q := t.central.cells[i], t.p99.cells[i]
		if !c.isNumber() || !q.isNumber() || c.value <= 0 {
			continue
		}
		if r := q.value / c.value; !ok || r > ratio {
			ratio, row, ok = r, i, true
		}
	}
	return ratio, row, ok
}
