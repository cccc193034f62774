-- append_events also returns the stream's last chain hash after a write (issue 10).
--
-- append_events as in 0003 with one more OUT column, last_hash: the chain hash of the stream's
-- last event when the call wrote the events (status ok from a write), NULL otherwise (an
-- idempotent retry answered from stored events, wrong_expected, deleted, duplicate_event_id).
-- The event store keeps the last (revision, hash) of the streams it appended to (tips.go), so
-- that its next append to such a stream can hash its events in Go and write them with one
-- plain statement instead of this function (knownappend.go); this function remains the path
-- of every other append, and of those whose stream moved meanwhile. Callers that select
-- status, revision and position by name are unaffected. The function is dropped and created
-- again in the migration's transaction (its result type changes), so no caller sees it missing.

-- +goose Up
COMMENT ON TABLE events IS 'Every event ever appended, in $all order (position). Append-only: '
    'write only through append_events() (or the event store''s equivalent plain statements: eventstore/pgstore). '
    'data and metadata are json (exact bytes); cast to jsonb to query them.';

DROP FUNCTION append_events(text, bigint, uuid[], text[], json[], json[]);

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
    OUT "position" bigint,
    OUT last_hash  bytea
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
    v_hash     bytea;   -- n = 1: the new event's hash; n > 1: the stream's hash before them
    v_hashes   bytea[];
BEGIN
    -- A NoStream append (every new sale, shift, movement ...) tries to create its stream
    -- first. When that succeeds the stream did not exist, so none of these events can be in
    -- it: the idempotency lookup and the UPDATE are skipped. An event ID stored in another
    -- stream makes the INSERT into events raise a unique violation on events_event_id_key,
    -- which the caller answers by calling again (and again: duplicate_event_id). When the
    -- stream exists (or a concurrent append creates it first) the general path below answers.
    IF p_expected = -2 THEN
        INSERT INTO streams AS s (stream_id, revision, last_hash)
        VALUES (p_stream, v_n - 1,
                CASE WHEN v_n = 1
                     THEN pos_event_hash(NULL, p_stream, 0, p_ids[1], p_types[1], p_data[1], p_metadata[1])
                END)
            ON CONFLICT (stream_id) DO NOTHING
        RETURNING s.last_hash INTO v_hash;
        IF FOUND THEN
            v_base := -1;
        END IF;
    END IF;

    <<attempt>>
    LOOP
        EXIT attempt WHEN v_base IS NOT NULL; -- created above
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
        -- row until commit), or create it. A single event is hashed right here.
        UPDATE streams s SET revision = s.revision + v_n,
               last_hash = CASE WHEN v_n = 1
                                THEN pos_event_hash(s.last_hash, p_stream, s.revision + 1, p_ids[1],
                                                    p_types[1], p_data[1], p_metadata[1])
                                ELSE s.last_hash END
         WHERE s.stream_id = p_stream AND NOT s.deleted
           AND (p_expected = -1
                OR (p_expected = -2 AND s.revision < 0)
                OR (p_expected = -3 AND s.revision >= 0)
                OR s.revision = p_expected)
        RETURNING s.revision - v_n, s.last_hash INTO v_base, v_hash;
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
                v_hash := CASE WHEN v_n = 1
                               THEN pos_event_hash(NULL, p_stream, 0, p_ids[1], p_types[1], p_data[1], p_metadata[1])
                          END;
                INSERT INTO streams (stream_id, revision, last_hash) VALUES (p_stream, v_n - 1, v_hash)
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
        INSERT INTO events (position, event_id, stream_id, revision, type, data, metadata, hash)
        VALUES (nextval('events_position_seq'), p_ids[1], p_stream, v_base + 1, p_types[1], p_data[1], p_metadata[1], v_hash)
        RETURNING events.position INTO "position";
        last_hash := v_hash;
        RETURN;
    END IF;
    v_hashes := array_fill(NULL::bytea, ARRAY[v_n]);
    FOR i IN 1..v_n LOOP
        v_hash := pos_event_hash(v_hash, p_stream, v_base + i, p_ids[i], p_types[i], p_data[i], p_metadata[i]);
        v_hashes[i] := v_hash;
    END LOOP;
    UPDATE streams s SET last_hash = v_hash WHERE s.stream_id = p_stream;
    INSERT INTO events (position, event_id, stream_id, revision, type, data, metadata, hash)
    SELECT nextval('events_position_seq'), u.id, p_stream, v_base + u.ord, u.t, u.d, u.m, u.h
      FROM unnest(p_ids, p_types, p_data, p_metadata, v_hashes) WITH ORDINALITY AS u(id, t, d, m, h, ord)
     ORDER BY u.ord;
    "position" := currval('events_position_seq');
    last_hash := v_hash;
