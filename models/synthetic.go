package models

import (
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
)

// SyntheticSpec describes a synthetic gemma3 model: real gemma3 shapes with random weights, for benchmarking
// without downloading a model.
type SyntheticSpec struct {
	Shape string // "tiny", "270m" or "1b"
	Type  string // "f32", "f16", "q8_0" or "q4_0": the type of every matrix (1-D tensors are always F32)
	Vocab *Vocab // nil means SyntheticVocab(); Resolve always gives tiny the synthetic vocabulary
	Seed  uint64 // selects the weights: the same spec always gives the same file
}

// syntheticShape is a gemma3 architecture to imitate.
type syntheticShape struct {
	name                                     string
	layers, embedding, heads, headsKV        uint32
	headDim, feedForward, slidingWindow, ctx uint32
	ropeBase                                 float32
}

var syntheticShapes = []syntheticShape{
	// tiny has no sliding window: a gemma3 with SWA needs 6 layers for its first global one.
	{name: "tiny", layers: 2, embedding: 64, heads: 2, headsKV: 1, headDim: 32, feedForward: 128,
		ctx: 8192, ropeBase: 10000},
	{name: "270m", layers: 18, embedding: 640, heads: 4, headsKV: 1, headDim: 256, feedForward: 2048,
		slidingWindow: 512, ctx: 32768, ropeBase: 1e6},
	{name: "1b", layers: 26, embedding: 1152, heads: 4, headsKV: 1, headDim: 256, feedForward: 6912,
		slidingWindow: 512, ctx: 32768, ropeBase: 1e6},
}

type syntheticType struct {
	name       string
	tensorType TensorType
	fileType   uint32 // llama_ftype
}

var syntheticTypes = []syntheticType{
	{"f32", F32, 0},
	{"f16", F16, 1},
	{"q8_0", Q8_0, 7},
	{"q4_0", Q4_0, 2},
}

const (
	// The random weights are small, like trained ones. Norm weights are stored with gemma's +1, so values
	// near 1 leave activations about as they are.
	weightStdDev = 0.02
	normMean     = 1.0
	rmsEpsilon   = 1e-6
)

// SyntheticShapes names the shapes WriteSynthetic can make.
func SyntheticShapes() []string {
	var names []string
	for _, s := range syntheticShapes {
		names = append(names, s.name)
	}
	return names
}

// SyntheticTypes names the tensor types WriteSynthetic can write.
func SyntheticTypes() []string {
	var names []string
	for _, t := range syntheticTypes {
		names = append(names, t.name)
	}
	return names
}

// lookup finds the spec's shape and type; the error says which one is unknown.
func (spec SyntheticSpec) lookup() (syntheticShape, syntheticType, error) {
	shape := slices.IndexFunc(syntheticShapes, func(s syntheticShape) bool { return s.name == spec.Shape })
	typ := slices.IndexFunc(syntheticTypes, func(t syntheticType) bool { return t.name == spec.Type })
	switch {
	case shape < 0:
		return syntheticShape{}, syntheticType{}, fmt.Errorf("unknown synthetic shape %q (known: %s)",
			spec.Shape, strings.Join(SyntheticShapes(), ", "))
	case typ < 0:
		return syntheticShape{}, syntheticType{}, fmt.Errorf("unknown synthetic type %q (known: %s)",
			spec.Type, strings.Join(SyntheticTypes(), ", "))
	}
	return syntheticShapes[shape], syntheticTypes[typ], nil
}

// WriteSynthetic writes a synthetic gemma3 model to path. The file appears under path only once complete.
func WriteSynthetic(path string, spec SyntheticSpec) error {
	model, err := newSyntheticModel(spec)
	if err != nil {
		return errorf(path, "%v", err)
	}
	return writeFileAtomically(path, func(w io.Writer) error {
		return writeGGUF(w, model.metadata, model.tensors, model.writeTensor)
	})
}

type syntheticModel struct {
	metadata Metadata
	tensors  []Tensor
	seed     uint64
}

