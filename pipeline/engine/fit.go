package engine

import (
	"fmt"
	"strings"

	"chimera/llama"
)

// fitLoad loads the model with the largest offload at or below cfg.NumGPU that fits: the model and one context of
// cfg.Context, as llama.cpp allocates them with cfg's placement, must leave cfg.FitTarget MiB of each GPU they
// occupy free, by the free memory the devices reported before the first try (overBudget). Each try is a real load,
// measured by llama.cpp's own buffers, so what fits is what runs. The offload asked for is tried first and kept if
// it fits; else the offloads are bisected, each try closed before the next (two loads at once would each find the
// device fuller than it will be), and the largest that fitted is loaded again.
func (f *ModelFile) fitLoad(cfg Config) (*llama.Model, error) {
	free, margin := llama.Devices(), int64(cfg.FitTarget)<<20
	asked := EffectiveNumGPU(cfg.NumGPU, int(f.Info.BlockCount), true)
	var kept *llama.Model // the load as asked, where it fits
	var over error        // why the smallest offload tried that did not fit did not
	layers := largestFitting(asked, func(numGPU int) bool {
		first := numGPU == asked
		if first {
			numGPU = cfg.NumGPU // the load as asked, as it is recorded without --fit
		}
		m, err := f.loadWithin(cfg, numGPU, free, margin)
		switch {
		case err != nil:
			over = err
			return false
		case first:
			kept = m // fitting, the first try ends the search
		default:
			m.Close()
		}
		return true
	})
	switch {
	case kept != nil:
		return kept, nil
	case layers < 0:
		return nil, fmt.Errorf("--fit: not even num_gpu 0 fits: %w", over)
	}
	f.note("--fit: num_gpu %d is the largest offload that fits (asked for %s); at %d, %v", layers, NumGPULabel(cfg.NumGPU), layers+1, over)
	return f.loadWithin(cfg, layers, free, margin)
}

// loadWithin loads the model with numGPU layers offloaded and creates one context of cfg.Context on it: the model
// if their buffers fit the devices (overBudget), else an error saying why not or why the load failed.
func (f *ModelFile) loadWithin(cfg Config, numGPU int, free []llama.Device, margin int64) (*llama.Model, error) {
	params := cfg.loadParams()
	params.NumGPU = numGPU
	m, err := llama.LoadModel(f.Ref.Path, params)
	if err != nil {
		return nil, err
	}
	ctx, err := m.NewContext(cfg.Context.ContextParams)
	if err != nil {
		m.Close()
		return nil, err
	}
	ctx.Close()
	if err := overBudget(free, margin, append(m.Load.Buffers, ctx.Buffers...)); err != nil {
		m.Close()
		return nil, err
	}
	return m, nil
}

// overBudget says which GPU the buffers would fill past its free memory less margin; nil if they fit. Each GPU
// is checked against its own buffers, and the GPUs that hold any together against all of theirs with the weights
// a row split spreads over them. GPUs without a buffer are not used, whatever their memory.
func overBudget(devices []llama.Device, margin int64, buffers []llama.BufferSize) error {
	var used []string
	var room int64
	for _, d := range devices {
		own := ownBytes(d.Name, buffers)
		if own == 0 || (d.Type != "gpu" && d.Type != "igpu") {
			continue
		}
		if free := int64(d.FreeBytes) - margin; own > free {
			return fmt.Errorf("%s would hold %s, more than its %s free less the fit target of %s", d.Name, mib(own), mib(int64(d.FreeBytes)), mib(margin))
		}
		used, room = append(used, d.Name), room+int64(d.FreeBytes)-margin
	}
	if all := bytesOn(used, buffers); all > room {
		return fmt.Errorf("the GPUs used (%s) would hold %s with the rows split over them, more than their free memory less the fit target, %s",
			strings.Join(used, ", "), mib(all), mib(room))
	}
	return nil
}

// largestFitting is the largest count in 0..asked that fits, asked tried first, then a bisection that assumes that
// fewer layers never take more memory; -1 if none fits.
func largestFitting(asked int, fits func(int) bool) int {
	if fits(asked) {
		return asked
	}
	lo, hi := -1, asked // lo fits (or is -1), hi does not
	for lo+1 < hi {
		if mid := lo + (hi-lo)/2; fits(mid) {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo
}
