package pipeline

import (
	"io"

	"chimera/llama"
)

// SharedLoad is one model load and who used it: the configurations (compare) or agents (multi) whose settings
// ask for the same load share it, each on a context of its own.
type SharedLoad struct {
	ModelLoad
	UsedBy []string `json:"used_by"`
}

// sessionPool opens a session per user (a side of a comparison, an agent of a multi-agent run), loading the
// model once per distinct load request. Unlike the bench's modelLoads, a configuration may ask for --fit and its
// own mmap setting, so the whole request is the key.
type sessionPool struct {
	ref      string
	src      ModelSource
	facts    *FactsReport
	log      io.Writer
	models   []*pooledModel
	sessions []*Session
}

type pooledModel struct {
	key   loadKey
	model *Model
	load  SharedLoad
}

// loadKey is what a load depends on. With --fit the offload is fitted to the context, so the context is part of it.
type loadKey struct {
	numGPU     int
	useMmap    bool
	fit        bool
	fitContext llama.ContextParams
}

func loadKeyOf(cfg Config) loadKey {
	key := loadKey{numGPU: cfg.NumGPU, useMmap: cfg.UseMmap, fit: cfg.Fit}
	if cfg.Fit {
		key.fitContext = cfg.Context
	}
	return key
}

func newSessionPool(ref string, src ModelSource, facts *FactsReport, log io.Writer) *sessionPool {
	return &sessionPool{ref: ref, src: src, facts: facts, log: log}
}

// open creates user's session for cfg, on a model already loaded with the same request when there is one.
func (p *sessionPool) open(user string, cfg Config) (*Session, error) {
	m, err := p.model(user, cfg)
	if err != nil {
		return nil, err
	}
	s, err := NewSession(m, cfg, p.facts, p.log)
	if err != nil {
		return nil, err
	}
	p.sessions = append(p.sessions, s)
	return s, nil
}

func (p *sessionPool) model(user string, cfg Config) (*Model, error) {
	key := loadKeyOf(cfg)
	for _, pm := range p.models {
		if pm.key == key {
			pm.load.UsedBy = append(pm.load.UsedBy, user)
			return pm.model, nil
		}
	}
	before := deviceUsed()
	m, err := LoadModelFor(p.ref, p.src, cfg)
	if err != nil {
		return nil, err
	}
	load := ModelLoad{NumGPU: m.Load.RequestedGPU, OffloadedLayers: m.Load.OffloadedLayers, LoadMS: m.Load.LoadMS,
		DeviceBytes: deviceUsed() - before}
	logf(p.log, "model loaded for %s in %.0f ms, %d/%d layers on GPU", user, load.LoadMS, load.OffloadedLayers, m.Load.OffloadableLayer)
	p.models = append(p.models, &pooledModel{key: key, model: m, load: SharedLoad{ModelLoad: load, UsedBy: []string{user}}})
	return m, nil
}

// loads lists the loads in the order they were made.
func (p *sessionPool) loads() []SharedLoad {
	loads := make([]SharedLoad, len(p.models))
	for i, pm := range p.models {
		loads[i] = pm.load
	}
	return loads
}

// close frees the sessions' contexts, then the models they shared.
func (p *sessionPool) close() {
	for _, s := range p.sessions {
		s.Close()
	}
	for _, pm := range p.models {
		pm.model.Close()
	}
}
