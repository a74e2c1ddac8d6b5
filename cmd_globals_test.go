package main

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/urfave/cli/v2"
)

// globalsOf runs args through the real app, arranged as main arranges them, with `runs list`, `runs show` and
// `facts` capturing the global options they would use.
func globalsOf(t *testing.T, args ...string) globals {
	t.Helper()
	app := newApp()
	var got globals
	capture := func(c *cli.Context) error { got = readGlobals(c); return nil }
	runs, facts := findCommand(app.Commands, "runs"), findCommand(app.Commands, "facts")
	findCommand(runs.Subcommands, "list").Action, findCommand(runs.Subcommands, "show").Action, facts.Action = capture, capture, capture
	if err := app.Run(arrangeArgs(app, append([]string{"chimera"}, args...))); err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	return got
}

func TestEveryGlobalOptionWorksBeforeAndAfterTheCommand(t *testing.T) {
	for _, c := range []struct {
		flag, value string
		read        func(globals) string
	}{
		{"--db", "/tmp/x.db", func(g globals) string { return g.DB }},
		{"--cache-dir", "/tmp/cache", func(g globals) string { return g.CacheDir }},
		{"--tokenizer", "/tmp/tok", func(g globals) string { return g.Tokenizer }},
		{"--ollama-models", "/tmp/ollama", func(g globals) string { return g.OllamaDir }},
		{"--lib-dir", "/tmp/lib", func(g globals) string { return g.LibDirs[0] }},
	} {
		for _, args := range [][]string{
			{c.flag, c.value, "runs", "list"},
			{"runs", c.flag, c.value, "list"},
			{"runs", "list", c.flag, c.value},
			{"runs", "show", "5", c.flag, c.value},
			{"facts", c.flag + "=" + c.value},
		} {
			if got := c.read(globalsOf(t, args...)); got != c.value {
				t.Errorf("%v: %s = %q, want %q", args, c.flag, got, c.value)
			}
		}
	}
	for _, args := range [][]string{{"-v", "runs", "list"}, {"runs", "list", "-v"}, {"--verbose", "facts"}, {"facts", "-v"}} {
		if !globalsOf(t, args...).Verbose {
			t.Errorf("%v: not verbose", args)
		}
	}
}

// Given twice, the option given last wins, wherever each stands.
func TestTheLastGlobalOptionWins(t *testing.T) {
	if got := globalsOf(t, "--db", "/tmp/first.db", "runs", "list", "--db", "/tmp/last.db").DB; got != "/tmp/last.db" {
		t.Errorf("db = %q, want the last one", got)
	}
	if got := globalsOf(t, "--db", "/tmp/only.db", "runs", "list", "--cache-dir", "/tmp/c").DB; got != "/tmp/only.db" {
		t.Errorf("db = %q, want the one given, not the cache's default", got)
	}
}

func TestGlobalDefaultsFollowTheCacheDirectory(t *testing.T) {
	t.Setenv("CHIMERA_DB", "")
	if g := globalsOf(t, "runs", "list", "--cache-dir", "/tmp/c"); g.DB != filepath.Join("/tmp/c", "chimera.db") {
		t.Errorf("db = %q, want it under the cache given after the command", g.DB)
	}
	t.Setenv("CHIMERA_DB", "/tmp/env.db")
	if got := globalsOf(t, "runs", "list").DB; got != "/tmp/env.db" {
		t.Errorf("db = %q, want $CHIMERA_DB", got)
	}
	if got := globalsOf(t, "facts", "--db", "/tmp/flag.db").DB; got != "/tmp/flag.db" {
		t.Errorf("db = %q, want the flag over $CHIMERA_DB", got)
	}
}

// A command's own options may follow its arguments, and an option's value is never taken for an argument, even
// when it looks like an option itself.
func TestArrangeArgsPutsOptionsBeforeArguments(t *testing.T) {
	app := newApp()
	for _, c := range []struct{ in, want []string }{
		{[]string{"runs", "show", "12", "--db", "x.db"}, []string{"--db", "x.db", "runs", "show", "12"}},
		{[]string{"multi", "chimera-homo", "--num-ctx", "1024"}, []string{"multi", "--num-ctx", "1024", "chimera-homo"}},
		{[]string{"generate", "--prompt", "--db", "--num-gpu", "-1"}, []string{"generate", "--prompt", "--db", "--num-gpu", "-1"}},
		{[]string{"runs", "export", "1", "--format", "csv", "2"}, []string{"runs", "export", "--format", "csv", "1", "2"}},
		{[]string{"models", "show", "x", "--", "--db"}, []string{"models", "show", "x", "--", "--db"}},
		{[]string{"bench", "-v", "--num-gpu", "0", "--bogus"}, []string{"-v", "bench", "--num-gpu", "0", "--bogus"}},
	} {
		if got := arrangeArgs(app, append([]string{"chimera"}, c.in...)); !slices.Equal(got[1:], c.want) {
			t.Errorf("arrangeArgs(%q) = %q, want %q", c.in, got[1:], c.want)
		}
	}
}
