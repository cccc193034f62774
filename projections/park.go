package projections

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/odata-pos/pos/eventstore"
)

// Parking keeps one event a projection cannot apply from stopping the whole read model: the
// event is set aside in projection_parked (the dead letters) with its error, and so is every
// later event of its stream, so that stream's rows stay as they were before it, consistent,
// while every other stream (every other store, shift, sale) goes on. An operator sees the
// parked events in the status, the pos_projection_parked gauge and an error log naming each,
// and either replays them in order once the cause is fixed (ReplayParked) or skips one (Skip).
// More than Config.ParkLimit poison events in one generation are not one bad event but a
// broken projection: the projection then stops as before parking existed (status failed).

// parkDDL creates the dead-letter table. One row per parked event of a generation; CauseAt
// is set on events parked only because an earlier event of their stream is parked. It only
// alters or creates what is missing: ALTER TABLE and a foreign key lock projection_checkpoints
// exclusively, which would deadlock with a running replica's batches on every start.
const parkDDL = `
DO $$ BEGIN
IF NOT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema()
		AND table_name = 'projection_checkpoints' AND column_name = 'parked') THEN
	ALTER TABLE projection_checkpoints ADD COLUMN parked integer NOT NULL DEFAULT 0;
END IF;
IF to_regclass('projection_parked') IS NULL THEN
	CREATE TABLE projection_parked (
		schema_name    text NOT NULL REFERENCES projection_checkpoints (schema_name) ON DELETE CASCADE,
		name           text NOT NULL,
		position       bigint NOT NULL,
		event_id       uuid NOT NULL,
		stream         text NOT NULL,
		revision       bigint NOT NULL,
		event_type     text NOT NULL,
		data           bytea NOT NULL,
		error          text NOT NULL,
		cause_position bigint,
		parked_at      timestamptz NOT NULL DEFAULT now(),
		PRIMARY KEY (schema_name, position)
	);
	CREATE INDEX projection_parked_stream ON projection_parked (schema_name, stream, position);
	COMMENT ON TABLE projection_parked IS 'Projection runner: events a read model could not apply (and later events of their streams), set aside so the rest goes on; replay or skip them';
END IF;
END $$;
`

// errParkLimit refuses to park one more poison event: the generation has ParkLimit already.
var errParkLimit = errors.New("too many parked events: the projection itself is broken")

// ParkedEvent is one event a projection set aside (see the parking note in this file).
type ParkedEvent struct {
	Position eventstore.Position `json:"position"`
	EventID  uuid.UUID           `json:"event_id"`
	Stream   string              `json:"stream"`
	Revision uint64              `json:"revision"`
	Type     string              `json:"type"`
	Error    string              `json:"error"`
	// CausePosition is set on an event parked only because an earlier event of its stream
	// (at that position) is parked.
	CausePosition *eventstore.Position `json:"cause_position,omitempty"`
	ParkedAt      time.Time            `json:"parked_at"`
}

// parking is an event to park in a batch, with why.
type parking struct {
	ev      eventstore.RecordedEvent
	cause   string
	causeAt *eventstore.Position
}

// splitParked returns the events of a batch that may be applied and those to park behind an
// earlier parked event of their stream. parked is the generation's parked count: zero (the
// normal case) costs no query.
func splitParked(ctx context.Context, tx pgx.Tx, schema string, parked int, events []eventstore.RecordedEvent) ([]eventstore.RecordedEvent, []parking, error) {
	if parked == 0 || len(events) == 0 {
		return events, nil, nil
	}
	streams := make([]string, 0, len(events))
	for _, e := range events {
		streams = append(streams, e.Stream)
	}
	rows, err := tx.Query(ctx, `SELECT stream, min(position) FROM projection_parked
		WHERE schema_name = $1 AND stream = ANY ($2) GROUP BY stream`, schema, streams)
	if err != nil {
		return nil, nil, fmt.Errorf("parked streams of %s: %w", schema, err)
	}
	blocked := map[string]eventstore.Position{}
	var stream string
	var pos int64
	if _, err := pgx.ForEachRow(rows, []any{&stream, &pos}, func() error {
		blocked[stream] = eventstore.Position(pos)
		return nil
	}); err != nil {
		return nil, nil, fmt.Errorf("parked streams of %s: %w", schema, err)
	}
	if len(blocked) == 0 {
		return events, nil, nil
	}
	apply := make([]eventstore.RecordedEvent, 0, len(events))
	var behind []parking
	for _, e := range events {
		at, ok := blocked[e.Stream]
		if !ok {
			apply = append(apply, e)
			continue
		}
		behind = append(behind, parking{ev: e, cause: fmt.Sprintf("an earlier event of %s (at %d) is parked", e.Stream, at), causeAt: &at})
	}
	return apply, behind, nil
}

