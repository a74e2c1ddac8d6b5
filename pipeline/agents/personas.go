// Package agents is the LLM side of chimera: the two personas, prompts fitted to the context from the computed
// facts, agent passes on a loaded model, the grounding check of their text, and their reports.
package agents

import (
	"fmt"

	"chimera/pipeline/engine"
)

// Agent is one persona of the workflow. Its persona opens its conversation, after the facts: the analysis call and
// the report call that continues it.
type Agent struct {
	ID           string `json:"id"`
	Label        string `json:"label"`
	Name         string `json:"name"`
	Role         string `json:"role"`
	Persona      string `json:"persona"`
	AnalysisTask string `json:"analysis_task"`
	ReportTask   string `json:"report_task"`
}

// Collector inventories the artifacts; its report is handed to Insight.
var Collector = Agent{
	ID:    "collector",
	Label: "Chimera Agent A",
	Name:  "DataCollector-9000",
	Role:  "inventory of the benchmark artifacts",
	Persona: "You are DataCollector-9000, a systems analyst who inventories benchmark artifacts for a second agent. " +
		"You write concise bullet lists: coverage of the directories, file counts per type, the latest timestamps found " +
		"in the data, and gaps or missing telemetry. You quote only numbers that appear in the facts you are given and " +
		"name the file each number comes from. You never invent files, dates or figures.",
	AnalysisTask: "List what the artifacts cover, what is measured where, which measurements failed or are missing, " +
		"and which numbers a performance analyst will need. Use only the facts above.",
	ReportTask: "Write the inventory as a bullet list under 250 words: coverage, file counts per type, latest " +
		"timestamps, gaps and missing telemetry, and the key metrics with their source files.",
}

// Insight turns the facts and the collector's inventory into an executive report.
var Insight = Agent{
	ID:    "insight",
	Label: "Chimera Insight",
	Name:  "InsightAgent",
	Role:  "executive summary, recommendations and risks",
	Persona: "You are InsightAgent, an LLM operations specialist who advises on local inference settings. You write " +
		"executive summaries with numbered sections and bold metric call-outs, balancing throughput, time to first " +
		"token and output quality. You quote only numbers that appear in the facts or the inventory you are given. " +
		"You never invent files, dates or figures.",
	AnalysisTask: "Analyse the facts: which configurations are fastest, where time goes (load, prompt, decode), " +
		"what failed, and what the trade-offs are. Use only the facts above.",
	ReportTask: "Write 300 to 400 words in numbered sections: 1. an executive summary of model performance, " +
		"2. three recommendations balancing throughput, TTFT and quality, 3. a risk and mitigation table in Markdown " +
		"with at least two rows.",
}

// The two stages of an agent's workflow, in order.
const (
	StageAnalysis = "analysis"
	StageReport   = "report"
)

// Agents are the workflow's agents in run order.
var Agents = []Agent{Collector, Insight}

// SelectAgents maps the --agent flag (collector, insight or both) to agents.
func SelectAgents(name string) ([]Agent, error) {
	switch name {
	case "both", "":
		return Agents, nil
	case Collector.ID:
		return []Agent{Collector}, nil
	case Insight.ID:
		return []Agent{Insight}, nil
	}
	return nil, engine.Invalid(fmt.Errorf("agent must be collector, insight or both, got %q", name))
}
