package engine

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"chimera/llama"
	"chimera/store"
)

// SplitModes are the ways llama.cpp spreads layers over several GPUs.
var SplitModes = []string{"none", "layer", "row"}

// noDevices is the devices value that offloads to none of them.
const noDevices = "none"

// validatePlacement checks the multi-GPU settings' form; CheckDevices checks them against the devices found.
func (c Config) validatePlacement() error {
	if !slices.Contains(SplitModes, c.SplitMode) {
		return fmt.Errorf("split_mode must be one of %s, got %q", strings.Join(SplitModes, ", "), c.SplitMode)
	}
	if c.MainGPU < 0 || c.MainGPU >= llama.MaxDevices() {
		return fmt.Errorf("main_gpu must be between 0 and %d, got %d", llama.MaxDevices()-1, c.MainGPU)
	}
	if _, err := c.tensorSplit(); err != nil {
		return err
	}
	_, err := c.deviceNames()
	return err
}

// tensorSplit reads TensorSplit: one non-negative share per GPU, not all zero; nil when unset.
func (c Config) tensorSplit() ([]float32, error) {
	if c.TensorSplit == "" {
		return nil, nil
	}
	parts := strings.Split(c.TensorSplit, "/")
	if len(parts) > llama.MaxDevices() {
		return nil, fmt.Errorf("tensor_split %q has %d parts; llama.cpp takes at most %d", c.TensorSplit, len(parts), llama.MaxDevices())
	}
	shares := make([]float32, len(parts))
	var total float64
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 32)
		if err != nil || f < 0 || math.IsInf(f, 0) || math.IsNaN(f) {
			return nil, fmt.Errorf("tensor_split %q: %q is not a share of 0 or more", c.TensorSplit, p)
		}
		shares[i], total = float32(f), total+f
	}
	if total == 0 {
		return nil, fmt.Errorf("tensor_split %q gives every GPU a share of 0", c.TensorSplit)
	}
	return shares, nil
}

// deviceNames reads Devices: nil for llama.cpp's choice, an empty list for none.
func (c Config) deviceNames() ([]string, error) {
	switch c.Devices {
	case "":
		return nil, nil
	case noDevices:
		return []string{}, nil
	}
	names := strings.Split(c.Devices, "/")
	for i, name := range names {
		names[i] = strings.TrimSpace(name)
		repeated := slices.ContainsFunc(names[:i], func(n string) bool { return strings.EqualFold(n, names[i]) })
		if names[i] == "" || names[i] == noDevices || repeated {
			return nil, fmt.Errorf("devices %q: name each device once, as CUDA0/CUDA1, or give none alone", c.Devices)
		}
	}
	return names, nil
}

// Check is everything known about c before a load: Validate, then CheckDevices on the devices registered. Its
// errors are input errors.
func (c Config) Check() error { return c.CheckOn(llama.Devices()) }

// CheckOn is Check against devices read once for many configurations: reading them queries every device's memory.
func (c Config) CheckOn(found []llama.Device) error {
	if err := c.Validate(); err != nil {
		return Invalid(err)
	}
	return c.CheckDevices(found)
}

// CheckDevices checks the multi-GPU settings against the devices found: every device named exists and is a GPU,
// and the main GPU and the tensor split's parts are among the GPUs used, those named or else those llama.cpp
// picks (defaultGPUs).
func (c Config) CheckDevices(found []llama.Device) error {
	gpus := gpuNames(found)
	names, err := c.deviceNames()
	if err != nil {
		return Invalid(err)
	}
	for _, name := range names {
		if !slices.ContainsFunc(gpus, func(g string) bool { return strings.EqualFold(g, name) }) {
			return Invalid(fmt.Errorf("device %s was not found; the GPUs here are: %s", name, listOrNone(gpus)))
		}
	}
	if names == nil {
		names = gpuNames(defaultGPUs(found))
	}
	split, err := c.tensorSplit()
	if err != nil {
		return Invalid(err)
	}
	used := len(names)
	switch {
	case len(split) > used:
		return Invalid(fmt.Errorf("tensor_split %s has %d parts but %d GPUs are used (%s)", c.TensorSplit, len(split), used, listOrNone(names)))
	case c.SplitMode == "none" && c.MainGPU >= used:
		return Invalid(fmt.Errorf("split_mode none puts the model on GPU %d (main_gpu), but %d GPUs are used (%s)", c.MainGPU, used, listOrNone(names)))
	case c.MainGPU > 0 && c.MainGPU >= used:
		return Invalid(fmt.Errorf("main_gpu %d is not among the %d GPUs used (%s)", c.MainGPU, used, listOrNone(names)))
	}
	return nil
}

// PlacementLabel names the multi-GPU settings that differ from chimera's defaults in llama-bench's short names,
// "sm row, ts 3/1"; "" when none does. Values are as recorded (an empty tensor split or device list is auto).
func PlacementLabel(splitMode string, mainGPU int, tensorSplit, devices string) string {
	d := DefaultConfig()
	var parts []string
	for _, p := range []struct{ short, value, fallback string }{{"sm", splitMode, d.SplitMode}, {"mg", strconv.Itoa(mainGPU), "0"},
		{"ts", tensorSplit, d.TensorSplit}, {"dev", devices, d.Devices}} {
		if p.value != p.fallback && p.value != "" {
			parts = append(parts, p.short+" "+p.value)
		}
	}
	return strings.Join(parts, ", ")
}

// Comparable is c with its placement written as settings are compared (store.ComparableValue): device names in one
// case, a tensor split as proportions.
func (c Config) Comparable() Config {
	c.TensorSplit = store.ComparableValue("tensor_split", c.TensorSplit)
	c.Devices = store.ComparableValue("devices", c.Devices)
	return c
}

// loadParams are the multi-GPU settings as the binding takes them; the config was checked.
func (c Config) loadParams() llama.ModelParams {
	split, _ := c.tensorSplit()
	names, _ := c.deviceNames()
	return llama.ModelParams{NumGPU: c.NumGPU, UseMmap: c.UseMmap, SplitMode: c.SplitMode, MainGPU: c.MainGPU, TensorSplit: split, Devices: names}
}

func gpuNames(devices []llama.Device) []string {
	var names []string
	for _, d := range devices {
		if d.Type == "gpu" || d.Type == "igpu" {
			names = append(names, d.Name)
		}
	}
	return names
}

// defaultGPUs are the devices llama.cpp offloads to when none are named: every GPU once (a second backend's view
// of one device, by its id, is left out), and integrated GPUs only where there is no other.
func defaultGPUs(devices []llama.Device) []llama.Device {
	var gpus, igpus []llama.Device
	for _, d := range devices {
		seen := d.DeviceID != "" && slices.ContainsFunc(gpus, func(g llama.Device) bool { return g.DeviceID == d.DeviceID })
		switch {
		case d.Type == "gpu" && !seen:
			gpus = append(gpus, d)
		case d.Type == "igpu":
			igpus = append(igpus, d)
		}
	}
	if len(gpus) == 0 {
		return igpus
	}
	return gpus
}

func listOrNone(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}
