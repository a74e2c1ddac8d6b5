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
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode/utf16"

	"chimera/pipeline/stats"
)

// The artifact kinds Ingest parses, decided by file extension. A file of another extension, or of none, is
// text when its content is (see parseFile).
const (
	KindCSV      = "csv"
	KindJSON     = "json"
	KindJSONL    = "jsonl"
	KindMarkdown = "markdown"
	KindText     = "text"
)

var kindsByExtension = map[string]string{
	".csv": KindCSV, ".json": KindJSON, ".jsonl": KindJSONL, ".ndjson": KindJSONL,
	".md": KindMarkdown, ".markdown": KindMarkdown, ".txt": KindText, ".log": KindText, ".out": KindText,
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
// the root's base name in front when there are several roots; invalid UTF-8 in names shows as U+FFFD and
// characters that do not print as Go escapes (see displayPath).
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
	// Latest is the latest instant written in the content, in UTC: an ISO 8601 date-time with a zone, or epoch
	// seconds or milliseconds in a field named as a time. A date-time without a zone is not one; the latest of
	// those is LatestLocal, exactly as written.
	Latest      time.Time `json:"latest_timestamp,omitzero"`
	LatestLocal string    `json:"latest_local_timestamp,omitempty"`

	tables []*table
}

// Ingest walks each root in sorted order and parses every CSV, JSON, JSONL, markdown and text file it finds:
// saved logs and console output are text whatever their extension.
// Nothing about a single file is fatal: it is listed in Skipped with the reason. Symlinks are followed as long
// as they stay inside the roots (see followSymlink); a directory that contains itself is skipped as a symlink
// loop, and a file reached twice is a duplicate. Only regular files are read. Ingest fails only when a root
// cannot be read or when nothing at all could be parsed.
func Ingest(roots []string, lim Limits) (*Inventory, error) {
	if len(roots) == 0 {
		return nil, errors.New("no data directories given")
	}
	realRoots, err := resolveRoots(roots)
	if err != nil {
		return nil, err
	}
	inv := &Inventory{Roots: roots, Files: []FileFacts{}, Skipped: []SkippedFile{}}
	w := &walker{lim: lim.withDefaults(), inv: inv, realRoots: realRoots, firstBySHA: map[string]string{}}
	for _, root := range roots {
		prefix := ""
		if len(roots) > 1 {
			prefix = filepath.Base(root)
		}
		w.visit(root, prefix, nil)
	}
	w.finish()
	if len(inv.Files) == 0 {
		return nil, noArtifactsError(roots, inv.Skipped)
	}
	return inv, nil
}

// resolveRoots checks that every root exists and returns their real paths.
func resolveRoots(roots []string) ([]string, error) {
	realRoots := make([]string, len(roots))
	for i, root := range roots {
		_, err := os.Stat(root)
		if err == nil {
			realRoots[i], err = realPath(root)
		}
		if err != nil {
			return nil, fmt.Errorf("data directory %s: %w", root, err)
		}
	}
	return realRoots, nil
}

// realPath is the absolute path of p with every symlink in it resolved.
func realPath(p string) (string, error) {
	resolved, err := filepath.EvalSymlinks(p)
	if err != nil {
		return "", err
	}
	return filepath.Abs(resolved)
}

type walker struct {
	lim        Limits
	inv        *Inventory
	realRoots  []string          // the roots' real paths: symlinks are followed only to targets inside them
	found      []*foundEntry     // every entry, in walk order
	firstBySHA map[string]string // content hash → path of the first file with that content
	files      int
	stopped    bool
}

// foundEntry is an entry the walk found: a file to parse, or one it skipped and why.
type foundEntry struct {
	rel    string
	fsPath string // the file to read: the entry, or its symlink's target; "" when the walk skipped it
	kind   string
	parsed parsedFile
}

// parsedFile is what parseFile made of a file: its facts, or why it is skipped. The hash of a file read in full
// makes a later file with the same content a duplicate, whatever else it is.
type parsedFile struct {
	facts  FileFacts
	hash   string
	reason string
}

// visit handles one entry: it follows symlinks, descends into directories and ingests files. ancestors are
// the directories above it, for loop detection.
func (w *walker) visit(fsPath, rel string, ancestors []os.FileInfo) {
	if w.stopped {
		return
	}
	target, info, reason := w.examine(fsPath)
	switch {
	case reason != "":
		w.skip(rel, reason)
	case info.IsDir():
		w.visitDir(target, rel, info, ancestors)
	case !info.Mode().IsRegular():
		w.skip(rel, notRegular(info.Mode()))
	case w.files == w.lim.MaxFiles:
		w.stopped = true
		w.inv.Notes = append(w.inv.Notes, fmt.Sprintf(
			"file limit reached: the walk stopped after %d files; %s and everything after it was not read",
			w.lim.MaxFiles, displayPath(rel)))
	default:
		w.files++
		w.ingestFile(target, fileRel(rel, fsPath), info)
	}
}

