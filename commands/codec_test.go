package commands_test

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/domain/sale"
	"github.com/odata-pos/pos/eventstore"
)

// TestCodecDecodesAsEncodingJSON checks that the codec's decoder (go-json, see
// eventstore.Codec.Decode) gives exactly what encoding/json's Unmarshal gives for every event
// type of the write side: random values of each type, as json.Marshal writes them and with
// fields it does not know, and that it rejects the broken data encoding/json rejects.
func TestCodecDecodesAsEncodingJSON(t *testing.T) {
	codec := commands.NewCodec()
	rng := rand.New(rand.NewPCG(1, 2))
	for _, name := range codec.Names() {
		zero, err := codec.Decode(name, []byte(`{}`))
		if err != nil {
			t.Fatalf("%s: decode {}: %v", name, err)
		}
		decodesAsEncodingJSON(t, rng, name, reflect.TypeOf(zero), true, func(in []byte) (any, error) { return codec.Decode(name, in) })
	}
}

// TestValidJSONDecodesAsEncodingJSON: an event whose backend vouches for its JSON
// (RecordedEvent.ValidJSON, PostgreSQL) skips the validity check and still decodes, as its
// metadata does, to what json.Unmarshal gives, for every type of the write side.
func TestValidJSONDecodesAsEncodingJSON(t *testing.T) {
	codec := commands.NewCodec()
	rng := rand.New(rand.NewPCG(5, 6))
	for _, name := range codec.Names() {
		zero, err := codec.Decode(name, []byte(`{}`))
		if err != nil {
			t.Fatalf("%s: decode {}: %v", name, err)
		}
		decodesAsEncodingJSON(t, rng, name, reflect.TypeOf(zero), false, func(in []byte) (any, error) {
			return codec.DecodeEvent(eventstore.RecordedEvent{Type: name, Data: in, ValidJSON: true})
		})
	}
	decodesAsEncodingJSON(t, rng, "metadata", reflect.TypeFor[eventstore.Metadata](), false, func(in []byte) (any, error) {
		var m eventstore.Metadata
		err := eventstore.DecodeMetadata(in, &m, true)
		return m, err
	})
}

// TestMetadataDecodesAsEncodingJSON checks eventstore.DecodeMetadata the same way.
func TestMetadataDecodesAsEncodingJSON(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	decodesAsEncodingJSON(t, rng, "metadata", reflect.TypeFor[eventstore.Metadata](), true, func(in []byte) (any, error) {
		var m eventstore.Metadata
		err := eventstore.DecodeMetadata(in, &m, false)
		return m, err
	})
}

// decodesAsEncodingJSON fails t unless decode gives what json.Unmarshal into a typ gives, value
// or error, for random values of typ as json.Marshal writes them, with unknown fields, and
// (when broken) broken.
func decodesAsEncodingJSON(t *testing.T, rng *rand.Rand, name string, typ reflect.Type, broken bool, decode func([]byte) (any, error)) {
	t.Helper()
	for i := range 200 {
		v := reflect.New(typ).Elem()
		fill(rng, v, 0)
		data, err := json.Marshal(v.Interface())
		if err != nil {
			continue // a value its own MarshalJSON refuses: not a stored event
		}
		inputs := [][]byte{data, withUnknownFields(data)}
		if broken && i%10 == 0 {
			inputs = append(inputs, data[:len(data)/2], append(bytes.Clone(data), '}'),
				bytes.Replace(data, []byte(`:`), []byte(`:x`), 1), bytes.Replace(data, []byte(`"`), []byte("\"\n"), 1))
		}
		for _, in := range inputs {
			want := reflect.New(typ)
			wantErr := json.Unmarshal(in, want.Interface())
			got, err := decode(in)
			if (err != nil) != (wantErr != nil) {
				t.Fatalf("%s %s:\ndecoder error %v, encoding/json error %v", name, in, err, wantErr)
			}
			if err == nil && !reflect.DeepEqual(got, want.Elem().Interface()) {
				t.Fatalf("%s %s:\ndecoder       %#v\nencoding/json %#v", name, in, got, want.Elem().Interface())
			}
		}
	}
}

