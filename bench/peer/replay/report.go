package main

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"chimera/bench/benchdoc"

	"chimera/pipeline/render"
)

// reportCommand prints the tables of the rounds in dir and, when the work was equal, writes them into doc.
func reportCommand(out io.Writer, dir, doc string) error {
	rounds, err := readRounds(dir)
	if err != nil {
		return err
	}
	meta, err := readEnv(filepath.Join(dir, "meta.env"))
	if err != nil {
		return err
	}
	fetched, err := os.ReadFile(filepath.Join(dir, "FETCHED"))
	if err != nil {
		return err
	}
	check := checkWork(rounds)
	md := markdown(meta, string(fetched), rounds, check)
	if _, err := io.WriteString(out, md); err != nil {
		return err
	}
	if len(check.problems) > 0 {
		return fmt.Errorf("the two sides did not do equal work, so nothing is written into %s:\n  %s", cmp.Or(doc, "the doc"),
			strings.Join(check.problems, "\n  "))
	}
	if doc == "" {
		return nil
	}
	return page.Write(doc, md)
}

// markdown is the generated block of docs/benchmarks/peer-ollama.md.
func markdown(meta map[string]string, fetched string, rounds []*round, check workCheck) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Measured %s by `make bench-peer` (`bench/peer/run.sh`): %d round(s), each one `chimera run` "+
		"and the replay of a chimera run's calls on Ollama, in alternating order.\n\n", meta["date"], len(rounds))
	benchdoc.WriteTable(&b, machineTable(meta))
	writeWorkflow(&b, rounds)
	writeCalls(&b, rounds, check)
	writeRSS(&b, rounds)
	writeMethod(&b, meta, fetched, rounds[0])
	return b.String()
}

func machineTable(m map[string]string) *render.Table {
	t := render.NewTable("machine", "")
	for _, kv := range [][2]string{
		{"CPU", m["cpu_model"]}, {"cores", m["cores"]}, {"memory", m["memory"]}, {"kernel", m["kernel"]},
		{"OS", m["os"]}, {"chimera", m["chimera_build"]}, {"Ollama", m["ollama_build"]}, {"model", m["model"]},
		{"settings (both)", m["settings"]},
		{"load average (1, 5, 15 min)", "before the first round " + m["load_start"] + "; after the last " + m["load_end"]},
	} {
		if kv[1] != "" {
			t.Add(kv[0], kv[1])
		}
	}
	return t
}

func writeWorkflow(b *strings.Builder, rounds []*round) {
	b.WriteString("### Workflow wall time, excluding load\n\n" +
		"- **chimera**: the process's wall time (`/usr/bin/time -v`) minus `model_check_ms` + `load_ms` + " +
		"`context_ms` from `chimera run --json` (finding and validating the GGUF, loading it, creating the context). " +
		"Left in: start-up, ingest, prompt fitting, the calls, report writing, SQLite and exit.\n" +
		"- **Ollama**: the client's time from sending the first call's request to reading the last call's final " +
		"chunk, the model loaded beforehand by a preload with the same options (not counted). Left in: the calls, " +
		"HTTP and Ollama's own tokenization and scheduling; the replay fits no prompt and writes no report.\n\n")
	t := render.NewTable("round", "first", "chimera wall s", "chimera load s", "chimera excl. load s",
		"Ollama preload s", "Ollama excl. load s", "chimera ÷ Ollama", "calls replayed").AlignRight(2, 3, 4, 5, 6, 7)
	var ratios, chimera, ollama []float64
	for _, r := range rounds {
		first := "chimera"
		if r.ollamaFirst {
			first = "Ollama"
		}
		replayed := "this round's run"
		if !r.replayedOwnID {
			replayed = fmt.Sprintf("run %d's (previous round)", r.ollama.RunID)
		}
		t.Add(fmt.Sprint(r.n), first, seconds(r.chimeraTime.WallS*1000), seconds(r.chimera.loadMS()),
			seconds(r.chimeraWorkflowMS()), seconds(r.ollama.LoadMS), seconds(r.ollama.WorkflowMS), fmt.Sprintf("%.2f", r.ratio()),
			replayed)
		ratios, chimera = append(ratios, r.ratio()), append(chimera, r.chimeraWorkflowMS()/1000)
		ollama = append(ollama, r.ollama.WorkflowMS/1000)
	}
	t.Add("**median**", "", "", "", benchdoc.MedianRange(chimera, 2), "", benchdoc.MedianRange(ollama, 2), benchdoc.MedianRange(ratios, 2), "")
	benchdoc.WriteTable(b, t)
	fmt.Fprintf(b, "workflow wall time, chimera ÷ Ollama: %.2f\n\n", median(ratios))
}

