package artifacts

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"
	"time"
	"unicode/utf16"

	"chimera/pipeline/stats"
)

// The artifact kinds Ingest parses, decided by file extension.
const (
	KindCSV      = "csv"
	KindJSON     = "json"
	KindJSONL    = "jsonl"
	KindMarkdown = "markdown"
	KindText     = "text"
)

var kindsByExtension = map[string]string{
	".csv": KindCSV, ".json": KindJSON, ".jsonl": KindJSONL, ".ndjson": KindJSONL,
	".md": KindMarkdown, ".markdown": KindMarkdown, ".txt": KindText,
}

// Default limits, used for zero Limits fields.
const (
	DefaultMaxFileBytes = 4 << 20
	DefaultMaxFiles     = 5000
)

// Limits bounds what Ingest reads. Zero or negative fields take the defaults.
type Limits struct {
	MaxFileBytes int64 // larger files are skipped
	MaxFiles     int   // the walk stops after this many files
}

func (l Limits) withDefaults() Limits {
	if l.MaxFileBytes <= 0 {
		l.MaxFileBytes = DefaultMaxFileBytes
	}
	if l.MaxFiles <= 0 {
		l.MaxFiles = DefaultMaxFiles
	}
	return l
}

// Inventory is what Ingest found under its roots. Paths are relative to their root, with "/" separators and
// the root's base name in front when there are several roots; invalid UTF-8 in names shows as U+FFFD.
type Inventory struct {
	Roots   []string      `json:"roots"`
	Files   []FileFacts   `json:"files"`   // parsed artifacts, in walk order
	Skipped []SkippedFile `json:"skipped"` // everything else that was found, in walk order
	Notes   []string      `json:"notes,omitempty"`
}

// SkippedFile is an entry Ingest found but did not parse, and why.
type SkippedFile struct {
	Path        string `json:"path"`
	Reason      string `json:"reason"`
	DuplicateOf string `json:"duplicate_of,omitempty"` // the parsed file with the same content
}

// FileFacts is what one artifact contains, computed from its bytes alone.
type FileFacts struct {
	Path     string                   `json:"path"`
	Kind     string                   `json:"kind"`
	Bytes    int64                    `json:"bytes"`
	SHA256   string                   `json:"sha256"`
	Rows     int                      `json:"rows"`               // records of every table in the file
	Failures int                      `json:"failures,omitempty"` // records whose error, status or success column says they failed
	Columns  []string                 `json:"columns,omitempty"`  // header of a CSV or JSONL file
	Fields   map[string]stats.Summary `json:"fields,omitempty"`   // numeric columns and JSON leaves, failed records excluded
	Headings []string                 `json:"headings,omitempty"` // markdown headings, in order
	Lines    int                      `json:"lines,omitempty"`    // markdown and plain text
	Words    int                      `json:"words,omitempty"`    // markdown and plain text
	// Latest is the latest timestamp written in the content (ISO 8601 style; without a zone read as UTC).
	Latest time.Time `json:"latest_timestamp,omitzero"`

	tables []*table
}

// Ingest walks each root in sorted order and parses every CSV, JSON, JSONL, markdown and text file it finds.
// Nothing about a single file is fatal: it is listed in Skipped with the reason. Symlinks are followed;
// a directory that contains itself is skipped as a symlink loop, and a file reached twice is a duplicate.
// Ingest fails only when a root cannot be read or when nothing at all could be parsed.
func Ingest(roots []string, lim Limits) (*Inventory, error) {
	if len(roots) == 0 {
		return nil, errors.New("no data directories given")
	}
	for _, root := range roots {
		if _, err := os.Stat(root); err != nil {
			return nil, fmt.Errorf("data directory %s: %w", root, err)
		}
	}
	inv := &Inventory{Roots: roots, Files: []FileFacts{}, Skipped: []SkippedFile{}}
	w := &walker{lim: lim.withDefaults(), inv: inv, firstBySHA: map[string]string{}}
	for _, root := range roots {
		prefix := ""
		if len(roots) > 1 {
			prefix = filepath.Base(root)
		}
		w.visit(root, prefix, nil)
	}
	if len(inv.Files) == 0 {
		return nil, noArtifactsError(roots, inv.Skipped)
	}
	return inv, nil
}

