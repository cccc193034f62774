package catalog

import (
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/api/cmdhttp"
	"github.com/odata-pos/pos/api/httpx"
	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/register"
	"github.com/odata-pos/pos/domain/rules"
	"github.com/odata-pos/pos/domain/store"
)

// StoreView is a store as the API shows it. Amounts are in the store's currency.
type StoreView struct {
	ID                 string      `json:"id"`
	Code               string      `json:"code"`
	Name               string      `json:"name"`
	Currency           string      `json:"currency"`
	Timezone           string      `json:"timezone"`
	PricesIncludeTax   bool        `json:"prices_include_tax"`
	Rounding           string      `json:"rounding"`
	AllowNegativeStock bool        `json:"allow_negative_stock"`
	CashierLimits      LimitsView  `json:"cashier_limits"`
	CashTolerance      money.Money `json:"cash_tolerance"`
	cmdhttp.Written
}

// LimitsView is what a cashier of the store may do without a manager's approval.
type LimitsView struct {
	MaxDiscountBP int64       `json:"max_discount_bp"`
	MaxRefund     money.Money `json:"max_refund"`
}

func storeView(s store.State, w cmdhttp.Written) StoreView {
	st := s.Settings
	return StoreView{
		ID: s.ID.String(), Code: s.Code, Name: s.Name, Currency: s.Currency, Timezone: s.Timezone,
		PricesIncludeTax: st.PricesIncludeTax, Rounding: string(st.Rounding), AllowNegativeStock: st.AllowNegativeStock,
		CashierLimits: LimitsView{MaxDiscountBP: st.CashierLimits.MaxDiscountBP, MaxRefund: money.New(st.CashierLimits.MaxRefund, s.Currency)},
		CashTolerance: money.New(st.CashTolerance, s.Currency), Written: w,
	}
}

// settingsRequest is the settings part of a store request; absent fields keep their value
// (the defaults on creation, store.DefaultSettings: an absent allow_negative_stock allows).
type settingsRequest struct {
	PricesIncludeTax   *bool          `json:"prices_include_tax"`
	Rounding           *string        `json:"rounding"`
	AllowNegativeStock *bool          `json:"allow_negative_stock"`
	CashierLimits      *limitsRequest `json:"cashier_limits"`
	CashTolerance      *money.Money   `json:"cash_tolerance"`
}

type limitsRequest struct {
	MaxDiscountBP int64       `json:"max_discount_bp"`
	MaxRefund     money.Money `json:"max_refund"`
}

// change returns the settings change the request asks for.
func (s settingsRequest) change() commands.SettingsChange {
	c := commands.SettingsChange{PricesIncludeTax: s.PricesIncludeTax, AllowNegativeStock: s.AllowNegativeStock, CashTolerance: s.CashTolerance}
	if s.Rounding != nil {
		m := money.RoundingMode(*s.Rounding)
		c.Rounding = &m
	}
	if l := s.CashierLimits; l != nil {
		c.CashierLimits = &commands.CashierLimits{MaxDiscountBP: l.MaxDiscountBP, MaxRefund: l.MaxRefund}
	}
	return c
}

type createStoreRequest struct {
	ID       string `json:"id"`
	Code     string `json:"code"`
	Name     string `json:"name"`
	Currency string `json:"currency"`
	Timezone string `json:"timezone"`
	settingsRequest
}

func (h *Handlers) createStore(w http.ResponseWriter, r *http.Request) error {
	var req createStoreRequest
	if err := httpx.Decode(r, &req); err != nil {
		return err
	}
	id, err := newID(r, "store", req.ID)
	if err != nil {
		return err
	}
	c := store.CreateStore{StoreID: id, Code: req.Code, Name: req.Name, Currency: req.Currency, Timezone: req.Timezone,
		Settings: store.DefaultSettings()}
	cmd, err := cmdhttp.Command(r, "store.create:"+id.String(), id.String(), "", time.Time{}, h.Now())
	if err != nil {
		return err
	}
	res, err := h.Stores.CreateWith(r.Context(), cmd, c, req.change())
	if err != nil {
		return err
	}
	h.written(w, r, http.StatusCreated, "/api/v1/stores/"+id.String(), res.Result, storeView(res.State.State, cmdhttp.WrittenOf(res.Result)))
	return nil
}