func seconds(ms float64) string { return fmt.Sprintf("%.2f", ms/1000) }

// perRound gathers one value per round.
func perRound[T any](rounds []*round, value func(r *round) T) []T {
	values := make([]T, len(rounds))
	for k, r := range rounds {
		values[k] = value(r)
	}
	return values
}

func writeCalls(b *strings.Builder, rounds []*round, check workCheck) {
	b.WriteString("### Per call\n\nMedian over the rounds, with the range. chimera's figures are its own " +
		"(`chimera run --json`); Ollama's TTFT and call wall time are measured by the client (request sent → first " +
		"streamed chunk, → final chunk), its rates come from the final chunk's counts and durations with chimera's " +
		"definitions: prompt tok/s = (prompt tokens − cached) / prompt_eval_duration, decode tok/s = " +
		"(eval_count − 1) / eval_duration (Ollama's eval_duration leaves out sampling time, chimera's eval_ms " +
		"does not).\n\n")
	benchdoc.WriteTable(b, speedTable(rounds))
	fmt.Fprintf(b, "Equal work, both sides, per call: the prompt as counted by each side's tokenizer (they may differ "+
		"by %d %% at most, or the comparison fails; a report call keeps the analysis answer's generated tokens, which "+
		"Ollama tokenizes afresh), the tokens found in the KV cache from the previous call, and the tokens generated "+
		"(num_predict on both; equal unless a side reached the end of generation).\n\n", promptTolerancePercent)
	benchdoc.WriteTable(b, workTable(rounds))
	writeNotes(b, rounds, check)
}

func speedTable(rounds []*round) *render.Table {
	t := benchdoc.AlignNumbers(render.NewTable("call", "TTFT ms chimera", "TTFT ms Ollama", "prompt tok/s chimera",
		"prompt tok/s Ollama", "decode tok/s chimera", "decode tok/s Ollama", "call wall ms chimera", "call wall ms Ollama"))
	for i, c := range rounds[0].chimeraCalls {
		ch := func(r *round) chimeraCall { return r.chimeraCalls[i] }
		ol := func(r *round) ollamaCall { return r.ollama.Calls[i] }
		ms := func(value func(r *round) float64) string { return benchdoc.MedianRange(perRound(rounds, value), 0) }
		tps := func(value func(r *round) float64) string { return benchdoc.MedianRange(perRound(rounds, value), 1) }
		t.Add(callName(c),
			ms(func(r *round) float64 { return ch(r).Timings.TTFTMS }),
			ms(func(r *round) float64 { return ol(r).TTFTMS }),
			tps(func(r *round) float64 { return ch(r).Timings.PromptTPS }),
			tps(func(r *round) float64 { return r.ollamaPromptTPS(i) }),
			tps(func(r *round) float64 { return ch(r).Timings.DecodeTPS }),
			tps(func(r *round) float64 { return ollamaDecodeTPS(ol(r)) }),
			ms(func(r *round) float64 { return ch(r).Timings.TotalMS }),
			ms(func(r *round) float64 { return ol(r).WallMS }))
	}
	return t
}

func workTable(rounds []*round) *render.Table {
	t := benchdoc.AlignNumbers(render.NewTable("call", "prompt tokens chimera", "prompt tokens Ollama", "Ollama − chimera",
		"cached chimera", "cached Ollama", "generated chimera", "generated Ollama"))
	for i, c := range rounds[0].chimeraCalls {
		ch := func(r *round) chimeraCall { return r.chimeraCalls[i] }
		ol := func(r *round) ollamaCall { return r.ollama.Calls[i] }
		cell := func(value func(r *round) int) string { return countRange(perRound(rounds, value)) }
		t.Add(callName(c),
			cell(func(r *round) int { return ch(r).Timings.PromptTokens }),
			cell(func(r *round) int { return ol(r).PromptEvalCount }),
			cell(func(r *round) int { return ol(r).PromptEvalCount - ch(r).Timings.PromptTokens }),
			cell(func(r *round) int { return ch(r).Timings.PromptCachedTokens }),
			ollamaCached(rounds, i),
			cell(func(r *round) int { return ch(r).Timings.GenTokens }),
			cell(func(r *round) int { return ol(r).EvalCount }))
	}
	return t
}

