-- Tamper evidence. See eventstore/chain for the hash chain and eventstore/audit for
-- checkpoints and verification. (The audit query layer's indexes are not on this table: the
-- audit checkpointer maintains them beside it, in audit_event_index, off the append path.)
--
-- Every event gets hash = pos_event_hash(previous hash of its stream, its content): the chain
-- encoding of eventstore/chain, computed here in SQL by append_events in the same single round
-- trip. streams.last_hash is the hash of the stream's last event. Existing events are hashed
-- in revision order by this migration.

-- +goose Up

-- The chain hashes strings as UTF-8 and uses octet_length for their length: the database
-- must be UTF8 (it is what PostgreSQL's initdb chooses for a UTF-8 locale).
-- +goose StatementBegin
DO $$
BEGIN
    IF (SELECT pg_encoding_to_char(encoding) FROM pg_database WHERE datname = current_database()) <> 'UTF8' THEN
        RAISE EXCEPTION 'the event store needs a UTF8 database for its hash chain';
    END IF;
END $$;
-- +goose StatementEnd

ALTER TABLE events ADD COLUMN hash bytea;
ALTER TABLE streams ADD COLUMN last_hash bytea;

COMMENT ON COLUMN events.hash IS 'SHA-256 chain hash: pos_event_hash(hash of the previous event of the stream, this event). See eventstore/chain.';
COMMENT ON COLUMN streams.last_hash IS 'Chain hash of the stream''s last event (NULL before the first).';

-- pos_event_hash is eventstore/chain.Sum: SHA-256 over "pos.chain.v1" ‖ prev (32 zero bytes
-- for a stream's first event) ‖ lp(stream) ‖ revision ‖ event id ‖ lp(type) ‖ lp(data) ‖
-- lp(metadata), where lp(x) is x's length in bytes (8-byte big-endian) followed by x; strings
-- as UTF-8 (the database encoding), data and metadata as their exact stored JSON text. It is
-- one SQL expression without helper functions so that PostgreSQL inlines it into its callers
-- (a helper taking an argument twice would not be inlined and cost a function call per
-- field); STABLE, not IMMUTABLE, because convert_to is.
CREATE FUNCTION pos_event_hash(p_prev bytea, p_stream text, p_revision bigint, p_id uuid,
                               p_type text, p_data json, p_metadata json) RETURNS bytea
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
SELECT sha256('pos.chain.v1'::bytea
              || coalesce(p_prev, '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea)
              || int8send(octet_length(p_stream)::bigint) || convert_to(p_stream, 'UTF8')
              || int8send(p_revision)
              || uuid_send(p_id)
              || int8send(octet_length(p_type)::bigint) || convert_to(p_type, 'UTF8')
              || int8send(octet_length(p_data::text)::bigint) || convert_to(p_data::text, 'UTF8')
              || int8send(octet_length(p_metadata::text)::bigint) || convert_to(p_metadata::text, 'UTF8'))
$$;

-- Hash the events stored before this migration, stream by stream in revision order.
-- +goose StatementBegin
DO $do$
DECLARE
    r        record;
    v_stream text;
    v_prev   bytea;
BEGIN
    FOR r IN SELECT e.position, e.stream_id, e.revision, e.event_id, e.type, e.data, e.metadata
               FROM events e ORDER BY e.stream_id, e.revision LOOP
        IF v_stream IS DISTINCT FROM r.stream_id THEN
            v_stream := r.stream_id;
            v_prev := NULL;
        END IF;
        v_prev := pos_event_hash(v_prev, r.stream_id, r.revision, r.event_id, r.type, r.data, r.metadata);
        UPDATE events SET hash = v_prev WHERE position = r.position;
    END LOOP;
    UPDATE streams s
       SET last_hash = (SELECT e.hash FROM events e WHERE e.stream_id = s.stream_id
                         ORDER BY e.revision DESC LIMIT 1);
END
$do$;
-- +goose StatementEnd

ALTER TABLE events ALTER COLUMN hash SET NOT NULL;

-- append_events as in 0001, and it also chains: each event's hash from the stream's last hash,
-- stored in events.hash, and the last one in streams.last_hash. One event (the common case)
-- costs one hash inside the UPDATE that takes the stream; n events hash in a loop.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION append_events(
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

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION append_events(
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
DROP FUNCTION pos_event_hash(bytea, text, bigint, uuid, text, json, json);
ALTER TABLE streams DROP COLUMN last_hash;
ALTER TABLE events DROP COLUMN hash;
