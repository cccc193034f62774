package reports

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/odata-pos/pos/domain/returns"
	"github.com/odata-pos/pos/domain/sale"
	"github.com/odata-pos/pos/domain/stock"
)

// fastRead reads data with the lexer alone; ok is false when it gives up.
func fastRead(typ string, data []byte) (v any, ok bool) {
	switch typ {
	case sale.TypeSaleCompleted:
		return lex(data, (*lexer).saleCompleted)
	case returns.TypeReturnRecorded:
		return lex(data, (*lexer).returnRecorded)
	case stock.TypeStockMoved:
		return lex(data, (*lexer).stockMoved)
	case stock.TypeStockCounted:
		return lex(data, (*lexer).stockCounted)
	}
	return nil, false
}

func lex[T any](data []byte, read func(*lexer, *T)) (any, bool) {
	var v T
	l := lexer{b: data}
	read(&l, &v)
	return v, l.done()
}

// unmarshalSlim reads data with json.Unmarshal into the slim view of typ.
func unmarshalSlim(typ string, data []byte) (any, error) {
	ptr := map[string]any{sale.TypeSaleCompleted: &saleCompleted{}, returns.TypeReturnRecorded: &returnRecorded{},
		stock.TypeStockMoved: &stockMoved{}, stock.TypeStockCounted: &stockCounted{}}[typ]
	err := json.Unmarshal(data, ptr)
	return reflect.ValueOf(ptr).Elem().Interface(), err
}

// FuzzFastDecode checks the lexer against json.Unmarshal: whatever the lexer reads, json.Unmarshal
// reads without error and to the same value.
func FuzzFastDecode(f *testing.F) {
	for i, typ := range slimTypes {
		f.Add(uint8(i), slimSeeds(f)[typ])
	}
	for _, s := range []struct {
		kind uint8
		data string
	}{
		{0, `{"lines":[{"quantity":"1.5","category":null},null],"totals":{"change":{"amount":-3}},"payments":null}`},
		{0, `{"lines":[],"payments":[{"tender":"gift\u005fcard","amount":{"amount":0,"currency":"EUR","x":[1,{"y":null}]}}]}`},
		{0, ` {"cashier_id":"caf\u00e9 \ud83d\ude00","store_id":null,"totals":null} `},
		{1, `{"Lines":[{"Restock":true,"REASON":"x"}],"total":{"amount":1,"currency":"EUR"}}`},
		{1, `{"lines":[{"restock":null,"reason":"\ud800","quantity":2e3}],"refunds":[{"amount":{"amount":1.0}}]}`},
		{2, `{"unit_cost":null,"kind":"receipt","on_hand":-2.5,"at":"2025-01-01T00:00:00Z"}`},
		{2, `{"unit_cost":{},"delta":"-0.001","at":null,"product_id":"{7d7b7d4e-77c5-4b7a-9d0e-0c1a2b3c4d5e}"}`},
		{3, `{"counted":"3","counted":4}`},
		{3, `{"counted":01}`},
		{3, `{"at":"2025-01-01T00:00:00+01:00","ſtore":1,"\u0061t":2}`},
	} {
		f.Add(s.kind, []byte(s.data))
	}
	f.Fuzz(func(t *testing.T, kind uint8, data []byte) {
		typ := slimTypes[int(kind)%len(slimTypes)]
		got, ok := fastRead(typ, data)
		if !ok {
			return // decode falls back to json.Unmarshal
		}
		want, err := unmarshalSlim(typ, data)
		if err != nil {
			t.Fatalf("%s: the lexer reads %q but json.Unmarshal fails: %v", typ, data, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: lexer and json.Unmarshal differ on %q\n lexer %#v\n  json %#v", typ, data, got, want)
		}
	})
}

// TestLexerReadsWhatTheCodecWrites: the events as stored, with HTML-escaped and non-ASCII
// names, take the fast path.
func TestLexerReadsWhatTheCodecWrites(t *testing.T) {
	seeds := slimSeeds(t)
	var sc sale.SaleCompleted
	if err := json.Unmarshal(seeds[sale.TypeSaleCompleted], &sc); err != nil {
		t.Fatal(err)
	}
	sc.Lines[0].Category, sc.CashierID = "Food & Drink <fresh>", "Zoë"
	var err error
	if seeds["escaped"], err = json.Marshal(sc); err != nil {
		t.Fatal(err)
	}
	for name, data := range seeds {
		typ := name
		if name == "escaped" {
			typ = sale.TypeSaleCompleted
		}
		got, ok := fastRead(typ, data)
		if !ok {
			t.Errorf("%s: the lexer gives up on %s", name, data)
			continue
		}
		if want, err := unmarshalSlim(typ, data); err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: lexer %#v, json %#v (%v)", name, got, want, err)
		}
	}
}
