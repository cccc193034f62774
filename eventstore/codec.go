package eventstore

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"unicode/utf8"

	gojson "github.com/goccy/go-json"
)

// Upcaster rewrites the data of an old event type into a newer type's shape. It returns the new
// type name and data; the codec applies upcasters until it reaches a registered type.
type Upcaster func(data json.RawMessage) (newType string, newData json.RawMessage, err error)

// Codec maps Go event types to stable, versioned type names and back. Names are registered
// explicitly, never derived from Go type names, so renaming a Go type cannot break history.
// A Codec is filled at start-up and read-only afterwards; it is then safe for concurrent use.
type Codec struct {
	byName    map[string]reflect.Type
	byType    map[reflect.Type]string
	upcasters map[string]Upcaster
}

// NewCodec returns an empty codec.
func NewCodec() *Codec {
	return &Codec{
		byName:    map[string]reflect.Type{},
		byType:    map[reflect.Type]string{},
		upcasters: map[string]Upcaster{},
	}
}

// Register maps name to the type of sample (a struct value, not a pointer). It panics on a
// duplicate name or type: registration happens at start-up and a clash is a programming error.
func (c *Codec) Register(name string, sample any) {
	t := reflect.TypeOf(sample)
	if name == "" || t == nil || t.Kind() == reflect.Pointer {
		panic(fmt.Sprintf("eventstore: register %q: need a name and a non-pointer value", name))
	}
	if _, dup := c.byName[name]; dup {
		panic(fmt.Sprintf("eventstore: event type %q registered twice", name))
	}
	if prev, dup := c.byType[t]; dup {
		panic(fmt.Sprintf("eventstore: %s already registered as %q", t, prev))
	}
	if _, dup := c.upcasters[name]; dup {
		panic(fmt.Sprintf("eventstore: %q is both an upcaster source and a registered type", name))
	}
	c.byName[name] = t
	c.byType[t] = name
}

// RegisterUpcaster makes events stored as oldName readable: up rewrites their data into a newer
// type. oldName must not be a registered type.
func (c *Codec) RegisterUpcaster(oldName string, up Upcaster) {
	if _, clash := c.byName[oldName]; clash {
		panic(fmt.Sprintf("eventstore: %q is both an upcaster source and a registered type", oldName))
	}
	if _, dup := c.upcasters[oldName]; dup {
		panic(fmt.Sprintf("eventstore: upcaster for %q registered twice", oldName))
	}
	c.upcasters[oldName] = up
}

// Name returns the registered type name of event.
func (c *Codec) Name(event any) (string, error) {
	t := reflect.TypeOf(event)
	if t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	name, ok := c.byType[t]
	if !ok {
		return "", fmt.Errorf("event type %v is not registered", t)
	}
	return name, nil
}

// Encode returns the type name and JSON data of event.
func (c *Codec) Encode(event any) (string, json.RawMessage, error) {
	name, err := c.Name(event)
	if err != nil {
		return "", nil, err
	}
	data, err := json.Marshal(event)
	if err != nil {
		return "", nil, fmt.Errorf("encode %s: %w", name, err)
	}
	return name, data, nil
}

// maxUpcastSteps bounds an upcaster chain so that a cycle is an error, not a hang.
const maxUpcastSteps = 32

// Decode turns stored (name, data) into a value of the registered type (not a pointer),
// applying upcasters first. Unknown fields in data are ignored so that adding a field to an
// event stays compatible. The result is the one encoding/json's Unmarshal gives (see
// unmarshal), and data that Unmarshal rejects is an error.
func (c *Codec) Decode(name string, data json.RawMessage) (any, error) {
	for range maxUpcastSteps {
		if t, ok := c.byName[name]; ok {
			v := reflect.New(t)
			if err := unmarshal(data, v.Interface()); err != nil {
				return nil, fmt.Errorf("decode %s: %w", name, err)
			}
			return v.Elem().Interface(), nil
		}
		up, ok := c.upcasters[name]
		if !ok {
			return nil, fmt.Errorf("decode: unknown event type %q", name)
		}
		var err error
		old := name
		if name, data, err = up(data); err != nil {
			return nil, fmt.Errorf("upcast %s: %w", old, err)
		}
	}
	return nil, fmt.Errorf("decode: upcaster chain from %q too long", name)
}

// DecodeEvent decodes a stored event: Decode(e.Type, e.Data).
func (c *Codec) DecodeEvent(e RecordedEvent) (any, error) {
	return c.Decode(e.Type, e.Data)
}

// Names lists the registered type names in sorted order.
func (c *Codec) Names() []string {
	names := make([]string, 0, len(c.byName))
	for n := range c.byName {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// unmarshal decodes data into v exactly as encoding/json's Unmarshal does, in about half its
// CPU and a fifth of its allocations: every event a process handles is decoded, by the command
// that loads its stream, the policies and the read models, and encoding/json was the largest
// single cost of a sale in posd. go-json gives the same values for valid JSON
// (TestCodecDecodesAsEncodingJSON in commands checks every registered event type), but it
// skips what it does not decode without checking it and is lax about numbers, so the data
// must first pass encoding/json's own check (json.Valid): what Unmarshal rejects stays an
// error. Invalid UTF-8, which Unmarshal turns into U+FFFD and go-json keeps, cannot come from
// json.Marshal; such data, and data that is not valid JSON, goes to Unmarshal itself, for the
// same value or the same error. Keys are expected in the case of their field's tag, as
// json.Marshal writes them (go-json does not match a key in another case to a field of an
// embedded struct, where Unmarshal would).
func unmarshal(data []byte, v any) error {
	if !utf8.Valid(data) || !json.Valid(data) {
		return json.Unmarshal(data, v)
	}
	return gojson.Unmarshal(data, v)
}
