package main

import (
	"io"
	"os"

	"github.com/schollz/progressbar/v3"
)

// newProgress returns a progress counter on w when w is a terminal, else a silent one.
func newProgress(w io.Writer, what string) *progressbar.ProgressBar {
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			return progressbar.NewOptions64(-1, progressbar.OptionSetWriter(w), progressbar.OptionSetDescription(what),
				progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionSetItsString("events"),
				progressbar.OptionThrottle(100_000_000), progressbar.OptionClearOnFinish())
		}
	}
	return progressbar.DefaultSilent(-1)
}
