package policies_test

import (
	"context"
	"testing"

	"github.com/odata-pos/pos/commands/policies"
)

// TestStatusAndProgressShowThePolicyLag: before the policies run, every completed sale is in
// the sale-stock policy's lag; once they ran, its lag is zero and its progress counts them.
func TestStatusAndProgressShowThePolicyLag(t *testing.T) {
	h, _ := newHandler(t)
	const sales = 5
	for i := range sales {
		completeSale(t, h, i, "1", "1")
	}
	cp := policies.NewMemoryCheckpoints()
	ctx := context.Background()
	lagOf := func() policies.Status {
		st, err := policies.Statuses(ctx, h.Store(), cp, policies.Default(h))
		if err != nil {
			t.Fatal(err)
		}
		if len(st) != 3 || st[0].Name != policies.SaleStock {
			t.Fatalf("statuses %+v", st)
		}
		return st[0]
	}
	if s := lagOf(); s.LagEvents != sales || s.Position != 0 || s.LagSeconds <= 0 {
		t.Fatalf("before the run: %+v", s)
	}
	r, err := policies.New(policies.Config{Handler: h, Checkpoints: cp})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- r.Run(runCtx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	waitFor(t, "the policy", func() bool { p := r.Progress()[0]; return p.Handled == sales && p.Waiting })
	if p := r.Progress()[0]; p.Policy != policies.SaleStock || p.LagPositions != 0 || p.LagSeconds != 0 || p.Position == 0 || p.Failures != 0 {
		t.Fatalf("progress %+v", p)
	}
	if s := lagOf(); s.LagEvents != 0 || s.LagSeconds != 0 {
		t.Fatalf("after the run: %+v", s)
	}
}
