package artifacts

import (
	"math"
	"strings"
)

// FactConsistency: a rate a tool reports that its own count and duration reproduce (vllm bench serve's
// output_throughput = total_output_tokens / duration), or do not. An engineer checks this before trusting a
// summary: a rate that matches says which count and which time the tool divided; one that misses says that a
// figure was computed from something the file does not show.
const FactConsistency = "consistency"

// consistencyTolerance is how close count / duration must come to a rate to be the rate's own computation: tools
// print enough digits that a real match agrees to far better than this.
const consistencyTolerance = 1e-3

// rateCheck is a rate with the count and the duration in seconds that reproduce it in every row.
type rateCheck struct {
	rate, count, duration *measure
	row                   int // the first row with all three
	rows                  int // the rows with all three
}

func findConsistency(rel *relation) *insight {
	checks := reproducedRates(rel.measures)
	request, timed := requestTimeOf(rel)
	if len(checks) == 0 && !timed {
		return nil
	}
	in := &insight{subject: "rates", text: &phrase{}, coverage: 1, significance: 1, effect: 0.5}
	p := in.text
	if !timed || request.adds() {
		p.printf("internally consistent, ")
	}
	if len(checks) > 0 {
		in.value = checks[0].rate.cells[checks[0].row].value
		writeReproducedRates(p, checks)
		p.printf("; ")
	}
	if timed {
		in.value = request.measured()
		request.write(p)
	}
	return in
}

func writeReproducedRates(p *phrase, checks []rateCheck) {
	p.printf("rates reproduced by their own count and duration")
	for i, c := range checks {
		if i == maxListed {
			p.more(len(checks) - i)
			break
		}
		r, n, d := c.rate.cells[c.row], c.count.cells[c.row], c.duration.cells[c.row]
		p.printf("%s%s %s = %s %s / %s %s s", listItem(i, "; "), c.rate.name, p.significant(r.value, 4), c.count.name,
			p.num(n.value), c.duration.name, p.significant(seconds(c.duration, d.value), 4))
		if c.rows > 1 {
			p.printf(" (and in every other of %s rows)", p.count(c.rows))
		}
	}
}

// requestTime is one request's time two ways, in a serving summary whose requests ran one at a time: the run's
// duration over the requests completed, and the sum of its per-token times, the first token's and then one
// time per output token for each of the others (vllm's TPOT is defined over those).
type requestTime struct {
	duration             *measure
	completed, tokens    float64 // requests completed; output tokens per request
	firstToken, perToken timeOf  // means
}

// requestTimeTolerance is how close the two must come for the per-token times to account for the request:
// between sequential requests a client spends little, but not nothing.
const requestTimeTolerance = 0.01

func requestTimeOf(rel *relation) (requestTime, bool) {
	var t requestTime
	inFlight, ok := concurrency(rel)
	if !ok || inFlight != 1 || rel.rows != 1 {
		return t, false
	}
	t.duration = firstNamed(rel.measures, func(name string) bool { return name == "duration" })
	completed, hasCompleted := completedRequests(rel.measures)
	tokens, hasTokens := tokensPerRequest(rel.measures, "output")
	firstToken, hasFirst := meanTime(rel, firstTokenTimes)
	perToken, hasPerToken := meanTime(rel, perTokenTimes)
	if t.duration == nil || !hasCompleted || !hasTokens || !hasFirst || !hasPerToken {
		return t, false
	}
	t.completed, t.tokens, t.firstToken, t.perToken = completed, tokens, firstToken, perToken
	return t, true
}

// measured is one request's time in seconds from the run's duration; summed is the same from its per-token
// times.
func (t requestTime) measured() float64 {
	return seconds(t.duration, t.duration.cells[0].value) / t.completed
}
func (t requestTime) summed() float64 {
	return (t.firstToken.ms + (t.tokens-1)*t.perToken.ms) / 1000
}

// adds reports whether the per-token times account for the request's time.
func (t requestTime) adds() bool { return math.Abs(t.summed()/t.measured()-1) <= requestTimeTolerance }

// write states both figures and how far apart they are.
func (t requestTime) write(p *phrase) {
	verb := "is"
	if !t.adds() {
		verb = "is not"
	}
	p.printf("one request at a time, so a request's %s s (%s / %s completed) %s %s %s ms + %s × %s %s ms = %s s (%s %% apart)",
		p.significant(t.measured(), 5), t.duration.name, p.num(t.completed), verb, t.firstToken.m.name, p.num(t.firstToken.ms),
		p.num(t.tokens-1), t.perToken.m.name, p.num(t.perToken.ms), p.significant(t.summed(), 5),
		p.significant(100*math.Abs(t.summed()/t.measured()-1), 2))
}

// reproducedRates are the rates that some count divided by some duration gives in every row where all three have
// values, to within consistencyTolerance.
func reproducedRates(measures []*measure) []rateCheck {
	var checks []rateCheck
	for _, rate := range measures {
		if !isRateMeasure(rate) {
			continue
		}
		if c, ok := reproduce(rate, measures); ok {
			checks = append(checks, c)
		}
	}
	return checks
}

// reproduce finds the first count and duration among measures whose quotient is rate in every row.
func reproduce(rate *measure, measures []*measure) (rateCheck, bool) {
	for _, duration := range measures {
		if !isDuration(duration) {
			continue
		}
		for _, count := range measures {
			if count == rate || count == duration || isRateMeasure(count) {
				continue
			}
			if row, rows := quotientMatches(rate, count, duration); rows > 0 {
				return rateCheck{rate: rate, count: count, duration: duration, row: row, rows: rows}, true
			}
		}
	}
	return rateCheck{}, false
}

// quotientMatches counts the rows with all three values when count / duration equals rate in every one of them,
// with the first; 0 rows when one differs.
func quotientMatches(rate, count, duration *measure) (first, rows int) {
	first = -1
	for i := range rate.cells {
		r, n, d := rate.cells[i], count.cells[i], duration.cells[i]
		if !r.isNumber() || !n.isNumber() || !d.isNumber() {
			continue
		}
		secs := seconds(duration, d.value)
		if r.value <= 0 || n.value <= 0 || secs <= 0 || math.Abs(n.value/secs-r.value) > consistencyTolerance*r.value {
			return -1, 0
		}
		if first < 0 {
			first = i
		}
		rows++
	}
	return first, rows
}

// isRateMeasure: a quantity per second, by its unit or by a name that says throughput.
func isRateMeasure(m *measure) bool {
	return isRate(m) || strings.Contains(normalizeColumn(m.name), "throughput")
}

// isDuration: a wall time in seconds or milliseconds, by its unit or by its name.
func isDuration(m *measure) bool {
	return m.unit == "s" || m.unit == "ms" || containsWord(normalizeColumn(m.name), "duration")
}

// seconds converts a duration's value to seconds.
func seconds(duration *measure, v float64) float64 {
	if duration.unit == "ms" {
		return v / 1000
	}
	return v
}
