package commands

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"
	"golang.org/x/sync/errgroup"

	"github.com/odata-pos/pos/domain/catalog"
	"github.com/odata-pos/pos/domain/register"
	"github.com/odata-pos/pos/domain/sale"
	"github.com/odata-pos/pos/domain/shift"
	"github.com/odata-pos/pos/domain/store"
	"github.com/odata-pos/pos/domain/taxcode"
)

// saleLoads holds the stores, products and tax codes one request's sales loaded: a sale that
// sells one product on several lines, or the sales of one batch, read each once. What they
// hold is as of the request; each sale takes the prices and rates in force at its own time
// from them. It is safe for concurrent use (see loadSaleContext).
type saleLoads struct {
	h *Handler
	// taxCodeIDs remembers across requests the stream of each tax code found.
	taxCodeIDs *taxCodeIDs
	// trust, when set, answers ls's loads from memory (see proven.go); such an ls serves one
	// trusted decision and nothing else.
	trust *trustedRead

	mu       sync.Mutex
	stores   map[uuid.UUID]store.State
	products map[uuid.UUID]catalog.State
	taxCodes map[string]taxcode.State
}

// cached returns m[k] under ls's lock.
func cached[K comparable, V any](ls *saleLoads, m map[K]V, k K) (V, bool) {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	v, ok := m[k]
	return v, ok
}

// keep sets m[k] = v under ls's lock.
func keep[K comparable, V any](ls *saleLoads, m map[K]V, k K, v V) {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	m[k] = v
}

// saleContext is what a new sale is decided on: its store, register and shift, and its own
// stream (read even for a new sale, see Sales.create).
type saleContext struct {
	store    store.State
	register Loaded[register.State]
	shift    Loaded[shift.State]
	sale     Loaded[sale.State]
}

// loadSaleContext loads the store, register, shift and stream of a new sale, and the products
// and tax codes of its lines into ls: the streams of the first five in one multi-stream read
// (readAhead), then those of the tax codes in another (see prefetch). Its errors are those the
// loads one after the other would give, in that order; a product that fails is left for the
// caller's ls.product to report in its line's turn.
func loadSaleContext(ctx context.Context, h *Handler, c CreateSale, ls *saleLoads) (saleContext, error) {
	read := loadSaleContexts(ctx, h, []CreateSale{c}, ls)[0]
	return read.sc, read.err
}

// prefetchWidth bounds the reads in flight at once where the store reads streams one by one
// (eventstore.ReadStreams), and those of tax codes not met before: a sale of many lines must
// not take every connection of the pool.
const prefetchWidth = 8

// productLoad and taxCodeLoad are loads prefetch plans.
type (
	productLoad struct {
		id  uuid.UUID
		l   Loaded[catalog.State]
		err error
	}
	taxCodeLoad struct {
		code string
		l    Loaded[taxcode.State]
		err  error
	}
)

// prefetch adds to ra the products of lines that ls does not hold, each distinct one once,
// and the tax code of each whose code is known from an earlier sale (taxCodeIDs.codeOf),
// runs ra, keeps what it found in ls, then loads the tax codes still missing the same way:
// one round trip for the whole sale once its products have been sold before, two otherwise.
// A tax code not met before is first looked up by its code (taxCode), at most prefetchWidth
// at the same time. Errors are left for ls.product to report in its line's turn.
func (ls *saleLoads) prefetch(ctx context.Context, ra *readAhead, lines []SaleLine) {
	seen := map[uuid.UUID]bool{uuid.Nil: true}
	var (
		products []uuid.UUID
		loads    []*productLoad
		codes    []*taxCodeLoad
	)
	for _, l := range lines {
		if seen[l.ProductID] {
			continue
		}
		seen[l.ProductID] = true
		products = append(products, l.ProductID)
		code, known := ls.taxCodeIDs.codeOf(l.ProductID)
		if ps, ok := cached(ls, ls.products, l.ProductID); ok {
			code, known = ps.Created.TaxCode, true
		} else {
			pl := &productLoad{id: l.ProductID}
			loadReadOnlyAhead(ctx, ra, ls.h, ProductStream(pl.id), ProductAggregate, &pl.l, &pl.err)
			loads = append(loads, pl)
		}
		if known {
			codes = ls.planTaxCode(ctx, ra, codes, code)
		}
	}
	ra.run(ctx, ls.h)
	for _, pl := range loads {
		if pl.err == nil && pl.l.Exists {
			keep(ls, ls.products, pl.id, pl.l.State)
			ls.taxCodeIDs.putCodeOf(pl.id, pl.l.State.Created.TaxCode)
		}
	}
	ls.keepTaxCodes(codes)
	var (
		next    = readAhead{trust: ls.trust}
		unknown []string
	)
	codes = nil
	for _, id := range products {
		ps, ok := cached(ls, ls.products, id)
		if !ok {
			continue
		}
		if _, known := ls.taxCodeIDs.get(ps.Created.TaxCode); known {
			codes = ls.planTaxCode(ctx, &next, codes, ps.Created.TaxCode)
		} else if _, held := cached(ls, ls.taxCodes, ps.Created.TaxCode); !held && !slices.Contains(unknown, ps.Created.TaxCode) {
			unknown = append(unknown, ps.Created.TaxCode)
		}
	}
	var wg sync.WaitGroup
	wg.Go(func() { inParallel(unknown, func(code string) { _, _ = ls.taxCode(ctx, code) }) })
	next.run(ctx, ls.h)
	wg.Wait()
	ls.keepTaxCodes(codes)
}