func TestCodecDecodesInvalidUTF8AsEncodingJSON(t *testing.T) {
	codec := commands.NewCodec()
	for _, name := range codec.Names() {
		zero, _ := codec.Decode(name, []byte(`{}`))
		typ := reflect.TypeOf(zero)
		for i := range typ.NumField() {
			f := typ.Field(i)
			tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if f.Type.Kind() != reflect.String || tag == "" || tag == "-" {
				continue
			}
			in := []byte(`{"` + tag + "\":\"a\xffb\"}")
			want := reflect.New(typ)
			if err := json.Unmarshal(in, want.Interface()); err != nil {
				t.Fatalf("%s %q: %v", name, in, err)
			}
			got, err := codec.Decode(name, in)
			if err != nil || !reflect.DeepEqual(got, want.Elem().Interface()) {
				t.Fatalf("%s %q: codec %#v %v, encoding/json %#v", name, in, got, err, want.Elem().Interface())
			}
			return
		}
	}
	t.Fatal("no event type with a string field")
}

// withUnknownFields adds fields no event has to the outer object of data.
func withUnknownFields(data []byte) []byte {
	if len(data) < 2 || data[0] != '{' {
		return data
	}
	sep := ","
	if data[1] == '}' {
		sep = ""
	}
	return append([]byte(`{"zz_unknown":[1,{"a":null,"b":"\u00e9"}],"zz_n":-1.5e3`+sep), data[1:]...)
}

var timeType = reflect.TypeFor[time.Time]()

// fill sets v to a random value of its type.
func fill(rng *rand.Rand, v reflect.Value, depth int) {
	if v.Type() == timeType {
		if rng.IntN(5) > 0 {
			v.Set(reflect.ValueOf(time.Unix(rng.Int64N(4e9), rng.Int64N(1e9)).UTC()))
		}
		return
	}
	switch v.Kind() {
	case reflect.Bool:
		v.SetBool(rng.IntN(2) == 0)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n := rng.Int64N(2_000_000) - 1_000_000
		if rng.IntN(10) == 0 {
			n = int64(rng.Uint64())
		}
		if !v.OverflowInt(n) {
			v.SetInt(n)
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n := rng.Uint64N(1_000_000)
		if !v.OverflowUint(n) {
			v.SetUint(n)
		}
	case reflect.Float32, reflect.Float64:
		v.SetFloat(rng.Float64() * 1000)
	case reflect.String:
		v.SetString(randomString(rng))
	case reflect.Array:
		for i := range v.Len() {
			fill(rng, v.Index(i), depth+1)
		}
	case reflect.Slice:
		if depth > 6 || rng.IntN(4) == 0 {
			return // nil
		}
		n := rng.IntN(4)
		s := reflect.MakeSlice(v.Type(), n, n)
		for i := range n {
			fill(rng, s.Index(i), depth+1)
		}
		v.Set(s)
	case reflect.Map:
		if depth > 6 || rng.IntN(3) == 0 {
			return
		}
		m := reflect.MakeMap(v.Type())
		for range rng.IntN(4) {
			k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
			fill(rng, k, depth+1)
			fill(rng, e, depth+1)
			m.SetMapIndex(k, e)
		}
		v.Set(m)
	case reflect.Pointer:
		if depth > 6 || rng.IntN(2) == 0 {
			return
		}
		p := reflect.New(v.Type().Elem())
		fill(rng, p.Elem(), depth+1)
		v.Set(p)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(rng, v.Field(i), depth+1)
			}
		}
	case reflect.Interface:
		if rng.IntN(2) == 0 {
			v.Set(reflect.ValueOf(randomString(rng)))
		}
	}
}

// randomString returns a short string with the characters JSON escapes among others.
func randomString(rng *rand.Rand) string {
	const chars = "abcXYZ019 -_.:/\"\\<>&\n\t\u00e9\u20ac\U0001F600\u2028\x01"
	r := []rune(chars)
	var b strings.Builder
	for range rng.IntN(12) {
		b.WriteRune(r[rng.IntN(len(r))])
	}
	return b.String()
}

