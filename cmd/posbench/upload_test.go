package main

import (
	"context"
	"testing"

	"github.com/odata-pos/pos/api/apitest"
)

// TestUploadSendsTheQueueInBatches uploads a register's queue against the API in process, in
// batches and one by one: every sale is created, a batch being one request.
func TestUploadSendsTheQueueInBatches(t *testing.T) {
	if testing.Short() {
		t.Skip("needs PostgreSQL and Redis")
	}
	env := apitest.New(t, apitest.Options{})
	for _, batch := range []int{10, 1} {
		s, err := Upload(context.Background(), Config{URL: env.Server.URL, AdminUser: apitest.AdminUsername,
			AdminPassword: apitest.AdminPassword, Log: t.Logf}, 25, batch)
		if err != nil {
			t.Fatal(err)
		}
		if s.OK != 25 || len(s.Statuses) != 0 || s.Requests-s.Throttled != (25+batch-1)/batch {
			t.Fatalf("batch %d: %+v", batch, s)
		}
	}
}