// scopedStore parses the store ID of the path and checks the caller may act in that store.
func (h *Handlers) scopedStore(r *http.Request) (uuid.UUID, error) {
	id, err := pathID(r, "id", "store_not_found")
	if err != nil {
		return uuid.Nil, err
	}
	return id, h.Authorizer.CheckStore(r, id.String())
}

func (h *Handlers) getStore(w http.ResponseWriter, r *http.Request) error {
	id, err := h.scopedStore(r)
	if err != nil {
		return err
	}
	l, err := h.Stores.Get(r.Context(), id)
	if err != nil {
		return notFound(err, "store_not_found", "no such store")
	}
	h.current(w, r, l.Revision, storeView(l.State, cmdhttp.Written{Revision: l.Revision, Position: l.Position}))
	return nil
}

func (h *Handlers) changeSettings(w http.ResponseWriter, r *http.Request) error {
	id, err := h.scopedStore(r)
	if err != nil {
		return err
	}
	var req settingsRequest
	if err := httpx.Decode(r, &req); err != nil {
		return err
	}
	cmd, err := cmdhttp.Command(r, cmdhttp.CommandID(r, "store.settings", id.String()), id.String(), "", time.Time{}, h.Now())
	if err != nil {
		return err
	}
	res, err := h.Stores.ChangeSettings(r.Context(), cmd, id, req.change())
	if err != nil {
		return notFound(err, "store_not_found", "no such store")
	}
	h.written(w, r, http.StatusOK, "", res.Result, storeView(res.State.State, cmdhttp.WrittenOf(res.Result)))
	return nil
}

// RegisterView is a register as the API shows it.
type RegisterView struct {
	ID          string  `json:"id"`
	StoreID     string  `json:"store_id"`
	Code        string  `json:"code"`
	Name        string  `json:"name"`
	OpenShiftID *string `json:"open_shift_id"`
	LastZNumber int64   `json:"last_z_number"`
	LastReceipt int64   `json:"last_receipt_number"`
	cmdhttp.Written
}

func registerView(s register.State, w cmdhttp.Written) RegisterView {
	v := RegisterView{ID: s.ID.String(), StoreID: s.StoreID.String(), Code: s.Code, Name: s.Name,
		LastZNumber: s.LastZ, LastReceipt: s.LastReceipt, Written: w}
	if s.OpenShiftID != uuid.Nil {
		open := s.OpenShiftID.String()
		v.OpenShiftID = &open
	}
	return v
}

func (h *Handlers) createRegister(w http.ResponseWriter, r *http.Request) error {
	storeID, err := h.scopedStore(r)
	if err != nil {
		return err
	}
	var req struct {
		ID   string `json:"id"`
		Code string `json:"code"`
		Name string `json:"name"`
	}
	if err := httpx.Decode(r, &req); err != nil {
		return err
	}
	id, err := newID(r, "register:"+storeID.String(), req.ID)
	if err != nil {
		return err
	}
	c := register.CreateRegister{RegisterID: id, StoreID: storeID, Code: req.Code, Name: req.Name}
	cmd, err := cmdhttp.Command(r, "register.create:"+id.String(), storeID.String(), id.String(), time.Time{}, h.Now())
	if err != nil {
		return err
	}
	res, err := h.Stores.CreateRegister(r.Context(), cmd, c)
	if err != nil {
		return notFound(err, "store_not_found", "no such store")
	}
	h.written(w, r, http.StatusCreated, "/api/v1/stores/"+storeID.String()+"/registers/"+id.String(), res.Result,
		registerView(res.State.State, cmdhttp.WrittenOf(res.Result)))
	return nil
}

func (h *Handlers) getRegister(w http.ResponseWriter, r *http.Request) error {
	storeID, err := h.scopedStore(r)
	if err != nil {
		return err
	}
	id, err := pathID(r, "register_id", "register_not_found")
	if err != nil {
		return err
	}
	l, err := h.Stores.Register(r.Context(), id)
	if err == nil && l.State.StoreID != storeID {
		err = rules.ErrNotFound
	}
	if err != nil {
		return notFound(err, "register_not_found", "no such register in this store")
	}
	h.current(w, r, l.Revision, registerView(l.State, cmdhttp.Written{Revision: l.Revision, Position: l.Position}))
	return nil
}
