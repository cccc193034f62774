-- read_streams: the event store's multi-stream read (ReadStreams, read_streams.go) as a
-- function whose plan is made once per connection and cannot go stale (issue 10).
--
-- The read is one statement for a command's whole history (a sale reads its store, register,
-- shift, products, tax codes and sale streams at once). Sent as a plain statement it was
-- planned at every call: 0.145 ms of the database's CPU a call, more than it took to run it
-- (0.107 ms), about a tenth of the database's CPU per sale. A plan cached by PostgreSQL the
-- usual way is made from the table sizes of the moment; made while the streams table was
-- small, it joined the reads with a scan of the whole table, 8-16 ms a call after 50,000
-- sales. Here the plan is generic from the first call (plan_cache_mode), and the planner may
-- only use what serves the read at any table size: for each stream asked, its row by the
-- primary key, then a page of its events by (stream_id, revision), in a nested loop. The SET
-- clauses hold only while the function runs; plpgsql keeps the plan for the connection.
--
-- It reads nothing a caller could not read with the statement itself (STABLE: the caller's
-- snapshot, so one snapshot for every stream). $1 names, $2 first revisions, $3 limits; each
-- read answers its ordinal (1-based), its stream row and a page of its events in revision
-- order; a read whose stream has no row answers nothing.

-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION read_streams(p_streams text[], p_starts bigint[], p_limits int[])
RETURNS TABLE (ord bigint, deleted boolean, stream_revision bigint, "position" bigint, event_id uuid,
               revision bigint, type text, data json, metadata json, recorded_at timestamptz, hash bytea)
LANGUAGE plpgsql STABLE
SET plan_cache_mode = force_generic_plan
SET enable_seqscan = off
SET enable_bitmapscan = off
SET enable_hashjoin = off
SET enable_mergejoin = off
AS $fn$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    SELECT r.ord, s.deleted, s.revision, e.position, e.event_id, e.revision, e.type, e.data, e.metadata,
           e.recorded_at, e.hash
      FROM unnest(p_streams, p_starts, p_limits) WITH ORDINALITY AS r(stream, start, lim, ord)
      JOIN streams s ON s.stream_id = r.stream
      LEFT JOIN LATERAL (
            SELECT * FROM events e
             WHERE e.stream_id = s.stream_id AND e.revision >= r.start
             ORDER BY e.revision
             LIMIT r.lim) e ON true
     ORDER BY r.ord, e.revision;
END
$fn$;
-- +goose StatementEnd

COMMENT ON FUNCTION read_streams(text[], bigint[], int[]) IS
    'Reads many event streams in one snapshot, with a plan made once per connection (eventstore/pgstore/read_streams.go).';

-- +goose Down
DROP FUNCTION read_streams(text[], bigint[], int[]);
