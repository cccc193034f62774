//go:build goexperiment.jsonv2

package reports

import jsonv2 "encoding/json/v2"

func init() {
	jsonv2Unmarshal = func(data []byte, v any) error { return jsonv2.Unmarshal(data, v) }
}
