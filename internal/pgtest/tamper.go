package pgtest

import (
	"fmt"
	"strings"
)

// RehashStreamSQL returns a statement that recomputes the chain hashes of one stream of
// pgstore's events table from the events' content, and its streams row (revision and
// last_hash), as an attacker with write access to the database who knows the chain encoding
// (but not the audit key) would after editing or deleting the stream's events.
func RehashStreamSQL(stream string) string {
	lit := "'" + strings.ReplaceAll(stream, "'", "''") + "'"
	return fmt.Sprintf(`
DO $$
DECLARE r record; v_prev bytea;
BEGIN
  FOR r IN SELECT * FROM events WHERE stream_id = %[1]s ORDER BY revision LOOP
    v_prev := pos_event_hash(v_prev, r.stream_id, r.revision, r.event_id, r.type, r.data, r.metadata);
    UPDATE events SET hash = v_prev WHERE position = r.position;
  END LOOP;
  UPDATE streams SET last_hash = v_prev, revision = (SELECT max(revision) FROM events WHERE stream_id = %[1]s)
   WHERE stream_id = %[1]s;
END $$`, lit)
}
