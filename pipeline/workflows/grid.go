package workflows

import (
	"fmt"
	"strings"

	"chimera/pipeline/engine"
)

// maxGridSize bounds the configurations one bench or sweep may ask for. The grid is counted before it is built,
// so an axis list that multiplies out to millions is refused at once, with its size.
const maxGridSize = 10000

// axisLength is how many values one axis of a grid takes.
type axisLength struct {
	name string
	n    int
}

func (a BenchAxes) lengths() []axisLength {
	return []axisLength{{"num_gpu", len(a.NumGPU)}, {"num_ctx", len(a.NumCtx)}, {"batch", len(a.Batch)},
		{"ubatch", len(a.UBatch)}, {"threads", len(a.Threads)}, {"flash_attn", len(a.FlashAttn)}, {"cache_type_k", len(a.CacheTypeK)},
		{"cache_type_v", len(a.CacheTypeV)}}
}

func (a SweepAxes) lengths() []axisLength {
	return append(a.BenchAxes.lengths(), axisLength{"temperature", len(a.Temperature)}, axisLength{"top_p", len(a.TopP)},
		axisLength{"top_k", len(a.TopK)}, axisLength{"repeat_penalty", len(a.RepeatPenalty)})
}

// checkGridSize refuses axes whose combinations exceed maxGridSize, naming the axes with more than one value.
func checkGridSize(axes []axisLength) error {
	size := 1.0 // a float: eleven axes of a thousand values overflow an int
	var factors []string
	for _, a := range axes {
		size *= float64(a.n)
		if a.n > 1 {
			factors = append(factors, fmt.Sprintf("%s %d", a.name, a.n))
		}
	}
	if size <= maxGridSize {
		return nil
	}
	return engine.Invalid(fmt.Errorf("the grid has %.0f configurations (%s), more than the limit of %d: sweep fewer values",
		size, strings.Join(factors, " × "), maxGridSize))
}