type walker struct {
	lim        Limits
	inv        *Inventory
	firstBySHA map[string]string // content hash → path of the first file with that content
	files      int
	stopped    bool
}

// visit handles one entry: it follows symlinks, descends into directories and ingests files. ancestors are
// the directories above it, for loop detection.
func (w *walker) visit(fsPath, rel string, ancestors []os.FileInfo) {
	if w.stopped {
		return
	}
	info, err := os.Stat(fsPath)
	switch {
	case err != nil:
		w.skip(rel, statFailure(err))
	case info.IsDir():
		w.visitDir(fsPath, rel, info, ancestors)
	case !info.Mode().IsRegular():
		w.skip(rel, "not a regular file")
	case w.files == w.lim.MaxFiles:
		w.stopped = true
		w.inv.Notes = append(w.inv.Notes, fmt.Sprintf(
			"file limit reached: the walk stopped after %d files; %s and everything after it was not read",
			w.lim.MaxFiles, displayPath(rel)))
	default:
		w.files++
		w.ingestFile(fsPath, displayPath(fileRel(rel, fsPath)), info)
	}
}

func (w *walker) visitDir(dir, rel string, info os.FileInfo, ancestors []os.FileInfo) {
	for _, a := range ancestors {
		if os.SameFile(a, info) {
			w.skip(rel, "symlink loop")
			return
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		w.skip(rel, unreadable(err))
		return
	}
	ancestors = append(ancestors, info)
	for _, e := range entries {
		w.visit(filepath.Join(dir, e.Name()), path.Join(rel, e.Name()), ancestors)
	}
}

// fileRel names a file given as a root by its base name.
func fileRel(rel, fsPath string) string {
	if rel == "" {
		return filepath.Base(fsPath)
	}
	return rel
}

func dirLabel(rel string) string {
	if rel == "" {
		return "."
	}
	return rel
}

func (w *walker) ingestFile(fsPath, rel string, info os.FileInfo) {
	ext := strings.ToLower(filepath.Ext(fsPath))
	kind, supported := kindsByExtension[ext]
	switch {
	case !supported && ext == "":
		w.skip(rel, "no file extension")
	case !supported:
		w.skip(rel, "unsupported extension "+displayPath(ext))
	case info.Size() > w.lim.MaxFileBytes:
		w.skip(rel, "larger than the "+byteSize(w.lim.MaxFileBytes)+" limit")
	default:
		w.parseFile(fsPath, rel, kind)
	}
}

func (w *walker) parseFile(fsPath, rel, kind string) {
	data, err := readAtMost(fsPath, w.lim.MaxFileBytes)
	if err != nil {
		w.skip(rel, err.Error())
		return
	}
	if len(data) == 0 {
		w.skip(rel, "empty file")
		return
	}
	sum := sha256.Sum256(data)
	hash := hex.EncodeToString(sum[:])
	if first, ok := w.firstBySHA[hash]; ok {
		w.inv.Skipped = append(w.inv.Skipped,
			SkippedFile{Path: rel, Reason: "duplicate of " + first + " (same sha256)", DuplicateOf: first})
		return
	}
	w.firstBySHA[hash] = rel
	text, ok := decodeText(data)
	if !ok {
		w.skip(rel, "binary content")
		return
	}
	facts, err := parseArtifact(kind, text)
	if err != nil {
		w.skip(rel, "invalid "+kind+": "+err.Error())
		return
	}
	facts.Path, facts.Kind, facts.Bytes, facts.SHA256 = rel, kind, int64(len(data)), hash
	facts.Latest = latestTimestamp(text)
	w.inv.Files = append(w.inv.Files, facts)
}

func parseArtifact(kind, text string) (FileFacts, error) {
	switch kind {
	case KindCSV:
		return parseCSV(text)
	case KindJSON:
		return parseJSON(text)
	case KindJSONL:
		return parseJSONL(text)
	case KindMarkdown:
		return parseMarkdown(text), nil
	default:
		return parseText(text), nil
	}
}

// readAtMost reads a file, failing when it turns out larger than limit (it may have grown since it was
// listed). Its errors read as skip reasons.
func readAtMost(fsPath string, limit int64) ([]byte, error) {
	f, err := os.Open(fsPath)
	if err != nil {
		return nil, errors.New(unreadable(err))
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, errors.New(unreadable(err))
	}
	if int64(len(data)) > limit {
		return nil, errors.New("larger than the " + byteSize(limit) + " limit")
	}
	return data, nil
}

func (w *walker) skip(rel, reason string) {
	w.inv.Skipped = append(w.inv.Skipped, SkippedFile{Path: displayPath(dirLabel(rel)), Reason: reason})
}

// statFailure explains why an entry listed in a directory cannot be examined.
func statFailure(err error) string {
	switch {
	case errors.Is(err, syscall.ELOOP):
		return "symlink loop"
	case errors.Is(err, fs.ErrNotExist):
		return "broken symlink"
	default:
		return unreadable(err)
	}
}

// unreadable gives the operating system's reason without the path, which the inventory already shows:
// "unreadable: permission denied".
func unreadable(err error) string {
	var pathErr *fs.PathError
	if errors.As(err, &pathErr) {
		err = pathErr.Err
	}
	return "unreadable: " + err.Error()
}

// displayPath makes a file name safe to print and to encode as JSON.
func displayPath(p string) string { return strings.ToValidUTF8(p, "\uFFFD") }

func byteSize(n int64) string {
	switch {
	case n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	default:
		return fmt.Sprintf("%d-byte", n)
	}
}

// utf16AsLatin1BOM is a UTF-16LE byte order mark that was read as Latin-1 and saved again as UTF-8: the form
// Windows tools' UTF-16 output (PowerShell redirection, e.g. of Nsight Compute) takes after a careless copy.
// The bytes after it are still UTF-16LE.
var utf16AsLatin1BOM = []byte("ÿþ")

// decodeText turns file content into text: UTF-8 (a BOM is dropped) or UTF-16 with a byte order mark. Content
// with NUL bytes after decoding is binary. Invalid UTF-8 sequences become U+FFFD.
func decodeText(data []byte) (string, bool) {
	switch {
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}):
		data = decodeUTF16(data[2:], littleEndian)
	case bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		data = decodeUTF16(data[2:], bigEndian)
	case bytes.HasPrefix(data, utf16AsLatin1BOM):
		data = decodeUTF16(data[len(utf16AsLatin1BOM):], littleEndian)
	default:
		data = bytes.TrimPrefix(data, []byte{0xEF, 0xBB, 0xBF})
	}
	if bytes.IndexByte(data, 0) >= 0 {
		return "", false
	}
	return strings.ToValidUTF8(string(data), "\uFFFD"), true
}

