package shifts

import (
	"errors"
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/api/authz"
	"github.com/odata-pos/pos/api/cmdhttp"
	"github.com/odata-pos/pos/api/httpx"
	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/rules"
	"github.com/odata-pos/pos/domain/shift"
)

// Handlers serve the /shifts routes.
type Handlers struct {
	Shifts      *commands.Shifts
	Authorizer  *authz.Authorizer
	Approvals   cmdhttp.ApprovalConsumer
	Responder   *httpx.Responder
	Idempotency *cmdhttp.Idempotency
	Now         func() time.Time
}

// Register registers the shift routes: writes need shifts.write, the report shifts.read, and
// every route checks that the caller may act in the register's store.
func (h *Handlers) Register(routes *authz.Routes) {
	rs, idem := h.Responder, h.Idempotency
	write, read := authz.Perm(authz.ShiftsWrite), authz.Perm(authz.ShiftsRead)
	routes.Handle(http.MethodPost, "/shifts", write, idem.Wrap(rs.Handle(h.open)))
	routes.Handle(http.MethodPost, "/shifts/{id}/cash-movements", write, idem.Wrap(rs.Handle(h.movement)))
	routes.Handle(http.MethodPost, "/shifts/{id}/close", write, idem.Wrap(rs.Handle(h.close)))
	routes.Handle(http.MethodGet, "/shifts/{id}/report", read, rs.Handle(h.report))
	routes.Handle(http.MethodGet, "/shifts/{id}", read, rs.Handle(h.report))
}

type openRequest struct {
	ID           string      `json:"id"`
	RegisterID   string      `json:"register_id"`
	OpeningFloat money.Money `json:"opening_float"`
}

type movementRequest struct {
	ID     string      `json:"id"`
	Type   string      `json:"type"`
	Amount money.Money `json:"amount"`
	Reason string      `json:"reason"`
}

type closeRequest struct {
	CountedCash money.Money `json:"counted_cash"`
}

// parseID parses a required UUID field of a body.
func parseID(field, s string) (uuid.UUID, error) {
	if s == "" {
		return uuid.Nil, httpx.Invalid(httpx.FieldError{Field: field, Message: "is required"})
	}
	u, err := uuid.Parse(s)
	if err != nil {
		return uuid.Nil, httpx.Invalid(httpx.FieldError{Field: field, Message: "must be a UUID"})
	}
	return u, nil
}

func (h *Handlers) open(w http.ResponseWriter, r *http.Request) error {
	var req openRequest
	if err := httpx.Decode(r, &req); err != nil {
		return err
	}
	id, err := parseID("id", req.ID)
	if err != nil {
		return err
	}
	regID, err := parseID("register_id", req.RegisterID)
	if err != nil {
		return err
	}
	reg, err := h.Shifts.Register(r.Context(), regID)
	if errors.Is(err, rules.ErrNotFound) {
		return httpx.Invalid(httpx.FieldError{Field: "register_id", Message: "no such register"})
	}
	if err != nil {
		return err
	}
	if err := h.Authorizer.CheckStore(r, reg.StoreID.String()); err != nil {
		return err
	}
	c := commands.OpenShift{ShiftID: id, RegisterID: regID, OpeningFloat: req.OpeningFloat}
	cmd, err := cmdhttp.Command(r, "shift.open:"+id.String()+":"+commands.Fingerprint(c), reg.StoreID.String(), regID.String(), time.Time{}, h.Now())
	if err != nil {
		return err
	}
	res, err := h.Shifts.Open(r.Context(), cmd, c)
	if err != nil {
		return err
	}
	h.written(w, r, http.StatusCreated, res)
	return nil
}

// target returns the shift of the path after checking the caller may act in its store.
func (h *Handlers) target(r *http.Request) (shift.State, error) {
	l, err := cmdhttp.Target(r, h.Authorizer, "shift", h.Shifts.Get, func(s shift.State) uuid.UUID { return s.StoreID })
	return l.State, err
}

