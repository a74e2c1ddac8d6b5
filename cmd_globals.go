package main

import (
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"chimera/models"
)

func globalFlags() []cli.Flag {
	return []cli.Flag{
		&cli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: "print llama.cpp's system info and log"},
		&cli.StringSliceFlag{Name: "lib-dir", EnvVars: []string{"CHIMERA_LIB_DIR"}, Usage: "directory of ggml backend libraries (default <exe>/../lib/chimera)"},
		&cli.StringFlag{Name: "cache-dir", EnvVars: []string{"CHIMERA_CACHE_DIR"}, Usage: "synthetic model and tokenizer cache (default ~/.cache/chimera)"},
		&cli.StringFlag{Name: "tokenizer", EnvVars: []string{"CHIMERA_TOKENIZER_DIR"}, Usage: "directory with the gemma3 tokenizer.json and tokenizer_config.json (default <cache>/tokenizer/gemma3)"},
		&cli.StringFlag{Name: "ollama-models", EnvVars: []string{"OLLAMA_MODELS"}, Usage: "Ollama model store for tags such as gemma3:1b (default ~/.ollama/models)"},
		&cli.StringFlag{Name: "db", EnvVars: []string{"CHIMERA_DB"}, Usage: "SQLite database (default <cache>/chimera.db)"},
	}
}

// globals are the global options with their defaults, which follow from the cache directory.
type globals struct {
	Verbose   bool
	LibDirs   []string
	CacheDir  string
	Tokenizer string
	OllamaDir string
	DB        string
}

// readGlobals reads the global options; a command's context finds them at the app's level, where arrangeArgs
// put them.
func readGlobals(c *cli.Context) globals {
	g := globals{Verbose: c.Bool("verbose"), LibDirs: c.StringSlice("lib-dir"), CacheDir: c.String("cache-dir"),
		Tokenizer: c.String("tokenizer"), OllamaDir: c.String("ollama-models"), DB: c.String("db")}
	if g.CacheDir == "" {
		g.CacheDir = models.DefaultCacheDir()
	}
	if g.DB == "" {
		g.DB = filepath.Join(g.CacheDir, "chimera.db")
	}
	if g.Tokenizer == "" {
		g.Tokenizer = models.DefaultTokenizerDir(g.CacheDir)
	}
	return g
}

// arrangeArgs lets options stand anywhere on the command line, as people type them. urfave/cli/v2 reads an option
// only at the level that defines it and stops reading options at a command's first argument, so global options
// are moved in front of the command and every command's own options in front of its arguments; everything
// keeps its order otherwise, and "--" ends the options as usual.
func arrangeArgs(app *cli.App, args []string) []string {
	if len(args) == 0 {
		return args
	}
	global := flagsByName(app.Flags)
	var hoisted, levels, positional []string
	commands, own := app.Commands, map[string]cli.Flag{}
	for i := 1; i < len(args); i++ {
		arg := args[i]
		if arg == "--" {
			positional = append(positional, args[i:]...)
			break
		}
		if name, isFlag := optionName(arg); isFlag {
			flag, known := own[name]
			group := &levels
			if g, isGlobal := global[name]; isGlobal && !known {
				flag, known, group = g, true, &hoisted
			}
			*group = append(*group, arg)
			if known && takesValue(flag) && !strings.Contains(arg, "=") && i+1 < len(args) {
				i++
				*group = append(*group, args[i])
			}
			continue
		}
		if cmd := findCommand(commands, arg); cmd != nil && len(positional) == 0 {
			levels = append(levels, arg)
			commands, own = cmd.Subcommands, flagsByName(cmd.Flags)
			continue
		}
		positional = append(positional, arg)
	}
	return append(append(append([]string{args[0]}, hoisted...), levels...), positional...)
}

// optionName is the name in "--name", "-n" or "--name=value"; a lone "-" is an argument.
func optionName(arg string) (string, bool) {
	if len(arg) < 2 || arg[0] != '-' {
		return "", false
	}
	name, _, _ := strings.Cut(strings.TrimLeft(arg, "-"), "=")
	return name, name != ""
}

func flagsByName(flags []cli.Flag) map[string]cli.Flag {
	byName := map[string]cli.Flag{}
	for _, f := range flags {
		for _, name := range f.Names() {
			byName[name] = f
		}
	}
	return byName
}

func takesValue(f cli.Flag) bool {
	v, ok := f.(cli.DocGenerationFlag)
	return ok && v.TakesValue()
}

func findCommand(commands []*cli.Command, name string) *cli.Command {
	for _, cmd := range commands {
		if cmd.HasName(name) {
			return cmd
		}
	}
	return nil
}