// saleCompletedJSON is a three-line sale as posbench rings it, as stored.
const saleCompletedJSON = `{"sale_id":"4556ff26-b764-4a03-a12b-1e2df3706ff8","store_id":"b009e462-ca23-4538-8930-7243ec7490d6","register_id":"52aff973-1747-4574-a399-f912cecaaa02","shift_id":"f45d5d33-d39f-4779-8aa4-6773399668b4","cashier_id":"a3f1fda6-e9f5-4b85-a39b-dad86ebda983","receipt_number":1,"lines":[` +
	`{"id":"2da854c3-fc03-469e-9205-fd8754d1b501","product_id":"d5d6e261-0480-486e-8983-18ccee543fd2","sku":"BENCH-cd91fcfe-0","name":"Bench item 0","category":"bench","quantity":1,"unit_price":{"amount":299,"currency":"EUR"},"list_price":{"amount":299,"currency":"EUR"},"tax_code":"BENCHcd91fcfe","tax_rate_bp":2100,"track_stock":true,"amount":{"amount":299,"currency":"EUR"},"line_discount":{"amount":0,"currency":"EUR"},"sale_discount":{"amount":0,"currency":"EUR"},"discount":{"amount":0,"currency":"EUR"},"net":{"amount":299,"currency":"EUR"},"tax":{"amount":52,"currency":"EUR"},"total":{"amount":299,"currency":"EUR"}},` +
	`{"id":"0c6a10bc-c7ad-454e-95ca-faf33a61ca4c","product_id":"82fea689-217d-4758-9228-3031d1f255a1","sku":"BENCH-cd91fcfe-1","name":"Bench item 1","category":"bench","quantity":1.5,"unit_price":{"amount":1000,"currency":"EUR"},"list_price":{"amount":1000,"currency":"EUR"},"tax_code":"BENCHcd91fcfe","tax_rate_bp":2100,"track_stock":true,"amount":{"amount":1500,"currency":"EUR"},"line_discount":{"amount":0,"currency":"EUR"},"sale_discount":{"amount":0,"currency":"EUR"},"discount":{"amount":0,"currency":"EUR"},"net":{"amount":1500,"currency":"EUR"},"tax":{"amount":260,"currency":"EUR"},"total":{"amount":1500,"currency":"EUR"}},` +
	`{"id":"73fc98e0-ac72-4e55-b9d7-e9f37b233b6f","product_id":"aa8c6b1f-26b0-4c83-bb44-077d8e9885d5","sku":"BENCH-cd91fcfe-2","name":"Bench item 2","category":"bench","quantity":1,"unit_price":{"amount":450,"currency":"EUR"},"list_price":{"amount":450,"currency":"EUR"},"tax_code":"BENCHcd91fcfe","tax_rate_bp":2100,"track_stock":true,"amount":{"amount":450,"currency":"EUR"},"line_discount":{"amount":0,"currency":"EUR"},"sale_discount":{"amount":0,"currency":"EUR"},"discount":{"amount":0,"currency":"EUR"},"net":{"amount":450,"currency":"EUR"},"tax":{"amount":78,"currency":"EUR"},"total":{"amount":450,"currency":"EUR"}}],` +
	`"totals":{"subtotal":{"amount":2249,"currency":"EUR"},"discount":{"amount":0,"currency":"EUR"},"tax":{"amount":390,"currency":"EUR"},"total":{"amount":2249,"currency":"EUR"},"paid":{"amount":2249,"currency":"EUR"},"change":{"amount":0,"currency":"EUR"},"due":{"amount":0,"currency":"EUR"},"cash_paid":{"amount":0,"currency":"EUR"},"non_cash_paid":{"amount":2249,"currency":"EUR"}},` +
	`"payments":[{"id":"360fd13d-304d-4f63-8b92-7cb83ee9b4d8","tender":"card","amount":{"amount":2249,"currency":"EUR"}}],"cash_in":{"amount":0,"currency":"EUR"},"prices_include_tax":true,"completed_at":"2026-12-06T19:37:32.00437342Z"}`

