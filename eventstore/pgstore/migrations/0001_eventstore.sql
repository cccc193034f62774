-- The PostgreSQL event store: streams, events, the $all position sequence and the append and
-- tombstone functions. See eventstore/pgstore/doc.go for why appends look the way they do.

-- +goose Up

-- Positions in $all. CACHE 1 (no per-session preallocation) so that positions are handed out in
-- the real-time order in which appenders ask for them; the hole proof relies on it.
CREATE SEQUENCE events_position_seq AS bigint START WITH 1 MINVALUE 1 CACHE 1 NO CYCLE;

CREATE TABLE streams (
    stream_id text    PRIMARY KEY,
    revision  bigint  NOT NULL,              -- revision of the last event; -1 before the first
    deleted   boolean NOT NULL DEFAULT false -- tombstoned: no more reads or appends
);

COMMENT ON TABLE streams IS 'One row per event stream: its current revision and whether it is tombstoned.';

CREATE TABLE events (
    position    bigint      PRIMARY KEY DEFAULT nextval('events_position_seq'),
    event_id    uuid        NOT NULL UNIQUE,
    stream_id   text        NOT NULL,
    revision    bigint      NOT NULL,
    type        text        NOT NULL,
    data        json        NOT NULL, -- json, not jsonb: the exact bytes appended are kept
    metadata    json        NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (stream_id, revision)
);

ALTER SEQUENCE events_position_seq OWNED BY events.position;

COMMENT ON TABLE events IS 'Every event ever appended, in $all order (position). Append-only: '
    'write only through append_events(). data and metadata are json (exact bytes); cast to jsonb to query them.';

-- append_events appends events to a stream in one call, conditional on p_expected:
-- -1 any, -2 no stream, -3 stream exists, >= 0 the exact revision of the stream's last event.
-- It returns one row (status, revision, position) and never raises for an expected outcome:
--   ok                 revision and position of the last event (written now, or by the original
--                      append when the same event IDs were already appended: nothing is written)
--   wrong_expected     revision is the stream's current revision (-1: no stream); nothing written
--   deleted            the stream is tombstoned; nothing written
--   duplicate_event_id an event ID is already stored elsewhere; nothing written
-- A concurrent append of the same IDs can still make the INSERT fail with a unique violation
-- on events_event_id_key; calling again then answers from the committed events.
-- Call it in autocommit: readers of $all wait for appends in flight, so an append must be short.
-- +goose StatementBegin
CREATE FUNCTION append_events(
    p_stream   text,
    p_expected bigint,
    p_ids      uuid[],
    p_types    text[],
    p_data     json[],
    p_metadata json[],
    OUT status     text,
    OUT revision   bigint,
    OUT "position" bigint
)
LANGUAGE plpgsql
AS $fn$
#variable_conflict use_variable
DECLARE
    v_n        integer := cardinality(p_ids);
    v_base     bigint; -- revision before the new events
    v_deleted  boolean;
    v_stream   text;
    v_first    bigint;
    v_matched  integer;