// ollamaCached is call i's cached tokens on Ollama over the rounds, or why it is unknown.
func ollamaCached(rounds []*round, i int) string {
	var ns []int
	for _, r := range rounds {
		n, ok := r.ollamaCachedTokens(i)
		if !ok {
			return "cannot tell"
		}
		ns = append(ns, n)
	}
	return countRange(ns)
}

func writeNotes(b *strings.Builder, rounds []*round, check workCheck) {
	notes := append([]string(nil), check.notes...)
	for _, r := range rounds {
		if r.ollamaCached == nil {
			notes = append(notes, fmt.Sprintf("round %d: Ollama's log has no cache line per call, so its cached "+
				"tokens cannot be told and its prompt tok/s is taken over the whole prompt", r.n))
		}
	}
	notes = append(notes, check.problems...)
	if len(notes) == 0 {
		b.WriteString("Every call generated the same number of tokens on both sides.\n\n")
		return
	}
	for _, n := range notes {
		fmt.Fprintf(b, "- %s\n", n)
	}
	b.WriteString("\n")
}

func writeRSS(b *strings.Builder, rounds []*round) {
	b.WriteString("### Peak RSS (MiB)\n\nchimera: `/usr/bin/time -v`'s maximum resident set size. Ollama: VmHWM " +
		"(`/proc/PID/status`) of the server and of the runner process it starts, read before they are stopped; " +
		"their sum is an upper bound of the two processes' peak together.\n\n")
	t := benchdoc.AlignNumbers(render.NewTable("round", "chimera", "Ollama server", "Ollama runner", "Ollama server + runner"))
	var ch, server, runner, sum []float64
	for _, r := range rounds {
		rss := r.ollamaRSS
		t.Add(fmt.Sprint(r.n), mib(r.chimeraTime.PeakKiB), mib(rss.serverKiB), mib(rss.runnerKiB), mib(rss.serverKiB+rss.runnerKiB))
		ch, server = append(ch, kibToMiB(r.chimeraTime.PeakKiB)), append(server, kibToMiB(rss.serverKiB))
		runner, sum = append(runner, kibToMiB(rss.runnerKiB)), append(sum, kibToMiB(rss.serverKiB+rss.runnerKiB))
	}
	t.Add("**median**", benchdoc.MedianRange(ch, 0), benchdoc.MedianRange(server, 0), benchdoc.MedianRange(runner, 0), benchdoc.MedianRange(sum, 0))
	benchdoc.WriteTable(b, t)
}

func kibToMiB(kib int64) float64 { return float64(kib) / 1024 }

func mib(kib int64) string { return fmt.Sprintf("%.0f", kibToMiB(kib)) }

func writeMethod(b *strings.Builder, meta map[string]string, fetched string, first *round) {
	opts, _ := json.Marshal(first.ollama.Calls[0].Options) // a struct of numbers always marshals
	fmt.Fprintf(b, "### How it was run\n\nEach round, in its order:\n\n"+
		"```sh\n%s\n```\n\n"+
		"and on Ollama, started afresh for the round (the model created once from the same GGUF, Modelfile `FROM "+
		"<gguf>`):\n\n```sh\n%s\n%s\n%s\n```\n\n"+
		"The replay reads the run's calls from chimera's SQLite database (`llm_calls.rendered_prompt`, the exact "+
		"text chimera's tokenizer was given, and the settings in `agent_runs.config_json`) and posts each to "+
		"`/api/generate` with `raw: true`, `stream: true`, `keep_alive: -1` and these options:\n\n```json\n%s\n```\n\n"+
		"An Ollama-first round replays the previous round's run, its calls being known only once a run has made "+
		"them; the equal-work check compares each round's Ollama calls with that round's own chimera run.\n\n"+
		"The Ollama build (`bench/peer/build-ollama.sh`, cached in `.cache/peer/`): %s. It fetched:\n\n%s\n",
		meta["cmd_chimera"], meta["cmd_server"], meta["cmd_create"], meta["cmd_replay"], opts, meta["ollama_build"],
		strings.TrimSpace(fetched))
}

// page is docs/benchmarks/peer-ollama.md's generated block.
var page = benchdoc.Block{
	Begin: "<!-- peer:begin (generated by make bench-peer; edits inside are overwritten) -->",
	End:   "<!-- peer:end -->",
	Title: "chimera against Ollama",
}
