package store

import (
	"bytes"
	"encoding/json"
	"fmt"
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
