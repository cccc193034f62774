package commands

import (
	"context"
	"fmt"
	"time"

	"github.com/odata-pos/pos/eventstore"
)

// createTrusted writes c, a new one-shot sale, decided on the states this process holds of
// its streams, without reading them, in one atomic call that checks them (see proven.go).
// answered is false when it wrote nothing and the sale must be read and decided as before:
// a stream not held, or doubted, a decision that refuses the sale or needs the steps, or a
// call refused because a stream moved since this process last saw it. ls is the request's;
// nothing taken from memory is kept in it.
func (s *Sales) createTrusted(ctx context.Context, cmd Context, c CreateSale, ls *saleLoads) (res SaleResult, answered bool, err error) {
	at, ok := s.h.store.(eventstore.CheckedAtomicAppender)
	if !ok || s.h.proven == nil || !c.Complete || cmd.IfMatch != nil {
		return res, false, nil
	}
	a, trust, ok := s.decideTrusted(ctx, cmd, c, ls)
	if !ok {
		return res, false, nil
	}
	appends := a.appends()
	out, err := at.AppendAtomicChecked(ctx, trust.checks(appends), appends)
	switch {
	case movedUnder(err):
		s.h.trustedRefused.Add(1)
		s.h.proven.refused(trust.streams(), time.Now())
		return res, false, nil
	case err != nil:
		return res, true, fmt.Errorf("append sale %s: %w", a.locked.State.ID, err)
	}
	s.h.trustedWritten.Add(1)
	return a.recorded(ctx, s.h, out), true, nil
}

// decideTrusted decides c on the states this process holds (createTrusted). ok is false when
// the read path must decide it: a stream not held or doubted, or a decision that refuses the
// sale or leaves it to the steps, since a refusal on states not proven is no answer.
func (s *Sales) decideTrusted(ctx context.Context, cmd Context, c CreateSale, ls *saleLoads) (a saleAtOnce, trust *trustedRead, ok bool) {
	trust = &trustedRead{fresh: SaleStream(c.SaleID)}
	tl := newSaleLoads(s.h, ls.taxCodeIDs)
	tl.trust = trust
	read := loadSaleContexts(ctx, s.h, []CreateSale{c}, tl)[0]
	if trust.missed || read.err != nil || s.h.proven.doubts(trust.streams(), time.Now()) {
		return a, trust, false
	}
	p, err := s.plan(ctx, cmd, c, tl, &read, nil)
	if err != nil || trust.missed {
		return a, trust, false
	}
	a, ok, err = s.decideAtOnce(p)
	return a, trust, ok && err == nil
}