// vanished is the reason for an entry that was listed but is gone by the time the walk examines or opens it.
const vanished = "vanished during the walk"

// examine says what the entry at fsPath is, and the path to read it by: its own, or a symlink's target.
// When it cannot be examined or followed, it says why instead.
func (w *walker) examine(fsPath string) (target string, info os.FileInfo, reason string) {
	info, err := os.Lstat(fsPath)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", nil, vanished
	case err != nil:
		return "", nil, unreadable(err)
	case info.Mode()&fs.ModeSymlink != 0:
		return w.followSymlink(fsPath)
	}
	return fsPath, info, ""
}

// followSymlink resolves a symlink to its target, which must lie inside one of the roots. A data directory is
// a boundary: a link out of it, to /proc say, whose /proc/<pid>/cwd leads anywhere, would bring other files,
// other processes' among them, into facts, prompts, reports and the store. A link from one root into another
// stays inside what was given, so it is followed. The target is compared fully resolved (EvalSymlinks) with
// the resolved roots, so neither chains of links nor ".." lead out.
func (w *walker) followSymlink(link string) (target string, info os.FileInfo, reason string) {
	info, err := os.Stat(link)
	if err != nil {
		return "", nil, symlinkFailure(err)
	}
	if target, err = realPath(link); err != nil {
		return "", nil, unreadable(err)
	}
	if !slices.ContainsFunc(w.realRoots, func(root string) bool { return isWithin(target, root) }) {
		return "", nil, "symlink to " + displayPath(target) + ", outside the data directories"
	}
	return target, info, ""
}

// isWithin reports whether the clean absolute path p is dir or lies below it.
func isWithin(p, dir string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
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

// ingestFile lists the file at fsPath, the entry rel or its symlink's target, for parseAll. The kind comes from
// rel, the name the file was found under; "" when its extension is of no known kind. Such a file too large to
// read is skipped for its extension, for it is more likely model weights or a profiler's report than text.
func (w *walker) ingestFile(fsPath, rel string, info os.FileInfo) {
	kind := kindsByExtension[strings.ToLower(path.Ext(rel))]
	switch {
	case info.Size() > w.lim.MaxFileBytes && kind == "":
		w.skip(rel, unknownExtension(rel))
	case info.Size() > w.lim.MaxFileBytes:
		w.skip(rel, "larger than the "+byteSize(w.lim.MaxFileBytes)+" limit")
	default:
		w.found = append(w.found, &foundEntry{rel: rel, fsPath: fsPath, kind: kind})
	}
}

// finish parses the files the walk found and puts every entry into the inventory, in walk order.
func (w *walker) finish() {
	w.parseAll()
	for _, e := range w.found {
		w.take(e)
	}
}

// parseAll parses the files the walk found, as many at a time as there are CPUs: parsing is most of Ingest's
// time, and each file parses on its own.
func (w *walker) parseAll() {
	files := make(chan *foundEntry)
	var workers sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		workers.Go(func() {
			for e := range files {
				e.parsed = parseFile(e.fsPath, e.rel, e.kind, w.lim.MaxFileBytes)
			}
		})
	}
	for _, e := range w.found {
		if e.fsPath != "" {
			files <- e
		}
	}
	close(files)
	workers.Wait()
}

// take puts a found entry into the inventory, in walk order: as skipped, as a duplicate of a file before it,
// or as parsed.
func (w *walker) take(e *foundEntry) {
	if hash := e.parsed.hash; hash != "" {
		name := displayPath(e.rel)
		if first, ok := w.firstBySHA[hash]; ok {
			w.inv.Skipped = append(w.inv.Skipped,
				SkippedFile{Path: name, Reason: "duplicate of " + first + " (same sha256)", DuplicateOf: first})
			return
		}
		w.firstBySHA[hash] = name
	}
	if e.parsed.reason != "" {
		w.inv.Skipped = append(w.inv.Skipped,
			SkippedFile{Path: displayPath(dirLabel(e.rel)), Reason: e.parsed.reason})
		return
	}
	w.inv.Files = append(w.inv.Files, e.parsed.facts)
}

// unknownExtension is the reason a file of no known kind is skipped.
func unknownExtension(rel string) string {
	if ext := strings.ToLower(path.Ext(rel)); ext != "" {
		return "unsupported extension " + displayPath(ext)
	}
	return "no file extension"
}