// planTaxCode adds to ra the load of the tax code named code, unless ls holds it, its stream
// is not known (taxCodeIDs) or planned already holds it, and returns planned with it.
func (ls *saleLoads) planTaxCode(ctx context.Context, ra *readAhead, planned []*taxCodeLoad, code string) []*taxCodeLoad {
	if _, ok := cached(ls, ls.taxCodes, code); ok {
		return planned
	}
	id, known := ls.taxCodeIDs.get(code)
	if !known || slices.ContainsFunc(planned, func(tl *taxCodeLoad) bool { return tl.code == code }) {
		return planned
	}
	tl := &taxCodeLoad{code: code}
	loadReadOnlyAhead(ctx, ra, ls.h, TaxCodeStream(id), TaxCodeAggregate, &tl.l, &tl.err)
	return append(planned, tl)
}

// keepTaxCodes keeps in ls the tax codes of loads that were found.
func (ls *saleLoads) keepTaxCodes(loads []*taxCodeLoad) {
	for _, tl := range loads {
		if tl.err == nil && tl.l.Exists {
			keep(ls, ls.taxCodes, tl.code, tl.l.State)
		}
	}
}

// inParallel runs do for every item, at most prefetchWidth at a time, and returns when all
// have returned.
func inParallel[T any](items []T, do func(T)) {
	var g errgroup.Group
	g.SetLimit(prefetchWidth)
	for _, it := range items {
		g.Go(func() error { do(it); return nil })
	}
	_ = g.Wait() // do reports nothing
}

func newSaleLoads(h *Handler, ids *taxCodeIDs) *saleLoads {
	return &saleLoads{h: h, taxCodeIDs: ids, stores: map[uuid.UUID]store.State{},
		products: map[uuid.UUID]catalog.State{}, taxCodes: map[string]taxcode.State{}}
}

// storeAhead adds to ra the load of store id unless ls holds it. The function it returns,
// called once ra has run, returns the store (kept in ls), or a validation error on field when
// it does not exist.
func (ls *saleLoads) storeAhead(ctx context.Context, ra *readAhead, id uuid.UUID, field string) func() (store.State, error) {
	if st, ok := cached(ls, ls.stores, id); ok {
		return func() (store.State, error) { return st, nil }
	}
	var (
		l   Loaded[store.State]
		err error
	)
	loadReadOnlyAhead(ctx, ra, ls.h, StoreStream(id), StoreAggregate, &l, &err)
	return func() (store.State, error) {
		st, err := storeOf(l, err, field)
		if err == nil {
			keep(ls, ls.stores, id, st)
		}
		return st, err
	}
}

