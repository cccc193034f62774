package credentials_test

import (
	"context"
	"testing"
	"time"

	"github.com/odata-pos/pos/commands"
)

// TestAccessReadsRevocationsInTheSameRead: Access answers a user's access and whether the
// token's or the session's key is revoked at the time given; a revocation lapses at its time,
// a second revocation of a key keeps the later time, and expired ones are dropped by the next
// Revoke.
func TestAccessReadsRevocationsInTheSameRead(t *testing.T) {
	ctx := context.Background()
	s, pool := newStore(t)
	now := time.Date(2026, 12, 8, 9, 0, 0, 0, time.UTC)
	keys := []string{"jti:t1", "sid:s1"}

	if _, _, found, err := s.Access(ctx, "nobody", keys, now); err != nil || found {
		t.Fatalf("unknown user: found=%v err=%v", found, err)
	}
	if err := s.SetPasswordHash(ctx, "u1", "hash"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetAccess(ctx, "u1", 3, commands.UserAccess{Roles: []string{"cashier"}, StoreIDs: []string{"s-1"}}); err != nil {
		t.Fatal(err)
	}
	a, revoked, found, err := s.Access(ctx, "u1", keys, now)
	if err != nil || !found || revoked || !a.Synced || len(a.Roles) != 1 || a.Roles[0] != "cashier" || a.Epoch != 0 {
		t.Fatalf("access = %+v revoked=%v found=%v err=%v; want the synced cashier, epoch 0, not revoked", a, revoked, found, err)
	}

	if err := s.Revoke(ctx, "sid:s1", now.Add(time.Hour), now); err != nil {
		t.Fatal(err)
	}
	if err := s.Revoke(ctx, "sid:s1", now.Add(time.Minute), now); err != nil { // earlier: the later time stays
		t.Fatal(err)
	}
	revokedAt := func(keys []string, at time.Time) bool {
		t.Helper()
		_, r, _, err := s.Access(ctx, "u1", keys, at)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	if !revokedAt(keys, now) || !revokedAt(keys, now.Add(30*time.Minute)) {
		t.Error("a revoked session's token is not revoked within the hour")
	}
	if revokedAt([]string{"jti:t2", "sid:s2"}, now) {
		t.Error("another session's token counts as revoked")
	}
	if revokedAt(keys, now.Add(time.Hour)) {
		t.Error("the revocation did not lapse at its time")
	}
	if revokedAt([]string{"jti:t1'; DELETE FROM token_revocations; --"}, now) {
		t.Error("a key is not taken literally")
	}

	if err := s.Revoke(ctx, "jti:t9", now.Add(3*time.Hour), now.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	var left []string
	rows, err := pool.Query(ctx, `SELECT key FROM token_revocations ORDER BY key`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			t.Fatal(err)
		}
		left = append(left, k)
	}
	if rows.Err() != nil || len(left) != 1 || left[0] != "jti:t9" {
		t.Errorf("revocations kept = %v (%v); want only the live jti:t9", left, rows.Err())
	}
}