// BenchmarkCodecDecodeSaleCompleted compares the codec's decode of a completed sale with
// encoding/json's Unmarshal into the same type. Beside the wall time it reports the process's
// CPU time per decode, garbage collection included (cpu-ns/op), which a busy machine moves
// far less.
func BenchmarkCodecDecodeSaleCompleted(b *testing.B) {
	codec := commands.NewCodec()
	data := []byte(saleCompletedJSON)
	zero, err := codec.Decode(sale.TypeSaleCompleted, data)
	if err != nil {
		b.Fatal(err)
	}
	typ := reflect.TypeOf(zero)
	b.Run("codec", func(b *testing.B) {
		b.ReportAllocs()
		cpu := processCPU()
		for b.Loop() {
			if _, err := codec.Decode(sale.TypeSaleCompleted, data); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/op")
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		cpu := processCPU()
		for b.Loop() {
			if err := json.Unmarshal(data, reflect.New(typ).Interface()); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/op")
	})
}

// processCPU is the CPU time (user and system) the test process has used so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkDecodeMetadata compares eventstore.DecodeMetadata, checking the JSON and with the
// backend vouching for it, with json.Unmarshal on a sale's metadata as stored (cpu-ns/op as in
// BenchmarkCodecDecodeSaleCompleted).
func BenchmarkDecodeMetadata(b *testing.B) {
	data := []byte(`{"correlation_id":"0e187066-b75d-40a7-b7e1-d68c0476d369","causation_id":"0e187066-b75d-40a7-b7e1-d68c0476d369","command_id":"sale.complete:4556ff26-b764-4a03-a12b-1e2df3706ff8","user_id":"a3f1fda6-e9f5-4b85-a39b-dad86ebda983","store_id":"b009e462-ca23-4538-8930-7243ec7490d6","register_id":"52aff973-1747-4574-a399-f912cecaaa02","occurred_at":"2026-12-06T19:37:32.004365365Z","extra":{"request_id":"0e187066-b75d-40a7-b7e1-d68c0476d369"}}`)
	for _, d := range []struct {
		name   string
		decode func([]byte, *eventstore.Metadata) error
	}{
		{"DecodeMetadata", func(b []byte, m *eventstore.Metadata) error { return eventstore.DecodeMetadata(b, m, false) }},
		{"DecodeMetadata-valid", func(b []byte, m *eventstore.Metadata) error { return eventstore.DecodeMetadata(b, m, true) }},
		{"encoding-json", func(b []byte, m *eventstore.Metadata) error { return json.Unmarshal(b, m) }},
	} {
		b.Run(d.name, func(b *testing.B) {
			b.ReportAllocs()
			cpu := processCPU()
			for b.Loop() {
				var m eventstore.Metadata
				if err := d.decode(data, &m); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/op")
		})
	}
}

// TestEncodeVouchesForItsJSON: the EventData a command appends carry ValidJSON, which lets the
// store skip its own check (eventstore.EventData.ValidJSON); that holds only because what the
// codec writes is valid JSON in valid UTF-8 for every event type of the write side, random
// values of each, and for strings that are not valid UTF-8 (json.Marshal writes U+FFFD).
func TestEncodeVouchesForItsJSON(t *testing.T) {
	codec := commands.NewCodec()
	rng := rand.New(rand.NewPCG(7, 8))
	cmd := commands.Context{ID: "cmd-1", UserID: "u-1"}
	evs, err := commands.Encode(codec, "s-1", cmd, []any{sale.LineAdded{PriceOverrideBy: "m\xffx\xc3", Flags: []string{"\xed\xa0\x80"}}})
	if err != nil {
		t.Fatalf("encode invalid UTF-8 in strings: %v", err)
	}
	if !evs[0].ValidJSON || !json.Valid(evs[0].Data) || !utf8.Valid(evs[0].Data) {
		t.Fatalf("invalid UTF-8 in strings: ValidJSON %v, data %q", evs[0].ValidJSON, evs[0].Data)
	}
	for _, name := range codec.Names() {
		zero, err := codec.Decode(name, []byte(`{}`))
		if err != nil {
			t.Fatalf("%s: decode {}: %v", name, err)
		}
		for range 50 {
			v := reflect.New(reflect.TypeOf(zero)).Elem()
			fill(rng, v, 0)
			evs, err := commands.Encode(codec, "s-1", cmd, []any{v.Interface()})
			if err != nil {
				continue // a value its own MarshalJSON refuses: never appended
			}
			if !evs[0].ValidJSON || !json.Valid(evs[0].Data) || !utf8.Valid(evs[0].Data) {
				t.Fatalf("%s: ValidJSON %v for %q", name, evs[0].ValidJSON, evs[0].Data)
			}
		}
	}
}
