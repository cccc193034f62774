package audit_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/eventstore/audit"
)

// TestReadersAgree runs the same filtered, paged queries through the SQL query layer and the
// generic $all reader (the EventStoreDB path) over one log and expects the same events.
func TestReadersAgree(t *testing.T) {
	e := newEnv(t)
	e.fill(t, "sale", 20, 15, 5)
	// One offline upload: occurred a day before it was recorded.
	e.exec(t, `UPDATE events SET metadata = json_build_object('user_id', 'user-9', 'occurred_at', '2020-01-02T03:04:05Z')::json WHERE position = 7`)
	e.checkpoint(t, 100)         // indexes the sales
	e.fill(t, "shift", 5, 10, 1) // past the index watermark: filtered on their JSON
	ctx := ctxT(t, time.Minute)
	pg := &audit.PGReader{DB: e.db, Store: e.store}
	gen := &audit.StoreReader{Store: e.store, MaxScan: 37}
	now := time.Now()
	queries := []audit.Query{
		{},
		{Type: "sales.line_added.v1"},
		{Category: "shift"},
		{Category: "sale-", UserID: "user-3"},
		{Stream: "sale-4"},
		{StoreID: "store-1", Axis: audit.AxisRecorded, From: now.Add(-time.Hour), To: now.Add(time.Hour)},
		{Axis: audit.AxisOccurred, From: time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)},
		{UserID: "nobody"},
	}
	for i, q := range queries {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			collect := func(r audit.Reader, limit int) []eventstore.Position {
				var out []eventstore.Position
				q := q
				q.Limit = limit
				for range 1000 {
					p, err := r.Events(ctx, q)
					if err != nil {
						t.Fatal(err)
					}
					for _, ev := range p.Events {
						out = append(out, ev.Position)
					}
					if p.Next == 0 {
						return out
					}
					q.After = p.Next
				}
				t.Fatal("no end of pages")
				return nil
			}
			a, b := collect(pg, 7), collect(gen, 11)
			if fmt.Sprint(a) != fmt.Sprint(b) {
				t.Fatalf("SQL reader %v\n$all reader %v", a, b)
			}
			if i == 6 && (len(a) != 1 || a[0] != 7) {
				t.Fatalf("occurred-time filter found %v, want the offline upload at 7", a)
			}
		})
	}
}
