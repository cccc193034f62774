package audit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// Change is one difference between two JSON documents, in the vocabulary of JSON Patch
// (RFC 6902): op is add, remove or replace at path (a JSON Pointer, RFC 6901).
type Change struct {
	Op   string `json:"op"`
	Path string `json:"path"`
	From any    `json:"from,omitempty"`
	To   any    `json:"to,omitempty"`
}

// Diff lists the changes that turn JSON document a into b: objects member by member, arrays
// element by element, anything else replaced whole. Numbers keep their exact text.
func Diff(a, b []byte) ([]Change, error) {
	va, err := decodeExact(a)
	if err != nil {
		return nil, err
	}
	vb, err := decodeExact(b)
	if err != nil {
		return nil, err
	}
	out := []Change{}
	diffValue("", va, vb, &out)
	return out, nil
}

func decodeExact(b []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, fmt.Errorf("diff: %w", err)
	}
	return v, nil
}

var pointerEscaper = strings.NewReplacer("~", "~0", "/", "~1")

func diffValue(path string, a, b any, out *[]Change) {
	switch ta := a.(type) {
	case map[string]any:
		tb, ok := b.(map[string]any)
		if !ok {
			break
		}
		keys := make([]string, 0, len(ta)+len(tb))
		for k := range ta {
			keys = append(keys, k)
		}
		for k := range tb {
			if _, dup := ta[k]; !dup {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			p := path + "/" + pointerEscaper.Replace(k)
			va, inA := ta[k]
			vb, inB := tb[k]
			switch {
			case !inB:
				*out = append(*out, Change{Op: "remove", Path: p, From: va})
			case !inA:
				*out = append(*out, Change{Op: "add", Path: p, To: vb})
			default:
				diffValue(p, va, vb, out)
			}
		}
		return
	case []any:
		tb, ok := b.([]any)
		if !ok {
			break
		}
		for i := 0; i < max(len(ta), len(tb)); i++ {
			p := path + "/" + strconv.Itoa(i)
			switch {
			case i >= len(tb):
				*out = append(*out, Change{Op: "remove", Path: p, From: ta[i]})
			case i >= len(ta):
				*out = append(*out, Change{Op: "add", Path: p, To: tb[i]})
			default:
				diffValue(p, ta[i], tb[i], out)
			}
		}
		return
	}
	if !reflect.DeepEqual(a, b) {
		*out = append(*out, Change{Op: "replace", Path: path, From: a, To: b})
	}
}
