package readkit_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/odata-pos/pos/internal/pgtest"
	"github.com/odata-pos/pos/projections/readkit"
)

// TestSumBeyondBigintIsAClearError (issue 11.1): a report's sum(bigint)::bigint beyond the
// 64-bit range was a 500; it is now a *SumOutOfRangeError, which the API answers with 422
// sum_out_of_range.
func TestSumBeyondBigintIsAClearError(t *testing.T) {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	var sum int64
	err = pool.QueryRow(ctx, `SELECT sum(x)::bigint FROM (VALUES (9223372036854775807::bigint), (1)) v(x)`).Scan(&sum)
	err = readkit.Translate("report query", err)
	var oor *readkit.SumOutOfRangeError
	if !errors.As(err, &oor) || oor.Code() != "sum_out_of_range" || oor.HTTPStatus() != 422 {
		t.Fatalf("translated = %v, want a *SumOutOfRangeError answering 422", err)
	}
	if err := readkit.Translate("list", errors.New("boom")); errors.As(err, &oor) {
		t.Fatalf("another error became %v", err)
	}
}
