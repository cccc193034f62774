package commands

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/domain/register"
	"github.com/odata-pos/pos/domain/rules"
	"github.com/odata-pos/pos/domain/sale"
	"github.com/odata-pos/pos/domain/shift"
	"github.com/odata-pos/pos/domain/store"
)

// ErrTaxCodeUnknown is returned when a product names a tax code that does not exist.
var ErrTaxCodeUnknown = &rules.RuleError{Code: "tax_code_unknown", Msg: "the product's tax code does not exist"}

// fieldError is a one-field validation error.
func fieldError(field, msg string) error {
	return &rules.ValidationError{Fields: []rules.FieldError{{Field: field, Message: msg}}}
}

// Fingerprint returns a short digest of v's JSON form. Command IDs include it where a client
// ID may be sent again with other content: the same content replays, other content reaches
// the decider, which refuses the reused ID.
func Fingerprint(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "x"
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

// loadStoreState returns the store, or a validation error on field when it does not exist.
func loadStoreState(ctx context.Context, h *Handler, id uuid.UUID, field string) (store.State, error) {
	l, err := Load(ctx, h, StoreStream(id), StoreAggregate)
	if err != nil {
		return store.State{}, err
	}
	if !l.Exists {
		return store.State{}, fieldError(field, "no such store")
	}
	return l.State, nil
}

// loadRegisterOf returns the register, or a validation error on field when it does not exist
// or (storeID set) is not a register of storeID.
func loadRegisterOf(ctx context.Context, h *Handler, id, storeID uuid.UUID, field string) (Loaded[register.State], error) {
	l, err := Load(ctx, h, RegisterStream(id), RegisterAggregate)
	if err != nil {
		return l, err
	}
	if !l.Exists {
		return l, fieldError(field, "no such register")
	}
	if storeID != uuid.Nil && l.State.StoreID != storeID {
		return l, fieldError(field, "is not a register of store "+storeID.String())
	}
	return l, nil
}

// storeInfo is what a sale needs of its store.
func storeInfo(st store.State) sale.StoreInfo {
	return sale.StoreInfo{ID: st.ID, Currency: st.Currency, PricesIncludeTax: st.Settings.PricesIncludeTax, Rounding: st.Settings.Rounding}
}

// limitsOf returns the acting user's limits: none for managers and admins (unlimited), the
// store's cashier limits otherwise.
func limitsOf(st store.State, unlimited bool) rules.Limits {
	if unlimited {
		return rules.Limits{Unlimited: true}
	}
	return st.Settings.CashierLimits
}

// shiftInfo describes a shift to the sale decider. A shift the register has already closed
// (its Z number given) while the shift stream has not recorded the close yet counts as closed
// from now on, so no new sale starts in a shift that is being closed.
func shiftInfo(sh shift.State, reg register.State, now time.Time) sale.ShiftInfo {
	info := sale.ShiftInfo{ID: sh.ID, RegisterID: sh.RegisterID, OpenedAt: sh.OpenedAt}
	switch _, closing := reg.ZNumberOf(sh.ID); {
	case sh.Closed:
		info.ClosedAt = sh.ClosedAt
	case closing:
		info.ClosedAt = now
	}
	return info
}

// loadShiftInfo loads a shift and its register's view of it.
func loadShiftInfo(ctx context.Context, h *Handler, shiftID uuid.UUID, reg register.State, now time.Time) (sale.ShiftInfo, Loaded[shift.State], error) {
	l, err := Load(ctx, h, ShiftStream(shiftID), ShiftAggregate)
	if err != nil {
		return sale.ShiftInfo{}, l, err
	}
	if !l.Exists {
		return sale.ShiftInfo{}, l, sale.ErrShiftNotOpen.With("no such shift")
	}
	return shiftInfo(l.State, reg, now), l, nil
}

// productLoader builds sale.Product values as in force at one moment, caching products and
// tax codes for the duration of one command (a sale may sell one product on several lines).
type productLoader struct {
	h *Handler
	// taxCodes remembers across commands the stream of each tax code found (see taxCodeIDs).
	taxCodes *taxCodeIDs
	store    store.State
	at       time.Time
	rates    map[string]int64
	products map[uuid.UUID]sale.Product
}

// product returns productID as sold at the loader's moment: its price then, whether it was
// active then, the rate of its tax code then, and (where the store forbids negative stock and
// the product tracks stock) its stock on hand now.
func (pl *productLoader) product(ctx context.Context, productID uuid.UUID, field string) (sale.Product, error) {
	if productID == uuid.Nil {
		return sale.Product{}, fieldError(field, "is required")
	}
	if p, ok := pl.products[productID]; ok {
		return p, nil
	}
	l, err := Load(ctx, pl.h, ProductStream(productID), ProductAggregate)
	if err != nil {
		return sale.Product{}, err
	}
	if !l.Exists {
		return sale.Product{}, fieldError(field, "no such product")
	}
	c := l.State.Created
	rate, err := pl.rate(ctx, c.TaxCode)
	if err != nil {
		return sale.Product{}, err
	}
	p := sale.Product{ID: c.ProductID, SKU: c.SKU, Name: c.Name, Category: c.Category, Active: l.State.ActiveAt(pl.at),
		SoldByWeight: c.SoldByWeight, Price: l.State.PriceAt(pl.at), TaxCode: c.TaxCode, TaxRateBP: rate,
		TrackStock: c.TrackStock, AllowNegativeStock: pl.store.Settings.AllowNegativeStock}
	if c.TrackStock && !pl.store.Settings.AllowNegativeStock {
		sl, err := Load(ctx, pl.h, StockStream(pl.store.ID, productID), StockAggregate)
		if err != nil {
			return sale.Product{}, err
		}
		on := sl.State.OnHand()
		p.OnHand = &on
	}
	if pl.products == nil {
		pl.products = map[uuid.UUID]sale.Product{}
	}
	pl.products[productID] = p
	return p, nil
}

// rate returns the rate of the tax code named code at the loader's moment.
func (pl *productLoader) rate(ctx context.Context, code string) (int64, error) {
	if r, ok := pl.rates[code]; ok {
		return r, nil
	}
	id, known := pl.taxCodes.get(code)
	if !known {
		owner, err := Owner(ctx, pl.h, TaxCodeKey(code))
		if err != nil {
			return 0, err
		}
		var perr error
		if id, perr = uuid.Parse(owner); owner == "" || perr != nil {
			return 0, ErrTaxCodeUnknown.With(code)
		}
	}
	l, err := Load(ctx, pl.h, TaxCodeStream(id), TaxCodeAggregate)
	if err != nil {
		return 0, err
	}
	if !l.Exists {
		return 0, ErrTaxCodeUnknown.With(code)
	}
	pl.taxCodes.put(code, id)
	r := l.State.RateAt(pl.at)
	if pl.rates == nil {
		pl.rates = map[string]int64{}
	}
	pl.rates[code] = r
	return r, nil
}

// taxCodeIDs maps tax codes to the streams of the tax codes that exist. A tax code never
// changes its code nor goes away, and holds its code's reservation for good once its stream
// exists, so an entry never goes stale and spares a sale the read of the reservation. Codes
// whose stream was not found are not remembered. The nil *taxCodeIDs remembers nothing.
type taxCodeIDs struct {
	ids sync.Map // TaxCodeKey(code) → uuid.UUID
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

// retryHot runs run again while it loses races (ErrConflict), with a short random pause, up to
// attempts times. It serves streams many writers share at once, such as a busy register's
// receipt counter: the pause is jittered so racing writers spread out instead of colliding in
// lockstep as Execute's fixed doubling would make them.
func retryHot(ctx context.Context, attempts int, run func() (Result, error)) (Result, error) {
	for i := 1; ; i++ {
		res, err := run()
		if err == nil || !errors.Is(err, ErrConflict) || i >= attempts {
			return res, err
		}
		pause := time.Duration(rand.Int64N(int64(time.Millisecond) * int64(min(i, 20))))
		select {
		case <-time.After(pause):
		case <-ctx.Done():
			return Result{}, ctx.Err()
		}
	}
}