type byteOrder func(first, second byte) uint16

func littleEndian(first, second byte) uint16 { return uint16(second)<<8 | uint16(first) }
func bigEndian(first, second byte) uint16    { return uint16(first)<<8 | uint16(second) }

// decodeUTF16 decodes UTF-16 to UTF-8; a trailing odd byte is dropped.
func decodeUTF16(data []byte, order byteOrder) []byte {
	units := make([]uint16, len(data)/2)
	for i := range units {
		units[i] = order(data[2*i], data[2*i+1])
	}
	return []byte(string(utf16.Decode(units)))
}

// noArtifactsError says that nothing could be parsed, with the reasons files were skipped.
func noArtifactsError(roots []string, skipped []SkippedFile) error {
	counts := map[string]int{}
	var reasons []string
	for _, s := range skipped {
		if counts[s.Reason] == 0 {
			reasons = append(reasons, s.Reason)
		}
		counts[s.Reason]++
	}
	summary := make([]string, len(reasons))
	for i, r := range reasons {
		summary[i] = fmt.Sprintf("%d× %s", counts[r], r)
	}
	detail := "no files found"
	if len(skipped) > 0 {
		detail = fmt.Sprintf("%d files skipped: %s", len(skipped), strings.Join(summary, ", "))
	}
	return fmt.Errorf("no artifacts found in %s (%s)", strings.Join(roots, ", "), detail)
}
