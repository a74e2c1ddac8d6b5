package engine

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"testing"
)

// otherValue is a value of s that is not its default.
func otherValue(s *Setting) string {
	switch s.Kind {
	case KindChoice:
		return slices.DeleteFunc(slices.Clone(s.Choices()), func(c string) bool { return c == s.Default() })[0]
	case KindSwitch:
		return map[string]string{"true": "false", "false": "true"}[s.Default()]
	case KindParts:
		return "1/1"
	case KindNumber:
		return "0.25"
	default:
		return "3"
	}
}

// leaves flattens decoded JSON into its leaves by path: {"context": {"batch": 1}} is context.batch = 1.
func leaves(prefix string, value any, into map[string]string) {
	object, ok := value.(map[string]any)
	if !ok {
		into[prefix] = fmt.Sprint(value)
		return
	}
	for name, inner := range object {
		leaves(prefix+"."+name, inner, into)
	}
}

func configLeaves(t *testing.T, c Config) map[string]string {
	t.Helper()
	text, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	var decoded any
	if err := json.Unmarshal(text, &decoded); err != nil {
		t.Fatal(err)
	}
	into := map[string]string{}
	leaves("", decoded, into)
	return into
}

// Config's JSON is derived from the table: each setting is the one field of its name, under its scope's object
// for context and sampling settings. op_offload is stored as llama-bench's no_op_offload, its negation.
func TestConfigJSONNamesEachSettingByItsName(t *testing.T) {
	defaults := configLeaves(t, DefaultConfig())
	objects := map[Scope]string{ScopeContext: ".context.", ScopeSampling: ".sampling.", ScopeLoad: ".", ScopeGeneration: "."}
	for _, s := range Settings {
		if s.Sets != nil {
			continue // a shorthand: its parts are named
		}
		c := DefaultConfig()
		if err := s.Set(&c, otherValue(s)); err != nil {
			t.Fatalf("%s: %v", s.Name, err)
		}
		changed := configLeaves(t, c)
		maps.DeleteFunc(changed, func(path, value string) bool { return defaults[path] == value })
		name := map[string]string{"op_offload": "no_op_offload"}[s.Name]
		if name == "" {
			name = s.Name
		}
		want := objects[s.Scope] + name
		if s.Name == "reuse_prefix" {
			want = ".context.reuse_prefix" // a generation setting the context carries
		}
		if paths := slices.Collect(maps.Keys(changed)); len(paths) != 1 || paths[0] != want {
			t.Errorf("setting %s = %s changes %v in Config's JSON, want %s alone", s.Name, otherValue(s), paths, want)
		}
	}
}