// product returns productID as sold in store st at time at: its price then, whether it was
// active then, the rate of its tax code then, and (where the store forbids negative stock and
// the product tracks stock) its stock on hand now, read for every call.
func (ls *saleLoads) product(ctx context.Context, st store.State, at time.Time, productID uuid.UUID, field string) (sale.Product, error) {
	if productID == uuid.Nil {
		return sale.Product{}, fieldError(field, "is required")
	}
	ps, err := ls.productState(ctx, productID, field)
	if err != nil {
		return sale.Product{}, err
	}
	c := ps.Created
	tc, err := ls.taxCode(ctx, c.TaxCode)
	if err != nil {
		return sale.Product{}, err
	}
	p := sale.Product{ID: c.ProductID, SKU: c.SKU, Name: c.Name, Category: c.Category, Active: ps.ActiveAt(at),
		SoldByWeight: c.SoldByWeight, Price: ps.PriceAt(at), TaxCode: c.TaxCode, TaxRateBP: tc.RateAt(at),
		TrackStock: c.TrackStock, AllowNegativeStock: st.Settings.AllowNegativeStock}
	if c.TrackStock && !st.Settings.AllowNegativeStock {
		sl, err := Load(ctx, ls.h, StockStream(st.ID, productID), StockAggregate)
		if err != nil {
			return sale.Product{}, err
		}
		on := sl.State.OnHand()
		p.OnHand = &on
	}
	return p, nil
}

// productState returns the product, or a validation error on field when it does not exist.
func (ls *saleLoads) productState(ctx context.Context, productID uuid.UUID, field string) (catalog.State, error) {
	if ps, ok := cached(ls, ls.products, productID); ok {
		return ps, nil
	}
	l, err := Load(ctx, ls.h, ProductStream(productID), ProductAggregate)
	if err != nil {
		return catalog.State{}, err
	}
	if !l.Exists {
		return catalog.State{}, fieldError(field, "no such product")
	}
	keep(ls, ls.products, productID, l.State)
	return l.State, nil
}

// taxCode returns the tax code named code.
func (ls *saleLoads) taxCode(ctx context.Context, code string) (taxcode.State, error) {
	if tc, ok := cached(ls, ls.taxCodes, code); ok {
		return tc, nil
	}
	id, known := ls.taxCodeIDs.get(code)
	if !known {
		owner, err := Owner(ctx, ls.h, TaxCodeKey(code))
		if err != nil {
			return taxcode.State{}, err
		}
		var perr error
		if id, perr = uuid.Parse(owner); owner == "" || perr != nil {
			return taxcode.State{}, ErrTaxCodeUnknown.With(code)
		}
	}
	l, err := Load(ctx, ls.h, TaxCodeStream(id), TaxCodeAggregate)
	if err != nil {
		return taxcode.State{}, err
	}
	if !l.Exists {
		return taxcode.State{}, ErrTaxCodeUnknown.With(code)
	}
	ls.taxCodeIDs.put(code, id)
	keep(ls, ls.taxCodes, code, l.State)
	if ls.h.proven != nil {
		provenPut(ls.h.proven, TaxCodeStream(id), l)
	}
	return l.State, nil
}

// taxCodeIDs maps tax codes to the streams of the tax codes that exist, and products to the
// codes they were created with. A tax code never changes its code nor goes away, and holds
// its code's reservation for good once its stream exists, so an entry never goes stale and
// spares a sale the read of the reservation. Codes whose stream was not found are not
// remembered. A product's code is a guess, checked against the product read with it
// (prefetch reads its tax code with the product, and the right one after it should the guess
// be wrong). The nil *taxCodeIDs remembers nothing.
type taxCodeIDs struct {
	ids   sync.Map // TaxCodeKey(code) → uuid.UUID
	codes sync.Map // product ID → tax code
}

// codeOf returns the tax code productID had when last read.
func (t *taxCodeIDs) codeOf(productID uuid.UUID) (string, bool) {
	if t == nil {
		return "", false
	}
	code, ok := t.codes.Load(productID)
	if !ok {
		return "", false
	}
	return code.(string), true
}

func (t *taxCodeIDs) putCodeOf(productID uuid.UUID, code string) {
	if t != nil {
		t.codes.Store(productID, code)
	}
}

func (t *taxCodeIDs) get(code string) (uuid.UUID, bool) {
	if t == nil {
		return uuid.Nil, false
	}
	id, ok := t.ids.Load(TaxCodeKey(code))
	if !ok {
		return uuid.Nil, false
	}
	return id.(uuid.UUID), true
}

func (t *taxCodeIDs) put(code string, id uuid.UUID) {
	if t != nil {
		t.ids.Store(TaxCodeKey(code), id)
	}
}
