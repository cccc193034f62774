package chain_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/eventstore/chain"
)

func TestSumChainsAndSeparatesFields(t *testing.T) {
	id := uuid.MustParse("0190a4c2-0000-7000-8000-000000000001")
	base := chain.Event{Stream: "sale-1", Revision: 0, ID: id, Type: "t.v1", Data: []byte(`{"a":1}`), Metadata: []byte(`{}`)}
	h0 := chain.Sum(chain.Zero, base)
	// Moving bytes between adjacent fields must change the hash (length prefixes).
	variants := []chain.Event{
		{Stream: "sale-", Revision: 0, ID: id, Type: "1t.v1", Data: base.Data, Metadata: base.Metadata},
		{Stream: base.Stream, Revision: 1, ID: id, Type: base.Type, Data: base.Data, Metadata: base.Metadata},
		{Stream: base.Stream, ID: id, Type: base.Type, Data: []byte(`{"a":1}{`), Metadata: []byte(`}`)},
		{Stream: base.Stream, ID: uuid.New(), Type: base.Type, Data: base.Data, Metadata: base.Metadata},
	}
	for i, v := range variants {
		if chain.Sum(chain.Zero, v) == h0 {
			t.Errorf("variant %d hashes like the original", i)
		}
	}
	if chain.Sum(h0, base) == h0 {
		t.Error("the previous hash is not covered")
	}
	var hs chain.Hasher
	if hs.Sum(h0, base) != chain.Sum(h0, base) {
		t.Error("Hasher and Sum disagree")
	}
}

func TestMetadataJoinSplitRoundTrip(t *testing.T) {
	h := chain.Sum(chain.Zero, chain.Event{Stream: "x-1"})
	for _, m := range []string{`{}`, `{ }`, `{"user_id":"u","extra":{"$chain":"no"}}`, "{\"a\":1 \n}"} {
		joined, err := chain.JoinMetadata([]byte(m), h)
		if err != nil {
			t.Fatal(err)
		}
		if !json.Valid(joined) {
			t.Fatalf("%s: joined %s is not JSON", m, joined)
		}
		orig, got, err := chain.SplitMetadata(joined)
		if err != nil || got != h || !bytes.Equal(orig, []byte(m)) {
			t.Fatalf("%s: split %s %s %v", m, orig, got, err)
		}
	}
	if _, _, err := chain.SplitMetadata([]byte(`{"user_id":"u"}`)); err == nil {
		t.Fatal("metadata without a hash split")
	}
}

func FuzzMetadataRoundTrip(f *testing.F) {
	f.Add([]byte(`{"a":"b"}`))
	f.Fuzz(func(t *testing.T, m []byte) {
		var obj map[string]any
		if json.Unmarshal(m, &obj) != nil || obj == nil {
			return
		}
		joined, err := chain.JoinMetadata(m, chain.Zero)
		if err != nil {
			return // surrounding white space: refused, never mangled
		}
		orig, _, err := chain.SplitMetadata(joined)
		if err != nil || !bytes.Equal(orig, m) {
			t.Fatalf("%q: round trip gave %q, %v", m, orig, err)
		}
	})
}
