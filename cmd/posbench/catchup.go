package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"time"
)

// waitStockCaughtUp polls the stock read model of the fleet's store until every product's
// on_hand shows the sales acknowledged (the products start with no stock and every sale takes
// one each of three), and returns how long after since that took. When some sales failed their
// outcome is unknown, so on_hand at or below minus the acknowledged count counts as caught up.
func waitStockCaughtUp(ctx context.Context, f *fleet, exact bool, since time.Time, timeout time.Duration) (time.Duration, error) {
	q := url.Values{"location_id": {f.store}, "limit": {"500"}}
	deadline := since.Add(timeout)
	for {
		if err := f.admin.lim.Wait(ctx); err != nil {
			return 0, err
		}
		var page struct {
			Items []struct {
				ProductID string      `json:"product_id"`
				OnHand    json.Number `json:"on_hand"`
			} `json:"items"`
		}
		status, b, err := f.admin.do(ctx, http.MethodGet, "/inventory?"+q.Encode(), nil)
		if err == nil && status == http.StatusOK && json.Unmarshal(b, &page) == nil {
			levels := map[string]int64{}
			for _, it := range page.Items {
				if v, err := it.OnHand.Float64(); err == nil {
					levels[it.ProductID] = int64(math.Round(v))
				}
			}
			done := true
			for i, p := range f.products {
				want := -f.sold[i].Load()
				l, seen := levels[p]
				if (!seen && want != 0) || l > want || (exact && l != want) {
					done = false
				}
			}
			if done {
				return time.Since(since), nil
			}
		}
		if time.Now().After(deadline) {
			return 0, fmt.Errorf("stock not caught up %s after the load stopped", timeout)
		}
		select {
		case <-time.After(20 * time.Millisecond):
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
}
