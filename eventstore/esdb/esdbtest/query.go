package esdbtest

import (
	"regexp"
	"sort"
	"strings"
)

// streamRead is the answer to a stream read.
type streamRead struct {
	records  []*record
	notFound bool
	deleted  bool
}

// readStream reads at most count events of stream from revision from (nil: the start going
// forwards, the end going backwards), inclusive.
func (l *log) readStream(stream string, forwards bool, from *uint64, count uint64) streamRead {
	l.mu.Lock()
	defer l.mu.Unlock()
	st := l.streams[stream]
	if st != nil && st.tombstoned {
		return streamRead{deleted: true}
	}
	if st == nil || uint64(len(st.records)) <= st.truncateBefore {
		return streamRead{notFound: true}
	}
	visible := st.records[st.metadata.firstVisible(st.records, st.truncateBefore, l.now()):]
	var out []*record
	if forwards {
		start := uint64(0)
		if from != nil {
			start = *from
		}
		for _, r := range visible {
			if uint64(len(out)) >= count {
				break
			}
			if r.revision >= start {
				out = append(out, r)
			}
		}
		return streamRead{records: out}
	}
	for i := len(visible) - 1; i >= 0 && uint64(len(out)) < count; i-- {
		if from == nil || visible[i].revision <= *from {
			out = append(out, visible[i])
		}
	}
	return streamRead{records: out}
}

// allFrom is where an $all read starts.
type allFrom struct {
	start, end bool
	position   uint64
}

// readAll reads at most count events of $all that match f. Forwards it includes the event at
// the given position; backwards it starts strictly before it.
func (l *log) readAll(forwards bool, from allFrom, count uint64, f *filter) []*record {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []*record
	if forwards {
		i := len(l.all)
		switch {
		case from.start:
			i = 0
		case !from.end:
			i = sort.Search(len(l.all), func(k int) bool { return l.all[k].position >= from.position })
		}
		for ; i < len(l.all) && uint64(len(out)) < count; i++ {
			if f.match(l.all[i]) {
				out = append(out, l.all[i])
			}
		}
		return out
	}
	i := -1
	switch {
	case from.end:
		i = len(l.all) - 1
	case !from.start:
		i = sort.Search(len(l.all), func(k int) bool { return l.all[k].position >= from.position }) - 1
	}
	for ; i >= 0 && uint64(len(out)) < count; i-- {
		if f.match(l.all[i]) {
			out = append(out, l.all[i])
		}
	}
	return out
}

// afterPosition returns the index in $all of the first event strictly after position.
func (l *log) afterPosition(position uint64) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return sort.Search(len(l.all), func(k int) bool { return l.all[k].position > position })
}

// end returns the index one past the last event of $all.
func (l *log) end() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.all)
}

// since returns at most max records of $all from index i on, the index after the last one
// scanned, and a channel that is closed at the next write.
func (l *log) since(i, max int) ([]*record, int, <-chan struct{}) {
	l.mu.Lock()
	defer l.mu.Unlock()
	j := min(len(l.all), i+max)
	return append([]*record(nil), l.all[i:j]...), j, l.changed
}

// filter is a server-side filter of $all reads and subscriptions.
type filter struct {
	onStream bool // else on event type
	prefixes []string
	re       *regexp.Regexp
	window   int // checkpoint after this many events scanned (0: none)
}

func (f *filter) match(r *record) bool {
	if f == nil {
		return true
	}
	s := r.eventType
	if f.onStream {
		s = r.stream
	}
	if f.re != nil {
		return f.re.MatchString(s)
	}
	for _, p := range f.prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}
