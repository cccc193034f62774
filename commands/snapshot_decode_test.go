package commands_test

import (
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/domain/register"
	"github.com/odata-pos/pos/domain/shift"
	"github.com/odata-pos/pos/domain/stock"
	"github.com/odata-pos/pos/eventstore"
)

// TestSnapshotsDecodeAsEncodingJSON: the command layer decodes the register's, shift's and
// stock's snapshots with eventstore.UnmarshalJSON in json.Unmarshal's place (DecodeSnapshot).
// For states folded from random events of each aggregate, and for snapshots cut short, it
// gives what the domain's own UnmarshalSnapshot (json.Unmarshal) gives.
func TestSnapshotsDecodeAsEncodingJSON(t *testing.T) {
	codec := commands.NewCodec()
	rng := rand.New(rand.NewPCG(9, 10))
	snapshotsDecodeAlike(t, rng, codec, commands.RegisterAggregate, register.Event(register.RegisterCreated{}), register.UnmarshalSnapshot)
	snapshotsDecodeAlike(t, rng, codec, commands.ShiftAggregate, shift.Event(shift.ShiftOpened{}), shift.UnmarshalSnapshot)
	snapshotsDecodeAlike(t, rng, codec, commands.StockAggregate, stock.Event(stock.StockMoved{}), stock.UnmarshalSnapshot)
}

// snapshotsDecodeAlike folds random events of agg's package, opened by a random event of
// first's type, and checks that agg's snapshot decoder and plain agree on every snapshot.
func snapshotsDecodeAlike[S, E any](t *testing.T, rng *rand.Rand, codec *eventstore.Codec, agg commands.Aggregate[S, E],
	first E, plain func([]byte) (S, error)) {
	t.Helper()
	pkg := reflect.TypeOf(first).PkgPath()
	var types []reflect.Type
	for _, name := range codec.Names() {
		zero, err := codec.Decode(name, []byte(`{}`))
		if err != nil {
			t.Fatalf("%s: decode {}: %v", name, err)
		}
		if typ := reflect.TypeOf(zero); typ.PkgPath() == pkg {
			types = append(types, typ)
		}
	}
	if len(types) < 2 {
		t.Fatalf("%s: %d event types registered", pkg, len(types))
	}
	random := func(typ reflect.Type) E {
		v := reflect.New(typ).Elem()
		fill(rng, v, 0)
		return v.Interface().(E)
	}
	checked := 0
	for range 200 {
		s := agg.Evolve(agg.Initial(), random(reflect.TypeOf(first)))
		for range rng.IntN(30) {
			s = agg.Evolve(s, random(types[rng.IntN(len(types))]))
		}
		b, err := agg.Snapshot.Encode(s)
		if err != nil {
			continue // a value its own MarshalJSON refuses: never snapshotted
		}
		for _, in := range [][]byte{b, b[:len(b)/2]} {
			want, wantErr := plain(in)
			got, err := agg.Snapshot.Decode(in)
			if (err != nil) != (wantErr != nil) {
				t.Fatalf("%s %s:\ndecoder error %v, json.Unmarshal error %v", pkg, in, err, wantErr)
			}
			if err == nil && !reflect.DeepEqual(got, want) {
				t.Fatalf("%s %s:\ndecoder        %#v\njson.Unmarshal %#v", pkg, in, got, want)
			}
		}
		checked++
	}
	if checked < 100 {
		t.Fatalf("%s: only %d of 200 states could be snapshotted", pkg, checked)
	}
}
