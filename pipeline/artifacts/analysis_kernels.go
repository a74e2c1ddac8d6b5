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

// kernelShortName drops a demangled signature's return type and parameter list:
// "void quantize_mmq_q8_1<1>(const float *, …)" → "quantize_mmq_q8_1<1>".
func kernelShortName(signature string) string {
	name, _, _ := strings.Cut(signature, "(")
	name = strings.TrimSpace(name)
	return name[strings.LastIndexByte(name, ' ')+1:]
}
