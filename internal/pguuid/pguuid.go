// Package pguuid has pgx encode github.com/google/uuid's UUID, and slices and arrays of it, as
// PostgreSQL's binary uuid directly.
//
// uuid.UUID implements driver.Valuer, and pgx honours a Valuer before looking at the type
// underneath: each UUID parameter was formatted as a 36-character string and parsed back,
// and each element of a []uuid.UUID parameter planned anew as well. The read models pass
// arrays of UUIDs in every batch they write; under a closed loop of sales this was 3 % of
// posd's CPU. The bytes sent are the same either way.
package pguuid

import (
	"context"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Register makes m encode uuid.UUID values as pgtype.UUID, ahead of its other encode plans.
func Register(m *pgtype.Map) {
	m.TryWrapEncodePlanFuncs = append([]pgtype.TryWrapEncodePlanFunc{tryWrapUUID}, m.TryWrapEncodePlanFuncs...)
}

// Configure registers the encoding on every connection the pool opens, after the
// configuration's own AfterConnect, if any.
func Configure(cfg *pgxpool.Config) {
	after := cfg.AfterConnect
	cfg.AfterConnect = func(ctx context.Context, conn *pgx.Conn) error {
		if after != nil {
			if err := after(ctx, conn); err != nil {
				return err
			}
		}
		Register(conn.TypeMap())
		return nil
	}
}

// NewPool opens a pool on databaseURL with the encoding registered (pgxpool.New otherwise).
func NewPool(ctx context.Context, databaseURL string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(databaseURL)
	if err != nil {
		return nil, err
	}
	Configure(cfg)
	return pgxpool.NewWithConfig(ctx, cfg)
}

func tryWrapUUID(value any) (plan pgtype.WrappedEncodePlanNextSetter, nextValue any, ok bool) {
	if u, isUUID := value.(uuid.UUID); isUUID {
		return &wrapUUIDEncodePlan{}, pgtype.UUID{Bytes: u, Valid: true}, true
	}
	return nil, nil, false
}

// wrapUUIDEncodePlan hands a uuid.UUID to the plan for pgtype.UUID.
type wrapUUIDEncodePlan struct{ next pgtype.EncodePlan }

func (p *wrapUUIDEncodePlan) SetNext(next pgtype.EncodePlan) { p.next = next }

func (p *wrapUUIDEncodePlan) Encode(value any, buf []byte) ([]byte, error) {
	return p.next.Encode(pgtype.UUID{Bytes: value.(uuid.UUID), Valid: true}, buf)
}