END
$fn$;
-- +goose StatementEnd

-- +goose Down
COMMENT ON TABLE events IS 'Every event ever appended, in $all order (position). Append-only: '
    'write only through append_events() (or the event store''s equivalent statement for one event to a new stream). '
    'data and metadata are json (exact bytes); cast to jsonb to query them.';

DROP FUNCTION append_events(text, bigint, uuid[], text[], json[], json[]);

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
    v_hash     bytea;   -- n = 1: the new event's hash; n > 1: the stream's hash before them
    v_hashes   bytea[];
BEGIN
    -- A NoStream append (every new sale, shift, movement ...) tries to create its stream
    -- first. When that succeeds the stream did not exist, so none of these events can be in
    -- it: the idempotency lookup and the UPDATE are skipped. An event ID stored in another
    -- stream makes the INSERT into events raise a unique violation on events_event_id_key,
    -- which the caller answers by calling again (and again: duplicate_event_id). When the
    -- stream exists (or a concurrent append creates it first) the general path below answers.
    IF p_expected = -2 THEN
        INSERT INTO streams AS s (stream_id, revision, last_hash)
        VALUES (p_stream, v_n - 1,
                CASE WHEN v_n = 1
                     THEN pos_event_hash(NULL, p_stream, 0, p_ids[1], p_types[1], p_data[1], p_metadata[1])
                END)
            ON CONFLICT (stream_id) DO NOTHING
        RETURNING s.last_hash INTO v_hash;
        IF FOUND THEN
            v_base := -1;
        END IF;
    END IF;

    <<attempt>>
    LOOP
        EXIT attempt WHEN v_base IS NOT NULL; -- created above
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
        -- row until commit), or create it. A single event is hashed right here.
        UPDATE streams s SET revision = s.revision + v_n,
               last_hash = CASE WHEN v_n = 1
                                THEN pos_event_hash(s.last_hash, p_stream, s.revision + 1, p_ids[1],
                                                    p_types[1], p_data[1], p_metadata[1])
                                ELSE s.last_hash END
         WHERE s.stream_id = p_stream AND NOT s.deleted
           AND (p_expected = -1
                OR (p_expected = -2 AND s.revision < 0)
                OR (p_expected = -3 AND s.revision >= 0)
                OR s.revision = p_expected)
        RETURNING s.revision - v_n, s.last_hash INTO v_base, v_hash;
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
                v_hash := CASE WHEN v_n = 1
                               THEN pos_event_hash(NULL, p_stream, 0, p_ids[1], p_types[1], p_data[1], p_metadata[1])
                          END;
                INSERT INTO streams (stream_id, revision, last_hash) VALUES (p_stream, v_n - 1, v_hash)
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
        INSERT INTO events (position, event_id, stream_id, revision, type, data, metadata, hash)
        VALUES (nextval('events_position_seq'), p_ids[1], p_stream, v_base + 1, p_types[1], p_data[1], p_metadata[1], v_hash)
        RETURNING events.position INTO "position";
        RETURN;
    END IF;
    v_hashes := array_fill(NULL::bytea, ARRAY[v_n]);
    FOR i IN 1..v_n LOOP
        v_hash := pos_event_hash(v_hash, p_stream, v_base + i, p_ids[i], p_types[i], p_data[i], p_metadata[i]);
        v_hashes[i] := v_hash;
    END LOOP;
    UPDATE streams s SET last_hash = v_hash WHERE s.stream_id = p_stream;
    INSERT INTO events (position, event_id, stream_id, revision, type, data, metadata, hash)
    SELECT nextval('events_position_seq'), u.id, p_stream, v_base + u.ord, u.t, u.d, u.m, u.h
      FROM unnest(p_ids, p_types, p_data, p_metadata, v_hashes) WITH ORDINALITY AS u(id, t, d, m, h, ord)
     ORDER BY u.ord;
    "position" := currval('events_position_seq');
END
$fn$;
-- +goose StatementEnd
