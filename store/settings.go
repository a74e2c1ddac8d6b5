package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Setting is one of chimera's settings, by its name in the settings table, and its value as the command line
// writes it.
type Setting struct {
	Name  string
	Value string
}

// Settings are named values in the settings table's order. Their JSON is an object whose keys keep that order.
type Settings []Setting

// String names each setting with its value: "num_gpu=all num_ctx=4096".
func (s Settings) String() string {
	named := make([]string, len(s))
	for i, setting := range s {
		named[i] = setting.Name + "=" + setting.Value
	}
	return strings.Join(named, " ")
}

// ComparableValue is a setting's value as settings are compared, wherever they are (bench's and sweep's
// duplicates, shared model loads, runs diff): a device list by its names in any case, as llama.cpp looks them up,
// and a tensor split by its shares' proportions, so that 3/1, 3.0/1, 6/2 and 3/1/0 are one split. Other values,
// and values that do not parse, are compared as written.
func ComparableValue(name, value string) string {
	switch name {
	case "devices":
		names := strings.Split(value, "/")
		for i, n := range names {
			names[i] = strings.ToLower(strings.TrimSpace(n))
		}
		return strings.Join(names, "/")
	case "tensor_split":
		return proportions(value)
	}
	return value
}

// proportions writes a tensor split's shares divided by the smallest that is not 0, to 6 significant digits (llama.cpp
// reads them as float32), without the trailing zeros that give the GPUs after the split nothing either way.
func proportions(split string) string {
	parts := strings.Split(split, "/")
	shares := make([]float64, len(parts))
	smallest := math.Inf(1)
	for i, p := range parts {
		share, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || share < 0 || math.IsInf(share, 1) {
			return split
		}
		if shares[i] = share; share > 0 {
			smallest = min(smallest, share)
		}
	}
	if math.IsInf(smallest, 1) {
		return split // all zero: not a split
	}
	for shares[len(shares)-1] == 0 {
		shares = shares[:len(shares)-1]
	}
	written := make([]string, len(shares))
	for i, share := range shares {
		written[i] = strconv.FormatFloat(share/smallest, 'g', 6, 64)
	}
	return strings.Join(written, "/")
}

// Comparable is s with each value as settings are compared (ComparableValue).
func (s Settings) Comparable() Settings {
	comparable := make(Settings, len(s))
	for i, setting := range s {
		comparable[i] = Setting{setting.Name, ComparableValue(setting.Name, setting.Value)}
	}
	return comparable
}

func (s Settings) MarshalJSON() ([]byte, error) {
	var out bytes.Buffer
	out.WriteByte('{')
	for i, setting := range s {
		if i > 0 {
			out.WriteByte(',')
		}
		name, _ := json.Marshal(setting.Name) // a string always marshals
		value, _ := json.Marshal(setting.Value)
		out.Write(name)
		out.WriteByte(':')
		out.Write(value)
	}
	out.WriteByte('}')
	return out.Bytes(), nil
}

func (s *Settings) UnmarshalJSON(data []byte) error {
	if string(data) == "null" {
		return nil // as encoding/json leaves a value it reads null into
	}
	decoder := json.NewDecoder(bytes.NewReader(data))
	if open, err := decoder.Token(); err != nil || open != json.Delim('{') {
		return fmt.Errorf("settings must be a JSON object of names and values")
	}
	*s = nil
	for decoder.More() {
		key, err := decoder.Token()
		if err != nil {
			return fmt.Errorf("settings: %w", err)
		}
		setting := Setting{Name: key.(string)} // an object's key is a string
		if err := decoder.Decode(&setting.Value); err != nil {
			return fmt.Errorf("settings: the value of %s: %w", setting.Name, err)
		}
		*s = append(*s, setting)
	}
	_, err := decoder.Token()
	return err
}
