package grafana

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
)

// Dashboard is one generated dashboard and the file it is provisioned from.
type Dashboard struct {
	// File is the name of the JSON file under dashboards/.
	File string
	// Build returns the dashboard.
	Build func() (dashboard.Dashboard, error)
}

// All returns every dashboard, in file name order.
func All() []Dashboard {
	return []Dashboard{
		{File: "business.json", Build: Business},
		{File: "datastores.json", Build: Datastores},
		{File: "posd.json", Build: ServiceOverview},
		{File: "read-side.json", Build: ReadSide},
	}
}

// Render builds d and returns its JSON as provisioned: indented, panels numbered from 1 in
// their order (Grafana needs unique IDs), ending with a newline.
func Render(d Dashboard) ([]byte, error) {
	dash, err := d.Build()
	if err != nil {
		return nil, fmt.Errorf("dashboard %s: %w", d.File, err)
	}
	for i, p := range dash.Panels {
		id := uint32(i + 1)
		switch {
		case p.Panel != nil:
			p.Panel.Id = &id
		case p.RowPanel != nil:
			p.RowPanel.Id = id
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(dash); err != nil {
		return nil, fmt.Errorf("dashboard %s: %w", d.File, err)
	}
	return buf.Bytes(), nil
}