// insertParked records ps in the dead-letter table of schema.
func insertParked(ctx context.Context, tx pgx.Tx, schema, name string, ps []parking) error {
	b := &pgx.Batch{}
	for _, p := range ps {
		var causeAt *int64
		if p.causeAt != nil {
			c := int64(*p.causeAt)
			causeAt = &c
		}
		data := []byte(p.ev.Data)
		if data == nil {
			data = []byte{}
		}
		b.Queue(`INSERT INTO projection_parked (schema_name, name, position, event_id, stream, revision, event_type, data, error, cause_position)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING`,
			schema, name, int64(p.ev.Position), p.ev.ID, p.ev.Stream, int64(p.ev.Revision), p.ev.Type, data, p.cause, causeAt)
	}
	if err := SendBatch(ctx, tx, b); err != nil {
		return fmt.Errorf("park %d events of %s: %w", len(ps), schema, err)
	}
	return nil
}

// checkParkLimit returns errParkLimit when schema already holds limit poison events.
func checkParkLimit(ctx context.Context, tx pgx.Tx, schema string, limit int) error {
	var n int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM projection_parked WHERE schema_name = $1 AND cause_position IS NULL`,
		schema).Scan(&n); err != nil {
		return fmt.Errorf("count parked events of %s: %w", schema, err)
	}
	if n >= limit {
		return fmt.Errorf("%s holds %d: %w", schema, n, errParkLimit)
	}
	return nil
}

// loadParked returns the parked events of schema in position order, at most limit.
func loadParked(ctx context.Context, q querier, schema string, limit int) ([]ParkedEvent, error) {
	rows, err := q.Query(ctx, `SELECT position, event_id, stream, revision, event_type, error, cause_position, parked_at
		FROM projection_parked WHERE schema_name = $1 ORDER BY position LIMIT $2`, schema, limit)
	if err != nil {
		return nil, fmt.Errorf("load parked events of %s: %w", schema, err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (ParkedEvent, error) {
		var (
			p             ParkedEvent
			pos, rev      int64
			causePosition *int64
		)
		err := row.Scan(&pos, &p.EventID, &p.Stream, &rev, &p.Type, &p.Error, &causePosition, &p.ParkedAt)
		p.Position, p.Revision = eventstore.Position(pos), uint64(rev)
		if causePosition != nil {
			c := eventstore.Position(*causePosition)
			p.CausePosition = &c
		}
		return p, err
	})
	if err != nil {
		return nil, fmt.Errorf("load parked events of %s: %w", schema, err)
	}
	return out, nil
}

// park sets ev aside after it failed every retry with cause, moving the checkpoint past it,
// and reports it: an error log naming the event, the poison and parked metrics. It returns
// errParkLimit (or a transient error) when the event could not be parked.
func (t *track) park(ctx context.Context, ev eventstore.RecordedEvent, cause error) error {
	j := &job{p: t.p, schema: t.schema, from: t.pos, to: ev.Position, events: []eventstore.RecordedEvent{ev}, park: cause, label: t.label()}
	if err := t.r.apply(ctx, j); err != nil {
		return err
	}
	t.advance(ctx, ev.Position, 0)
	name, label := t.p.Name(), t.label()
	t.r.metrics.poison.WithLabelValues(name, label).Inc()
	t.r.log.Error("projection parked an event it cannot apply; the rest goes on (replay it once fixed, or skip it)",
		"projection", name, "schema", t.schema, "position", uint64(ev.Position), "event_id", ev.ID,
		"stream", ev.Stream, "revision", ev.Revision, "type", ev.Type, "error", cause)
	return nil
}
