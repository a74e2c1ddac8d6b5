package artifacts

import "testing"

func TestFindStreamRatesOfAServingSummary(t *testing.T) {
	root := t.TempDir()
	// 1000 / 15.0 ms = 66.67 tok/s; 1024 / 16 requests = 64 tokens a request, / the median 64 ms = 1000 tok/s.
	writeFiles(t, root, map[string]string{"run.json": `{"duration": 30.5, "completed": 16, "total_input_tokens": 1024,
		"mean_ttft_ms": 80.0, "median_ttft_ms": 64.0, "p99_ttft_ms": 95.0, "mean_tpot_ms": 15.0, "p99_tpot_ms": 15.5}`})
	inv, err := Ingest([]string{root}, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range BuildFacts(inv).Facts {
		if f.Kind == FactStreamRates {
			assertInOrder(t, f.Text, []string{"per stream: decode 66.67 tok/s (1000 / mean_tpot_ms 15 ms)",
				"prefill 1000 tok/s (64 input tokens a request / median_ttft_ms 64 ms)"})
			return
		}
	}
	t.Fatal("no stream rates")
}

// LLMPerf writes its times in seconds: 0.05 s between tokens is 20 tok/s.
func TestFindStreamRatesReadsSeconds(t *testing.T) {
	rel := newRelation("s.json", nil, KindJSON, tableOf([]string{"results_inter_token_latency_s_mean", "results_ttft_s_mean",
		"results_number_input_tokens_mean"}, []string{"0.05", "0.5", "550"}))[0]
	in := findStreamRates(rel)
	if in == nil {
		t.Fatal("no stream rates")
	}
	assertInOrder(t, in.text.String(), []string{"decode 20 tok/s (1000 / results_inter_token_latency_s_mean 50 ms)",
		"prefill 1100 tok/s (550 input tokens a request / results_ttft_s_mean 500 ms)"})
}

func TestFindScalingAgainstTheRequestsInFlight(t *testing.T) {
	root := t.TempDir()
	// 60 / 20 = 3.0× with 5 in flight.
	writeFiles(t, root, map[string]string{"summary.json": `{"num_concurrent_requests": 5, "results_mean_output_throughput_token_per_s": 60.0,
		"results_request_output_throughput_token_per_s_mean": 20.0, "results_ttft_s_mean": 0.4, "results_num_completed_requests": 101}`})
	inv, err := Ingest([]string{root}, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range BuildFacts(inv).Facts {
		if f.Kind == FactScaling {
			assertInOrder(t, f.Text, []string{"5 concurrent requests: aggregate results_mean_output_throughput_token_per_s 60 tok/s",
				"is 3.0× one request's results_request_output_throughput_token_per_s_mean 20 tok/s", "where 5× would be perfect scaling"})
			return
		}
	}
	t.Fatal("no scaling fact")
}

func TestFindRequestErrorsOfASummary(t *testing.T) {
	rel := newRelation("s.json", nil, KindJSON, tableOf([]string{"results_number_errors", "results_num_completed_requests",
		"results_num_completed_requests_per_min", "results_ttft_s_mean"}, []string{"49", "101", "25.19", "0.4"}))[0]
	in := findRequestErrors(rel)
	if in == nil {
		t.Fatal("no request errors")
	}
	// 49 / (49 + 101) = 32.67 %.
	assertInOrder(t, in.text.String(), []string{"error rate 32.67 %: 49 of 150 requests started failed", "101 completed (25.19 per minute)"})
	rel = newRelation("s.json", nil, KindJSON, tableOf([]string{"failed", "completed", "duration"}, []string{"0", "16", "32.2"}))[0]
	if in := findRequestErrors(rel); in == nil || in.text.String() != "none of 16 requests started failed" {
		t.Errorf("no failures: %v", in)
	}
}
