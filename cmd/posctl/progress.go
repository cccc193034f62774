package main

import (
	"io"
	"os"

	"github.com/schollz/progressbar/v3"
)

// progressCounter counts events on a terminal; off a terminal it does nothing.
type progressCounter interface {
	Set64(n int64) error
	Finish() error
}

// silent is the progress of a command whose output is not a terminal. (progressbar's own
// silent bar still starts a render goroutine that races with Set64 in v3.19.1.)
type silent struct{}

func (silent) Set64(int64) error { return nil }
func (silent) Finish() error     { return nil }

// newProgress returns a progress counter on w when w is a terminal, else a silent one.
func newProgress(w io.Writer, what string) progressCounter {
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			return progressbar.NewOptions64(-1, progressbar.OptionSetWriter(w), progressbar.OptionSetDescription(what),
				progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionSetItsString("events"),
				progressbar.OptionThrottle(100_000_000), progressbar.OptionClearOnFinish())
		}
	}
	return silent{}
}
