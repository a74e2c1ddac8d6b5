package workflows

import (
	"context"
	"time"

	"chimera/pipeline/agents"
	"chimera/pipeline/engine"
	"chimera/pipeline/record"
)

// agentPass is one pass of the agent workflow: the agents in order on one session, whose KV cache starts the
// pass empty, each handed the reports of the agents before it.
type agentPass struct {
	agents []agents.Agent
	rep    int                       // the repetition its agent runs are recorded as: 0 is the warm-up
	label  func(agents.Agent) string // the label of each recorded agent run; nil for the agent's own
	// complete finishes each agent's completed run before its outcome is recorded (record.Recorder.Agent).
	complete func(agentRunID int64, res *agents.AgentResult) error
}

// runPass runs p on the session, recording it under runID. It returns the agents' results, a failed agent's
// partial one included, and the pass's wall time.
func runPass(ctx context.Context, rec *record.Recorder, s *agents.Session, runID int64, p agentPass) ([]*agents.AgentResult, float64, error) {
	s.StartPass()
	start := time.Now()
	var results []*agents.AgentResult
	var handoffs []agents.Handoff
	for _, agent := range p.agents {
		res, err := p.runAgent(ctx, rec, s, runID, agent, handoffs)
		if res != nil {
			results = append(results, res)
		}
		if err != nil {
			return results, engine.MillisSince(start), err
		}
		handoffs = append(handoffs, agents.HandoffsFrom(res)...)
	}
	return results, engine.MillisSince(start), nil
}

func (p agentPass) runAgent(ctx context.Context, rec *record.Recorder, s *agents.Session, runID int64, agent agents.Agent,
	inbound []agents.Handoff) (*agents.AgentResult, error) {
	label := agent.Label
	if p.label != nil {
		label = p.label(agent)
	}
	res, _, err := recordedAgent(ctx, rec, s, runID, agent, label, p.rep, inbound, p.complete)
	return res, err
}

// recordedAgent runs agent's pass on s and records it under runID as it goes: the agent run under label, each call
// as soon as it completes, then the outcome, so that a failed or interrupted pass keeps its completed calls.
// complete, when not nil, finishes a pass that ran to the end before its outcome is recorded (chimera run writes
// the agent's report there); its error fails the pass. It returns the agent run's ID.
func recordedAgent(ctx context.Context, rec *record.Recorder, s *agents.Session, runID int64, agent agents.Agent, label string,
	rep int, inbound []agents.Handoff, complete func(agentRunID int64, res *agents.AgentResult) error) (*agents.AgentResult, int64, error) {
	agentRunID, err := rec.StartAgent(runID, agent, label, rep, s.Config)
	if err != nil {
		return nil, 0, err
	}
	res, err := s.RunAgent(ctx, agent, rep, inbound, rec.Calls(runID, agentRunID))
	if err == nil && complete != nil {
		err = complete(agentRunID, res)
	}
	return res, agentRunID, rec.EndAgent(agentRunID, res, err)
}