func (h *Handlers) movement(w http.ResponseWriter, r *http.Request) error {
	var req movementRequest
	if err := httpx.Decode(r, &req); err != nil {
		return err
	}
	sh, err := h.target(r)
	if err != nil {
		return err
	}
	movID, err := parseID("id", req.ID)
	if err != nil {
		return err
	}
	c := shift.RecordCashMovement{MovementID: movID, Type: req.Type, Amount: req.Amount, Reason: req.Reason}
	cmd, err := cmdhttp.Command(r, "shift.movement:"+sh.ID.String()+":"+movID.String()+":"+commands.Fingerprint(req),
		sh.StoreID.String(), sh.RegisterID.String(), time.Time{}, h.Now())
	if err != nil {
		return err
	}
	res, err := h.Shifts.RecordCashMovement(r.Context(), cmd, sh.ID, c)
	if err != nil {
		return err
	}
	h.written(w, r, http.StatusCreated, res)
	return nil
}

func (h *Handlers) close(w http.ResponseWriter, r *http.Request) error {
	var req closeRequest
	if err := httpx.Decode(r, &req); err != nil {
		return err
	}
	sh, err := h.target(r)
	if err != nil {
		return err
	}
	c := commands.CloseShift{ShiftID: sh.ID, CountedCash: req.CountedCash}
	cmd, err := cmdhttp.Command(r, "shift.close:"+sh.ID.String()+":"+commands.Fingerprint(req.CountedCash),
		sh.StoreID.String(), sh.RegisterID.String(), time.Time{}, h.Now())
	if err != nil {
		return err
	}
	// The manager's token is spent only when the close needs it.
	var res commands.Outcome[shift.State]
	if err := cmdhttp.Approved(r, h.Approvals, sh.ID.String(), &cmd, func(as rules.Approvals) error {
		c.Approval = as.Of(rules.ActionShiftCloseOverShort)
		var err error
		res, err = h.Shifts.Close(r.Context(), cmd, c)
		return err
	}); err != nil {
		return err
	}
	h.written(w, r, http.StatusOK, res)
	return nil
}

func (h *Handlers) report(w http.ResponseWriter, r *http.Request) error {
	sh, err := h.target(r)
	if err != nil {
		return err
	}
	v, err := h.render(r, sh.ID)
	if err != nil {
		return err
	}
	w.Header().Set(cmdhttp.HeaderETag, cmdhttp.ETag(v.Revision))
	h.Responder.JSON(w, r, http.StatusOK, v)
	return nil
}

// written answers a shift command that succeeded with the shift's report as the command left
// it. An open shift's report also shows whether the register has started its close, which is
// the register's to say: a failure to read it cannot turn the done command into a 5xx
// (cmdhttp.AfterAppend).
func (h *Handlers) written(w http.ResponseWriter, r *http.Request, status int, res commands.Outcome[shift.State]) {
	cmdhttp.AfterAppend(h.Responder, w, r, status, res.Result, res.State.State.ID.String(), func() (any, error) { return h.reportFor(r, res.State) })
}

// render reads the shift and folds its report now.
func (h *Handlers) render(r *http.Request, id uuid.UUID) (Report, error) {
	l, err := h.Shifts.Get(r.Context(), id)
	if err != nil {
		return Report{}, err
	}
	return h.reportFor(r, l)
}

// reportFor renders a loaded shift, asking the register whether the close of a shift that is
// not closed yet has started.
func (h *Handlers) reportFor(r *http.Request, l commands.Loaded[shift.State]) (Report, error) {
	if l.State.Closed {
		return reportOf(l, 0, false), nil
	}
	z, closing, err := h.Shifts.Closing(r.Context(), l.State)
	if err != nil {
		return Report{}, err
	}
	return reportOf(l, z, closing), nil
}