func newSyntheticModel(spec SyntheticSpec) (*syntheticModel, error) {
	shape, typ, err := spec.lookup()
	if err != nil {
		return nil, err
	}
	vocab := spec.Vocab
	if vocab == nil {
		vocab = SyntheticVocab()
	}
	tensors, err := syntheticTensors(shape.params(len(vocab.Tokens)), typ.tensorType)
	if err != nil {
		return nil, err
	}
	metadata := append(shape.metadata(typ), vocab.metadata()...)
	return &syntheticModel{metadata: metadata, tensors: tensors, seed: spec.Seed}, nil
}

func (s syntheticShape) params(vocab int) gemma3Params {
	return gemma3Params{
		layers: uint64(s.layers), embedding: uint64(s.embedding), vocab: uint64(vocab),
		heads: uint64(s.heads), headsKV: uint64(s.headsKV), keyLength: uint64(s.headDim), valueLength: uint64(s.headDim),
		feedForward: uint64(s.feedForward),
	}
}

func (s syntheticShape) metadata(typ syntheticType) Metadata {
	metadata := Metadata{
		{architectureKey, gemma3},
		{nameKey, fmt.Sprintf("chimera synthetic gemma3 %s %s", s.name, typ.name)},
		{fileTypeKey, typ.fileType},
		{"general.quantization_version", uint32(2)},
		{syntheticWeightsKey, true},
		{alignmentKey, uint32(defaultAlignment)},
		{"gemma3.context_length", s.ctx},
		{"gemma3.embedding_length", s.embedding},
		{"gemma3.block_count", s.layers},
		{"gemma3.feed_forward_length", s.feedForward},
		{"gemma3.attention.head_count", s.heads},
		{"gemma3.attention.head_count_kv", s.headsKV},
		{"gemma3.attention.key_length", s.headDim},
		{"gemma3.attention.value_length", s.headDim},
		{"gemma3.attention.layer_norm_rms_epsilon", float32(rmsEpsilon)},
		{"gemma3.rope.freq_base", s.ropeBase},
	}
	if s.slidingWindow > 0 {
		metadata = append(metadata, KV{"gemma3.attention.sliding_window", s.slidingWindow})
	}
	return metadata
}

// syntheticTensors gives every matrix the chosen type; ggml wants 1-D tensors (the norms) as F32.
func syntheticTensors(p gemma3Params, matrixType TensorType) ([]Tensor, error) {
	shapes := p.tensors()
	tensors := make([]Tensor, len(shapes))
	for i, s := range shapes {
		t := matrixType
		if len(s.shape) == 1 {
			t = F32
		}
		var err error
		if tensors[i], err = newTensor(s.name, t, s.shape...); err != nil {
			return nil, err
		}
	}
	return tensors, nil
}

// writeTensor streams tensor i row by row, so that memory stays at one row whatever the tensor's size.
func (m *syntheticModel) writeTensor(i int, w io.Writer) error {
	t := m.tensors[i]
	values := newWeights(m.seed, i, t)
	encode := rowEncoders[t.Type]
	row := make([]float32, rowLength(t.Shape))
	var encoded []byte
	for range t.Elements() / uint64(len(row)) {
		values.fill(row)
		encoded = encode(encoded[:0], row)
		if _, err := w.Write(encoded); err != nil {
			return err
		}
	}
	return nil
}

// weights draws the values of one synthetic tensor from a normal distribution. Each tensor has its own stream,
// so any tensor can be regenerated alone.
type weights struct {
	rng          *rand.Rand
	mean, stdDev float64
}

func newWeights(seed uint64, tensorIndex int, t Tensor) *weights {
	w := &weights{rng: rand.New(rand.NewPCG(seed, uint64(tensorIndex))), stdDev: weightStdDev}
	if len(t.Shape) == 1 {
		w.mean = normMean
	}
	return w
}

func (w *weights) fill(row []float32) {
	for i := range row {
		row[i] = float32(w.mean + w.stdDev*w.rng.NormFloat64())
	}
}
