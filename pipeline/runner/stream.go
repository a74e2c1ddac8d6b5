package runner

import (
	"strings"
	"unicode/utf8"
)

// textStream accumulates token pieces and releases text that can no longer become part of a stop string or
// complete a split UTF-8 character, so streamed output never shows a stop string or half a character.
type textStream struct {
	stops    []string
	text     strings.Builder
	released int
	stopped  bool
}

// add appends a piece and returns the newly releasable text; stopped is set when a stop string appeared, in which
// case the text is cut before it.
func (s *textStream) add(piece string) string {
	s.text.WriteString(piece)
	all := s.text.String()
	if cut := s.firstStop(all); cut >= 0 {
		s.stopped = true
		s.truncate(cut)
		return s.flush()
	}
	end := len(all) - s.heldForStop(all)
	end = completeUTF8(all[:end])
	out := all[s.released:max(end, s.released)]
	s.released = max(end, s.released)
	return out
}

// flush releases everything still held back.
func (s *textStream) flush() string {
	all := s.text.String()
	out := all[s.released:]
	s.released = len(all)
	return out
}

// Text is the whole generated text so far, stop string excluded.
func (s *textStream) Text() string { return s.text.String() }

func (s *textStream) firstStop(all string) int {
	// Only the unreleased tail plus the longest stop can contain a new match.
	from := max(0, s.released-s.longestStop())
	best := -1
	for _, stop := range s.stops {
		if i := strings.Index(all[from:], stop); i >= 0 && (best < 0 || from+i < best) {
			best = from + i
		}
	}
	return best
}

func (s *textStream) truncate(n int) {
	kept := s.text.String()[:n]
	s.text.Reset()
	s.text.WriteString(kept)
	s.released = min(s.released, n)
}

// heldForStop is the length of the longest suffix of all that is a proper prefix of a stop string.
func (s *textStream) heldForStop(all string) int {
	held := 0
	for _, stop := range s.stops {
		for n := min(len(stop)-1, len(all)); n > held; n-- {
			if strings.HasSuffix(all, stop[:n]) {
				held = n
				break
			}
		}
	}
	return held
}

func (s *textStream) longestStop() int {
	longest := 0
	for _, stop := range s.stops {
		longest = max(longest, len(stop))
	}
	return longest
}

// completeUTF8 returns the length of the longest prefix of s that does not end inside a multi-byte character.
func completeUTF8(s string) int {
	for back := 1; back <= utf8.UTFMax && back <= len(s); back++ {
		r := s[len(s)-back]
		if r < utf8.RuneSelf {
			return len(s)
		}
		if utf8.RuneStart(r) {
			if utf8.FullRuneInString(s[len(s)-back:]) {
				return len(s)
			}
			return len(s) - back
		}
	}
	return len(s)
}
