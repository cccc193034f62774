// Command vulngate reads `govulncheck -format json` on stdin and decides what fails CI:
// a vulnerability that the code calls (symbol level) in a required module fails (exit 1);
// one in the Go standard library is reported, and fails only with -stdlib, because its fix is
// a newer Go toolchain rather than a change to go.mod. .ci/run uses it with the vulnerability
// database snapshot of the pinned golang.org/x/vulndb module (the online database is not
// reachable there); the GitHub workflow runs govulncheck on the newest Go patch release and
// fails on every finding.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
)

// message is the part of a govulncheck JSON message vulngate reads.
type message struct {
	Finding *struct {
		OSV          string `json:"osv"`
		FixedVersion string `json:"fixed_version"`
		Trace        []struct {
			Module   string `json:"module"`
			Version  string `json:"version"`
			Package  string `json:"package"`
			Function string `json:"function"`
		} `json:"trace"`
	} `json:"finding"`
}

func main() {
	stdlib := flag.Bool("stdlib", false, "fail on called vulnerabilities of the standard library too")
	flag.Parse()
	failed, err := gate(os.Stdin, os.Stdout, *stdlib)
	if err != nil {
		fmt.Fprintln(os.Stderr, "vulngate:", err)
		os.Exit(2)
	}
	if failed {
		os.Exit(1)
	}
}

// gate reports the called vulnerabilities in r on w and whether one of them fails the run.
func gate(r io.Reader, w io.Writer, failOnStdlib bool) (bool, error) {
	dec := json.NewDecoder(r)
	lines := map[string]string{} // by vulnerability: its verdict and first example
	failed := false
	for {
		var m message
		err := dec.Decode(&m)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return false, fmt.Errorf("read govulncheck output: %w", err)
		}
		if m.Finding == nil || len(m.Finding.Trace) == 0 || m.Finding.Trace[0].Function == "" {
			continue // not called by the code
		}
		top := m.Finding.Trace[0]
		verdict := "FAIL"
		if top.Module == "stdlib" && !failOnStdlib {
			verdict = "warn (needs a newer Go)"
		} else {
			failed = true
		}
		if _, seen := lines[m.Finding.OSV]; !seen {
			lines[m.Finding.OSV] = fmt.Sprintf("%s %s %s@%s, e.g. %s.%s; fixed in %s", verdict, m.Finding.OSV,
				top.Module, top.Version, top.Package, top.Function, m.Finding.FixedVersion)
		}
	}
	for _, id := range slices.Sorted(maps.Keys(lines)) {
		fmt.Fprintln(w, lines[id])
	}
	fmt.Fprintf(w, "vulngate: %d called vulnerabilities, failing: %v\n", len(lines), failed)
	return failed, nil
}
