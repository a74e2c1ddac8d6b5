package workflows

import (
	"io"

	"chimera/pipeline/agents"
	"chimera/pipeline/artifacts"
	"chimera/pipeline/engine"
)

// sessionPool opens a session per user (a side of a comparison, an agent of a multi-agent run) on the model
// cache, so that users whose settings ask for the same load share one model.
type sessionPool struct {
	models   *engine.ModelCache
	facts    *artifacts.FactsReport
	log      io.Writer
	sessions []*agents.Session
}

func newSessionPool(file *engine.ModelFile, facts *artifacts.FactsReport, log io.Writer) *sessionPool {
	return &sessionPool{models: engine.NewModelCache(file, log), facts: facts, log: log}
}

// open creates user's session for cfg, on a model already loaded with the same request when there is one.
func (p *sessionPool) open(user string, cfg engine.Config) (*agents.Session, error) {
	m, err := p.models.Get(user, cfg)
	if err != nil {
		return nil, err
	}
	s, err := agents.NewSession(m, cfg, p.facts, p.log)
	if err != nil {
		return nil, err
	}
	p.sessions = append(p.sessions, s)
	return s, nil
}

// close frees the sessions' contexts, then the models they shared.
func (p *sessionPool) close() {
	for _, s := range p.sessions {
		s.Close()
	}
	p.models.Close()
}
