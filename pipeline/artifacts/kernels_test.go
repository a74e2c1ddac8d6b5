package artifacts

import "testing"

func TestKernelShortName(t *testing.T) {
	for signature, want := range map[string]string{
		"void quantize_mmq_q8_1<1>(const float *, void *, long)":                              "quantize_mmq_q8_1<1>",
		"void mul_mat_vec_q<(ggml_type)8, 1>(const void *, const void *, float *, int)":       "mul_mat_vec_q<(ggml_type)8, 1>",
		"void flash_attn_ext_f16<64, 64, 4, 8, (ggml_type)1, (ggml_type)1, 0> (const char *)": "flash_attn_ext_f16<64, 64, 4, 8, (ggml_type)1, (ggml_type)1, 0>",
		"static __global__ void k_get_rows<float>(const void *)":                              "k_get_rows<float>",
		"rms_norm_f32":                  "rms_norm_f32",
		"void cpy_f32_f16(char *, int)": "cpy_f32_f16",
	} {
		if got := kernelShortName(signature); got != want {
			t.Errorf("kernelShortName(%q) = %q, want %q", signature, got, want)
		}
	}
}

// Failure markers match at the start of a word: "oom" is not in "bloom", "url" not in "curl".
func TestFailureCauseMatchesWordsNotSubstrings(t *testing.T) {
	for message, want := range map[string]string{
		"CUDA error: out of memory":                    "out of memory",
		"OOM killer ended the runner":                  "out of memory",
		"Connection refused (os error 111)":            "connection error",
		"request timed out after 120 s":                "timeout",
		"ModuleNotFoundError: No module named 'torch'": "missing dependency",
		"bloom filter mismatch":                        `"bloom filter mismatch"`,
		"curl exited 22":                               `"curl exited 22"`,
		"ghost process":                                `"ghost process"`,
	} {
		if got := failureCause(message); got != want {
			t.Errorf("failureCause(%q) = %s, want %s", message, got, want)
		}
	}
}

func TestStatusWordsThatMeanFailure(t *testing.T) {
	for cell, want := range map[string]bool{"failed": true, "FAILURE": true, "error": true, "aborted": true, "timed out": true,
		"crashed": true, "ok": false, "success": false, "terrorist": false, "unfailing": false} {
		if got := failureWord.MatchString(cell); got != want {
			t.Errorf("status %q means failure: %v, want %v", cell, got, want)
		}
	}
}
