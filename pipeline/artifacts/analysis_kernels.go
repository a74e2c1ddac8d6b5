package artifacts

import (
	"math"
	"strconv"
	"strings"
)

// addKernelTimes reports each profiled kernel's duration, as Nsight Compute exports give it.
func (v *tableView) addKernelTimes(l *factList) {
	name, okName := v.column(roleKernelName)
	duration, okDuration := v.column(roleKernelTime)
	if !okName || !okDuration {
		return
	}
	for i, r := range v.ok {
		if math.IsNaN(r.values[duration]) {
			continue
		}
		var p phrase
		p.printf("kernel %s took %s (%s)", kernelShortName(r.cells[name]), p.withUnit(r.values[duration], v.unit(duration)),
			v.t.field(duration))
		l.add(v.fact(FactKernel, duration, strconv.Itoa(i+1), priorityKernel, &p, r.values[duration], v.unit(duration)))
	}
}

// kernelShortName drops a demangled signature's return type and parameter list, reading template arguments as
// part of the name: "void quantize_mmq_q8_1<1>(const float *, …)" → "quantize_mmq_q8_1<1>", and
// "void mul_mat_vec_q<(ggml_type)8, 1>(const void *, …)" → "mul_mat_vec_q<(ggml_type)8, 1>".
func kernelShortName(signature string) string {
	masked := maskTemplateArguments(signature)
	end := strings.IndexByte(masked, '(')
	if end < 0 {
		end = len(masked)
	}
	for end > 0 && masked[end-1] == ' ' {
		end--
	}
	return signature[strings.LastIndexByte(masked[:end], ' ')+1 : end]
}

// maskTemplateArguments replaces every byte inside <…> with '_', so that the spaces and parentheses of template
// arguments do not count as a signature's own.
func maskTemplateArguments(s string) string {
	masked := []byte(s)
	depth := 0
	for i, c := range masked {
		switch {
		case c == '<':
			depth++
		case c == '>' && depth > 0:
			depth--
		case depth > 0:
			masked[i] = '_'
		}
	}
	return string(masked)
}
