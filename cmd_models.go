package main

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"chimera/llama"
	"chimera/models"
	"chimera/pipeline/engine"
	"chimera/pipeline/render"
)

func modelsCommand() *cli.Command {
	return &cli.Command{
		Name:  "models",
		Usage: "write synthetic gemma3 models, inspect GGUF files, list available models",
		Subcommands: []*cli.Command{
			{
				Name:  "synth",
				Usage: "write a synthetic gemma3 GGUF (random weights, real shapes)",
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "shape", Value: "270m", Usage: "tiny, 270m or 1b"},
					&cli.StringFlag{Name: "type", Value: "q8_0", Usage: "f32, f16, q8_0 or q4_0"},
					&cli.Uint64Flag{Name: "weights-seed", Value: 1, Usage: "seed of the random weights"},
					&cli.StringFlag{Name: "vocab", Value: "auto", Usage: "gemma3 (the real vocabulary, from --tokenizer), synthetic (4,294 tokens: per-layer work dominates a token), or auto: gemma3 when --tokenizer has it (never for tiny)"},
					&cli.StringFlag{Name: "out", Required: true, Usage: "output file"},
				},
				Action: synthModel,
			},
			{
				Name:      "show",
				Usage:     "validate a model and print what its GGUF header says",
				ArgsUsage: "REF",
				Flags:     []cli.Flag{&cli.BoolFlag{Name: "json", Usage: "print JSON"}},
				Action:    showModel,
			},
			{
				Name:   "list",
				Usage:  "list synthetic models in the cache and models in the Ollama store",
				Action: listModels,
			},
		},
	}
}

// synthVocabulary resolves --vocab to gemma3 or synthetic.
func synthVocabulary(choice, shape, tokenizer string) (string, error) {
	switch choice {
	case "synthetic":
		return choice, nil
	case "gemma3":
		if tokenizer == "" {
			return "", engine.Invalid(errors.New("--vocab gemma3 needs the gemma3 tokenizer: run scripts/fetch-tokenizer.sh or pass --tokenizer DIR"))
		}
		return choice, nil
	case "auto":
		if shape != "tiny" && tokenizer != "" {
			return "gemma3", nil
		}
		return "synthetic", nil
	}
	return "", engine.Invalid(fmt.Errorf("--vocab must be auto, gemma3 or synthetic, got %q", choice))
}

func synthModel(c *cli.Context) error {
	spec := models.SyntheticSpec{Shape: c.String("shape"), Type: c.String("type"), Seed: c.Uint64("weights-seed")}
	tokenizer := readGlobals(c).Tokenizer
	vocab, err := synthVocabulary(c.String("vocab"), spec.Shape, tokenizer)
	if err != nil {
		return err
	}
	if vocab == "gemma3" {
		if spec.Vocab, err = models.LoadGemma3Vocab(tokenizer); err != nil {
			return err
		}
	}
	if err := models.WriteSynthetic(c.String("out"), spec); err != nil {
		return err
	}
	fmt.Printf("wrote %s (%s-%s, %s vocabulary)\n", c.String("out"), spec.Shape, spec.Type, vocab)
	return nil
}

func showModel(c *cli.Context) error {
	if c.NArg() != 1 {
		return engine.Invalid(fmt.Errorf("models show needs one model reference"))
	}
	file, err := engine.ResolveModel(c.Args().First(), modelSource(c))
	if err != nil {
		return err
	}
	resolved, info := file.Ref, file.Info
	if c.Bool("json") {
		return render.WriteJSON(os.Stdout, struct {
			Model *models.Resolved `json:"model"`
			Info  *models.Info     `json:"info"`
		}{resolved, info})
	}
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(w, "path\t%s\n", resolved.Path)
	fmt.Fprintf(w, "architecture\t%s\n", info.Architecture)
	fmt.Fprintf(w, "name\t%s\n", info.Name)
	fmt.Fprintf(w, "blocks\t%d (num_gpu %d offloads everything)\n", info.BlockCount, info.BlockCount+1)
	fmt.Fprintf(w, "parameters\t%d\n", info.Params)
	fmt.Fprintf(w, "file type\t%s\n", info.FileType)
	fmt.Fprintf(w, "size\t%.1f MiB\n", float64(info.SizeBytes)/(1<<20))
	fmt.Fprintf(w, "vocabulary\t%d tokens\n", info.VocabSize)
	fmt.Fprintf(w, "context length\t%d\n", info.ContextLength)
	fmt.Fprintf(w, "chat template\t%t\n", info.ChatTemplate)
	fmt.Fprintf(w, "synthetic weights\t%t\n", file.Synthetic())
	for _, warning := range info.Warnings {
		fmt.Fprintf(w, "warning\t%s\n", warning)
	}
	return w.Flush()
}

func listModels(c *cli.Context) error {
	g := readGlobals(c)
	cached, err := models.ListCached(g.CacheDir)
	if err != nil {
		return err
	}
	pulled, err := models.ListOllama(g.OllamaDir)
	if err != nil {
		return err
	}
	t := render.NewTable("source", "name", "size", "path")
	for _, source := range []struct {
		name   string
		models []models.Model
	}{{"cache", cached}, {"ollama", pulled}} {
		for _, m := range source.models {
			t.Add(source.name, m.Name, fmt.Sprintf("%.1f MiB", float64(m.Size)/(1<<20)), m.Path)
		}
	}
	return t.WriteText(os.Stdout)
}

func devicesCommand() *cli.Command {
	return &cli.Command{
		Name:  "devices",
		Usage: "list backend devices with their memory, and any backend library that failed to load",
		Flags: []cli.Flag{&cli.BoolFlag{Name: "json", Usage: "print JSON"}},
		Action: func(c *cli.Context) error {
			initEngine(c)
			if c.Bool("json") {
				return render.WriteJSON(os.Stdout, struct {
					System   string              `json:"system_info"`
					Backends []llama.BackendLoad `json:"backend_libraries"`
					Devices  []llama.Device      `json:"devices"`
				}{llama.SystemInfo(), llama.Init(llama.Options{}), llama.Devices()})
			}
			t := render.NewTable("device", "type", "backend", "free", "total", "description", "driver")
			for _, d := range llama.Devices() {
				// The hardware, where the backend says: lavapipe takes offloaded layers, but it is not a GPU.
				kind := d.Type
				if d.Hardware != "" {
					kind = d.Hardware
				}
				t.Add(d.Name, kind, d.Backend, fmt.Sprintf("%.0f MiB", float64(d.FreeBytes)/(1<<20)),
					fmt.Sprintf("%.0f MiB", float64(d.TotalBytes)/(1<<20)), strings.TrimSpace(d.Description), d.Driver)
			}
			if err := t.WriteText(os.Stdout); err != nil {
				return err
			}
			_, err := fmt.Println("system:", llama.SystemInfo())
			return err
		},
	}
}
