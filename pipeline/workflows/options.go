// Package workflows measures: `chimera run` (the agents over the artifacts), bench (llama-bench's tests), sweep
// (a grid of settings), compare (two configurations) and multi (two agents at once). Each records everything it
// measures as it goes and writes its reports.
package workflows

import (
	"io"

	"chimera/pipeline/artifacts"
	"chimera/pipeline/engine"
)

// Target is what every workflow is given: the model to measure and where models come from, the command line that
// asked for the run (recorded with it) and where progress notes go.
type Target struct {
	ModelRef    string
	Source      engine.ModelSource
	CommandLine string
	Log         io.Writer
}

// Data is the artifacts an agent workflow analyses, and how much of them it reads.
type Data struct {
	DataDirs []string
	Limits   artifacts.Limits
}
