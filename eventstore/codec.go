package eventstore

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
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
	return c.decode(name, data, false)
}

// decode is Decode, without the check of data's validity when valid (see
// RecordedEvent.ValidJSON): go-json then decodes it as Unmarshal would. What an upcaster
// returns is checked again.
func (c *Codec) decode(name string, data json.RawMessage, valid bool) (any, error) {
	for range maxUpcastSteps {
		if t, ok := c.byName[name]; ok {
			v := reflect.New(t)
			if err := unmarshal(data, v.Interface(), valid); err != nil {
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
		valid = false
	}
	return nil, fmt.Errorf("decode: upcaster chain from %q too long", name)
}

// DecodeEvent decodes a stored event: Decode(e.Type, e.Data), without checking again data its
// backend vouches for (RecordedEvent.ValidJSON).
func (c *Codec) DecodeEvent(e RecordedEvent) (any, error) {
	return c.decode(e.Type, e.Data, e.ValidJSON)
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