BEGIN
    <<attempt>>
    LOOP
        -- Idempotency: were these events appended before? Events never change: no lock needed.
        SELECT e.stream_id, e.revision INTO v_stream, v_first
          FROM events e WHERE e.event_id = p_ids[1];
        IF FOUND THEN
            IF v_stream = p_stream THEN
                SELECT count(*), max(e.position) INTO v_matched, "position"
                  FROM unnest(p_ids) WITH ORDINALITY AS u(id, ord)
                  JOIN events e ON e.stream_id = p_stream
                               AND e.revision = v_first + u.ord - 1
                               AND e.event_id = u.id;
            END IF;
            SELECT s.revision, s.deleted INTO revision, v_deleted
              FROM streams s WHERE s.stream_id = p_stream;
            IF v_deleted THEN
                status := 'deleted'; "position" := NULL;
            ELSIF v_stream <> p_stream OR v_matched <> v_n THEN
                status := 'duplicate_event_id'; "position" := NULL;
            ELSIF p_expected = -1
               OR (p_expected = -2 AND v_first = 0)
               OR (p_expected = -3 AND v_first > 0)
               OR (p_expected >= 0 AND p_expected = v_first - 1) THEN
                status := 'ok'; revision := v_first + v_n - 1;
            ELSE
                status := 'wrong_expected'; "position" := NULL;
            END IF;
            RETURN;
        END IF;

        -- Take the stream: advance its revision if the expectation holds (which also locks the
        -- row until commit), or create it.
        UPDATE streams s SET revision = s.revision + v_n
         WHERE s.stream_id = p_stream AND NOT s.deleted
           AND (p_expected = -1
                OR (p_expected = -2 AND s.revision < 0)
                OR (p_expected = -3 AND s.revision >= 0)
                OR s.revision = p_expected)
        RETURNING s.revision - v_n INTO v_base;
        EXIT attempt WHEN FOUND;

        SELECT s.revision, s.deleted INTO revision, v_deleted
          FROM streams s WHERE s.stream_id = p_stream;
        IF NOT FOUND THEN
            revision := -1;
            v_deleted := false;
        END IF;
        IF v_deleted THEN
            status := 'deleted';
            RETURN;
        END IF;
        IF p_expected = -1
           OR (p_expected = -2 AND revision < 0)
           OR (p_expected = -3 AND revision >= 0)
           OR revision = p_expected THEN
            IF revision < 0 THEN
                INSERT INTO streams (stream_id, revision) VALUES (p_stream, v_n - 1)
                    ON CONFLICT (stream_id) DO NOTHING;
                IF FOUND THEN
                    v_base := -1;
                    EXIT attempt;
                END IF;
            END IF;
            CONTINUE attempt; -- a concurrent append changed the stream since the UPDATE looked
        END IF;
        -- The expectation fails. If a concurrent append of these very events committed
        -- meanwhile, this is an idempotent retry after all: start over to answer it.
        CONTINUE attempt WHEN EXISTS (SELECT FROM events e WHERE e.event_id = p_ids[1]);
        status := 'wrong_expected';
        RETURN;
    END LOOP;

    -- The INSERT holds RowExclusiveLock on events from before nextval hands out the first
    -- position until the transaction ends: readers prove holes with that lock (doc.go).
    status := 'ok';
    revision := v_base + v_n;
    IF v_n = 1 THEN -- the common case, without unnest and sort
        INSERT INTO events (position, event_id, stream_id, revision, type, data, metadata)
        VALUES (nextval('events_position_seq'), p_ids[1], p_stream, v_base + 1, p_types[1], p_data[1], p_metadata[1])
        RETURNING events.position INTO "position";
        RETURN;
    END IF;
    INSERT INTO events (position, event_id, stream_id, revision, type, data, metadata)
    SELECT nextval('events_position_seq'), u.id, p_stream, v_base + u.ord, u.t, u.d, u.m
      FROM unnest(p_ids, p_types, p_data, p_metadata) WITH ORDINALITY AS u(id, t, d, m, ord)
     ORDER BY u.ord;
    "position" := currval('events_position_seq');
END
$fn$;
-- +goose StatementEnd

-- tombstone_stream marks a stream deleted if p_expected holds (encoded as for append_events).
-- It returns (status, revision) with status ok, wrong_expected or deleted.
-- +goose StatementBegin
CREATE FUNCTION tombstone_stream(p_stream text, p_expected bigint)
RETURNS TABLE (status text, revision bigint)
LANGUAGE plpgsql
AS $fn$
#variable_conflict use_variable
DECLARE
    v_revision bigint;
    v_deleted  boolean;
    v_created  boolean := false;
BEGIN
    LOOP
        SELECT s.revision, s.deleted INTO v_revision, v_deleted
          FROM streams s WHERE s.stream_id = p_stream FOR UPDATE;
        EXIT WHEN FOUND;
        INSERT INTO streams AS s (stream_id, revision) VALUES (p_stream, -1)
            ON CONFLICT (stream_id) DO NOTHING
            RETURNING s.revision, s.deleted INTO v_revision, v_deleted;
        IF FOUND THEN
            v_created := true;
            EXIT;
        END IF;
    END LOOP;

    IF v_deleted THEN
        RETURN QUERY SELECT 'deleted'::text, v_revision;
        RETURN;
    END IF;
    IF NOT (p_expected = -1
         OR (p_expected = -2 AND v_revision < 0)
         OR (p_expected = -3 AND v_revision >= 0)
         OR (p_expected >= 0 AND p_expected = v_revision)) THEN
        IF v_created THEN
            DELETE FROM streams s WHERE s.stream_id = p_stream;
        END IF;
        RETURN QUERY SELECT 'wrong_expected'::text, v_revision;
        RETURN;
    END IF;
    UPDATE streams s SET deleted = true WHERE s.stream_id = p_stream;
    RETURN QUERY SELECT 'ok'::text, v_revision;
END
$fn$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION tombstone_stream(text, bigint);
DROP FUNCTION append_events(text, bigint, uuid[], text[], json[], json[]);
DROP TABLE events;
DROP TABLE streams;
