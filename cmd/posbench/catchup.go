package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// waitStockCaughtUp polls the stock read model of the fleet's store until every product's
// on_hand shows the sales acknowledged (the products start with no stock and every sale takes
// one each of three), and returns how long after since that took. When some sales failed their
// outcome is unknown, so on_hand at or below minus the acknowledged count counts as caught up.
// Each poll reads every page of levels (a catalogue of --products can be larger than a page).
func waitStockCaughtUp(ctx context.Context, f *fleet, exact bool, since time.Time, timeout time.Duration) (time.Duration, error) {
	deadline := since.Add(timeout)
	for {
		levels, err := stockLevels(ctx, f)
		if err != nil && ctx.Err() != nil {
			return 0, err
		}
		if err == nil {
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

// stockPageSize is how many levels one GET /inventory of the catch-up check asks for.
var stockPageSize = 500

// stockLevels reads the on_hand of every product of the fleet's store from the stock read
// model, following next_cursor through every page.
func stockLevels(ctx context.Context, f *fleet) (map[string]int64, error) {
	levels := map[string]int64{}
	q := url.Values{"location_id": {f.store}, "limit": {strconv.Itoa(stockPageSize)}}
	for {
		if err := f.admin.lim.Wait(ctx); err != nil {
			return nil, err
		}
		var page struct {
			Items []struct {
				ProductID string      `json:"product_id"`
				OnHand    json.Number `json:"on_hand"`
			} `json:"items"`
			NextCursor string `json:"next_cursor"`
		}
		status, b, err := f.admin.do(ctx, http.MethodGet, "/inventory?"+q.Encode(), nil)
		if err != nil {
			return nil, err
		}
		if status != http.StatusOK {
			return nil, fmt.Errorf("GET /inventory: %d", status)
		}
		if err := json.Unmarshal(b, &page); err != nil {
			return nil, fmt.Errorf("GET /inventory: %w", err)
		}
		for _, it := range page.Items {
			if v, err := it.OnHand.Float64(); err == nil {
				levels[it.ProductID] = int64(math.Round(v))
			}
		}
		if page.NextCursor == "" {
			return levels, nil
		}
		q.Set("cursor", page.NextCursor)
	}
}
