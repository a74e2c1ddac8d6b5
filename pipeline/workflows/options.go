// Package workflows measures: `chimera run` (the agents over the artifacts), bench (llama-bench's tests), sweep
// (a grid of settings), compare (two configurations), multi (two agents at once) and tune (a search). Each
// records everything it measures as it goes and writes its reports.
//
// A warm-up, in every workflow, is one run of the very work measured, on the same model load and context, before
// the measured repetitions: the first repetition of a bench test, the first pass of the agents of an agent
// workflow. It is recorded where the workflow records its repetitions (agent passes as repetition 0) and left out
// of every statistic.
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
