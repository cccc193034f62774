package pguuid_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/odata-pos/pos/internal/pgtest"
	"github.com/odata-pos/pos/internal/pguuid"
)

// TestUUIDsRoundTrip: UUIDs, pointers to them and slices of them sent through a pool with the
// encoding registered arrive in PostgreSQL as the same uuids (compared there with their text
// form, which the Valuer path sends), and come back equal.
func TestUUIDsRoundTrip(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	pool, err := pguuid.NewPool(ctx, pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	one := uuid.New()
	many := []uuid.UUID{uuid.New(), uuid.Nil, uuid.New()}
	var (
		same               bool
		gotOne             uuid.UUID
		gotMany            []uuid.UUID
		nilPointer, isNull bool
	)
	err = pool.QueryRow(ctx, `SELECT $1::uuid = $2::text::uuid AND $3::uuid[] = $4::text[]::uuid[], $1::uuid, $3::uuid[], $5::uuid IS NULL, $6::uuid IS NOT NULL`,
		one, one.String(), many, []string{many[0].String(), many[1].String(), many[2].String()}, (*uuid.UUID)(nil), &one).
		Scan(&same, &gotOne, &gotMany, &nilPointer, &isNull)
	if err != nil {
		t.Fatal(err)
	}
	if !same || gotOne != one || !slices.Equal(gotMany, many) || !nilPointer || !isNull {
		t.Fatalf("sent %s and %v: equal in PostgreSQL %v, read back %s and %v, nil pointer NULL %v, pointer not NULL %v",
			one, many, same, gotOne, gotMany, nilPointer, isNull)
	}
}

// TestRegisterSkipsTheValuer: with the encoding registered a []uuid.UUID no longer calls
// uuid.UUID.Value (a string per element); without it, it does (the reason for this package).
func TestRegisterSkipsTheValuer(t *testing.T) {
	ids := []uuid.UUID{uuid.New(), uuid.New()}
	encode := func(m *pgtype.Map) []byte {
		t.Helper()
		buf, err := m.Encode(pgtype.UUIDArrayOID, pgtype.BinaryFormatCode, ids, nil)
		if err != nil {
			t.Fatal(err)
		}
		return buf
	}
	plain, registered := pgtype.NewMap(), pgtype.NewMap()
	pguuid.Register(registered)
	if a, b := encode(plain), encode(registered); !slices.Equal(a, b) {
		t.Fatalf("encoded differently: %x against %x", b, a)
	}
	allocs := func(m *pgtype.Map) float64 {
		return testing.AllocsPerRun(100, func() { _, _ = m.Encode(pgtype.UUIDArrayOID, pgtype.BinaryFormatCode, ids, nil) })
	}
	if a, b := allocs(plain), allocs(registered); b >= a {
		t.Fatalf("%.0f allocations an encode registered against %.0f through the Valuer; want fewer", b, a)
	}
}

func BenchmarkEncodeUUIDArray(b *testing.B) {
	ids := make([]uuid.UUID, 20)
	for i := range ids {
		ids[i] = uuid.New()
	}
	registered := pgtype.NewMap()
	pguuid.Register(registered)
	for _, c := range []struct {
		name string
		m    *pgtype.Map
	}{{"valuer", pgtype.NewMap()}, {"registered", registered}} {
		b.Run(c.name, func(b *testing.B) {
			var buf []byte
			for b.Loop() {
				var err error
				if buf, err = c.m.Encode(pgtype.UUIDArrayOID, pgtype.BinaryFormatCode, ids, buf[:0]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