// parseFile parses a file of the kind its extension names. A file of no known kind ("") is text when its
// content shows it is; empty or binary, it is skipped for its extension.
func parseFile(fsPath, rel, kind string, maxBytes int64) parsedFile {
	data, err := readRegularFile(fsPath, maxBytes)
	if err != nil {
		return parsedFile{reason: err.Error()}
	}
	text, isText := decodeText(data)
	if kind == "" {
		if len(data) == 0 || !isText {
			return parsedFile{reason: unknownExtension(rel)}
		}
		kind = KindText
	}
	if len(data) == 0 {
		return parsedFile{reason: "empty file"}
	}
	sum := sha256.Sum256(data)
	hash := hex.EncodeToString(sum[:])
	if !isText {
		return parsedFile{hash: hash, reason: "binary content"}
	}
	facts, err := parseArtifact(kind, text)
	if err != nil {
		return parsedFile{hash: hash, reason: parseFailure(kind, err)}
	}
	facts.Path, facts.Kind, facts.Bytes, facts.SHA256 = displayPath(rel), kind, int64(len(data)), hash
	facts.Latest, facts.LatestLocal = writtenTimestamps(text, facts.Fields)
	return parsedFile{facts: facts, hash: hash}
}

// parseFailure is the reason a file did not parse: a syntax error ("invalid json: …") or a parser's refusal
// of a well-formed file, which says why itself.
func parseFailure(kind string, err error) string {
	if errors.Is(err, errNestedTooDeep) || errors.Is(err, errTooLarge) {
		return err.Error()
	}
	return "invalid " + kind + ": " + err.Error()
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
		return parseMarkdown(text)
	default:
		return parseText(text)
	}
}

// readRegularFile reads a file of at most limit bytes; its errors read as skip reasons. The walk looked at the
// entry already, but it may have been replaced since. The open must neither wait for a writer, should it now
// be a FIFO (O_NONBLOCK), nor follow a symlink put in its place, which was never checked against the roots
// (O_NOFOLLOW); what it opened must be a regular file.
func readRegularFile(fsPath string, limit int64) ([]byte, error) {
	f, err := os.OpenFile(fsPath, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_NOFOLLOW, 0)
	if err != nil {
		return nil, errors.New(openFailure(err))
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, errors.New(unreadable(err))
	}
	if !info.Mode().IsRegular() {
		return nil, errors.New(notRegular(info.Mode()))
	}
	return readAtMost(f, info.Size(), limit)
}

// readAtMost reads r to its end, failing when it holds more than limit bytes (a file may have grown since it
// was listed). Its buffer starts at size, what the file held when it was looked at, so that it is not grown
// and copied on the way.
func readAtMost(r io.Reader, size, limit int64) ([]byte, error) {
	var data bytes.Buffer
	data.Grow(int(min(size, limit)) + bytes.MinRead)
	if _, err := data.ReadFrom(io.LimitReader(r, limit+1)); err != nil {
		return nil, errors.New(unreadable(err))
	}
	if int64(data.Len()) > limit {
		return nil, errors.New("larger than the " + byteSize(limit) + " limit")
	}
	return data.Bytes(), nil
}

func (w *walker) skip(rel, reason string) {
	w.found = append(w.found, &foundEntry{rel: rel, parsed: parsedFile{reason: reason}})
}

// symlinkFailure explains why a symlink cannot be followed.
func symlinkFailure(err error) string {
	switch {
	case errors.Is(err, syscall.ELOOP):
		return "symlink loop"
	case errors.Is(err, fs.ErrNotExist):
		return "broken symlink"
	default:
		return unreadable(err)
	}
}

// openFailure explains why a file the walk looked at could not be opened.
func openFailure(err error) string {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return vanished
	case errors.Is(err, syscall.ELOOP):
		return "replaced by a symlink during the walk"
	default:
		return unreadable(err)
	}
}

// notRegular says what an entry is instead of a regular file.
func notRegular(mode fs.FileMode) string {
	switch {
	case mode&fs.ModeNamedPipe != 0:
		return "named pipe, not a regular file"
	case mode&fs.ModeSocket != 0:
		return "socket, not a regular file"
	case mode&fs.ModeDevice != 0:
		return "device, not a regular file"
	default:
		return "not a regular file"
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

// displayPath makes a file name safe to print and to encode as JSON: invalid UTF-8 becomes U+FFFD, and every
// character that does not print (control characters such as ESC and newline, bidirectional overrides) is
// written as a Go escape, so "evil\x1b[31m.csv" shows as `evil\x1b[31m.csv` and can neither drive a terminal
// nor break a line of a report.
func displayPath(p string) string {
	var b strings.Builder
	for _, r := range strings.ToValidUTF8(p, "\uFFFD") {
		if strconv.IsPrint(r) {
			b.WriteRune(r)
		} else {
			quoted := strconv.QuoteRune(r)
			b.WriteString(quoted[1 : len(quoted)-1])
		}
	}
	return b.String()
}

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
