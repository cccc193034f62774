// Command gen writes the dashboards of package grafana into monitoring/grafana/dashboards
// (run by `go generate ./monitoring/grafana`, from that directory).
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/odata-pos/pos/monitoring/grafana"
)

func main() {
	dir := "dashboards"
	if len(os.Args) > 1 {
		dir = os.Args[1]
	}
	for _, d := range grafana.All() {
		b, err := grafana.Render(d)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		if err := os.WriteFile(filepath.Join(dir, d.File), b, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}
