package reports

import (
	"bytes"
	"strings"
	"unicode/utf8"
)

// lexer reads a slim view (decode.go) from JSON in one pass: the fast path of decode, a few
// times faster than json.Unmarshal, which checks the whole input in a pass of its own and
// then finds every field by reflection. It takes the JSON that encoding/json writes (and any
// other JSON it can read exactly as json.Unmarshal would) and gives up, setting bad, on
// anything else: escapes or invalid UTF-8 in keys, IDs, quantities and times, a key repeated
// or matching a field only case-insensitively, a number that is not an integer where an int64
// goes, deep nesting, a type that does not fit. decode then falls back to json.Unmarshal, so
// giving up is never an error and never changes a value; FuzzFastDecode checks that whatever
// the lexer reads, json.Unmarshal reads the same.
type lexer struct {
	b   []byte
	i   int
	bad bool
}

// maxSkipDepth is the deepest nesting the lexer skips over in fields the reports do not read.
const maxSkipDepth = 32

func (l *lexer) ws() {
	for l.i < len(l.b) {
		switch l.b[l.i] {
		case ' ', '\t', '\n', '\r':
			l.i++
		default:
			return
		}
	}
}

// eat consumes c (after white space) and reports whether it was there.
func (l *lexer) eat(c byte) bool {
	l.ws()
	if l.i < len(l.b) && l.b[l.i] == c {
		l.i++
		return true
	}
	return false
}

// more consumes the comma before another member or element and reports whether one comes;
// else it consumes close, the end of the object or array.
func (l *lexer) more(close byte) bool {
	if l.eat(',') {
		return true
	}
	if !l.eat(close) {
		l.bad = true
	}
	return false
}

// done reports whether the whole input was read without giving up.
func (l *lexer) done() bool {
	l.ws()
	return !l.bad && l.i == len(l.b)
}

// literal consumes word (true, false or null) if it comes next.
func (l *lexer) literal(word string) bool {
	l.ws()
	if bytes.HasPrefix(l.b[l.i:], []byte(word)) {
		l.i += len(word)
		return true
	}
	return false
}

func (l *lexer) null() bool { return l.literal("null") }

// stringBytes returns the content of a string without escapes, in valid UTF-8 (what
// encoding/json keeps as it is).
func (l *lexer) stringBytes() []byte {
	if !l.eat('"') {
		l.bad = true
		return nil
	}
	start := l.i
	for l.i < len(l.b) {
		c := l.b[l.i]
		switch {
		case c == '"':
			l.i++
			return l.b[start : l.i-1]
		case c == '\\' || c < ' ':
			l.bad = true
			return nil
		case c < utf8.RuneSelf:
			l.i++
		default:
			r, size := utf8.DecodeRune(l.b[l.i:])
			if r == utf8.RuneError && size == 1 {
				l.bad = true
				return nil
			}
			l.i += size
		}
	}
	l.bad = true
	return nil
}

// number returns a number token (JSON's grammar).
func (l *lexer) number() []byte {
	l.ws()
	start := l.i
	digits := func() int {
		n := 0
		for l.i < len(l.b) && l.b[l.i] >= '0' && l.b[l.i] <= '9' {
			l.i++
			n++
		}
		return n
	}
	if l.i < len(l.b) && l.b[l.i] == '-' {
		l.i++
	}
	switch n := digits(); {
	case n == 0, n > 1 && l.b[l.i-n] == '0':
		l.bad = true
		return nil
	}
	if l.i < len(l.b) && l.b[l.i] == '.' {
		l.i++
		if digits() == 0 {
			l.bad = true
			return nil
		}
	}
	if l.i < len(l.b) && (l.b[l.i] == 'e' || l.b[l.i] == 'E') {
		l.i++
		if l.i < len(l.b) && (l.b[l.i] == '+' || l.b[l.i] == '-') {
			l.i++
		}
		if digits() == 0 {
			l.bad = true
			return nil
		}
	}
	return l.b[start:l.i]
}

// skip consumes any JSON value, checking it as json.Unmarshal does.
func (l *lexer) skip(depth int) {
	l.ws()
	if l.i >= len(l.b) || depth > maxSkipDepth {
		l.bad = true
		return
	}
	switch c := l.b[l.i]; {
	case c == '{':
		l.i++
		if l.eat('}') {
			return
		}
		for !l.bad {
			l.skipString()
			if !l.eat(':') {
				l.bad = true
				return
			}
			l.skip(depth + 1)
			if !l.more('}') {
				return
			}
		}
	case c == '[':
		l.i++
		if l.eat(']') {
			return
		}
		for !l.bad {
			l.skip(depth + 1)
			if !l.more(']') {
				return
			}
		}
	case c == '"':
		l.skipString()
	case c == '-' || c >= '0' && c <= '9':
		l.number()
	default:
		if !l.literal("true") && !l.literal("false") && !l.null() {
			l.bad = true
		}
	}
}

// skipString consumes a string, escapes and all.
func (l *lexer) skipString() {
	if !l.eat('"') {
		l.bad = true
		return
	}
	for l.i < len(l.b) {
		c := l.b[l.i]
		l.i++
		switch {
		case c == '"':
			return
		case c < ' ':
			l.bad = true
			return
		case c == '\\':
			if l.i >= len(l.b) {
				l.bad = true
				return
			}
			e := l.b[l.i]
			l.i++
			switch e {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if l.i+4 > len(l.b) {
					l.bad = true
					return
				}
				for _, h := range l.b[l.i : l.i+4] {
					if strings.IndexByte("0123456789abcdefABCDEF", h) < 0 {
						l.bad = true
						return
					}
				}
				l.i += 4
			default:
				l.bad = true
				return
			}
		}
	}
	l.bad = true
}

// object reads an object whose keys name fields: field(i) reads the value of names[i]; the
// values of other keys are skipped.
func (l *lexer) object(names []string, field func(i int)) {
	if l.null() {
		return
	}
	if !l.eat('{') {
		l.bad = true
		return
	}
	if l.eat('}') {
		return
	}
	var seen uint64
	for !l.bad {
		key := l.stringBytes()
		if l.bad || !l.eat(':') {
			l.bad = true
			return
		}
		switch i := fieldIndex(names, key); {
		case i >= 0:
			if seen&(1<<i) != 0 {
				l.bad = true
				return
			}
			seen |= 1 << i
			field(i)
		case foldsToField(names, key):
			l.bad = true
			return
		default:
			l.skip(0)
		}
		if !l.more('}') {
			return
		}
	}
}

func fieldIndex(names []string, key []byte) int {
	for i, n := range names {
		if string(key) == n {
			return i
		}
	}
	return -1
}

// foldsToField reports whether json.Unmarshal might match key to a field case-insensitively.
func foldsToField(names []string, key []byte) bool {
	for _, c := range key {
		if c >= utf8.RuneSelf {
			return true
		}
	}
	for _, n := range names {
		if strings.EqualFold(string(key), n) {
			return true
		}
	}
	return false
}

// slice reads an array into *s (null makes it nil, [] empty), each element with elem.
func slice[T any](l *lexer, s *[]T, elem func(*lexer, *T)) {
	if l.null() {
		*s = nil
		return
	}
	if !l.eat('[') {
		l.bad = true
		return
	}
	*s = make([]T, 0, 4)
	if l.eat(']') {
		return
	}
	for !l.bad {
		var v T
		elem(l, &v)
		*s = append(*s, v)
		if !l.more(']') {
			return
		}
	}
}
