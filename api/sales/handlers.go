package sales

import (
	"context"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/gorilla/mux"

	"github.com/odata-pos/pos/api/authz"
	"github.com/odata-pos/pos/api/cmdhttp"
	"github.com/odata-pos/pos/api/httpx"
	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/domain/rules"
	"github.com/odata-pos/pos/domain/sale"
)

// Handlers serve the /sales routes.
type Handlers struct {
	Sales       *commands.Sales
	Authorizer  *authz.Authorizer
	Approvals   cmdhttp.ApprovalConsumer
	Responder   *httpx.Responder
	Idempotency *cmdhttp.Idempotency
	Now         func() time.Time
}

// Register registers the sale routes: writes need sales.write, reads sales.read, and every
// route checks that the caller may act in the sale's store.
func (h *Handlers) Register(routes *authz.Routes) {
	rs, idem := h.Responder, h.Idempotency
	write, read := authz.Perm(authz.SalesWrite), authz.Perm(authz.SalesRead)
	routes.Handle(http.MethodPost, "/sales", write, idem.Wrap(rs.Handle(h.create)))
	routes.Handle(http.MethodPost, "/sales/batch", write, idem.Wrap(rs.Handle(h.batch)))
	routes.Handle(http.MethodGet, "/sales/{id}", read, rs.Handle(h.get))
	routes.Handle(http.MethodPost, "/sales/{id}/lines", write, idem.Wrap(rs.Handle(h.addLine)))
	routes.Handle(http.MethodDelete, "/sales/{id}/lines/{line_id}", write, rs.Handle(h.removeLine))
	routes.Handle(http.MethodPost, "/sales/{id}/discounts", write, idem.Wrap(rs.Handle(h.discount)))
	routes.Handle(http.MethodPost, "/sales/{id}/payments", write, idem.Wrap(rs.Handle(h.payment)))
	routes.Handle(http.MethodPost, "/sales/{id}/complete", write, idem.Wrap(rs.Handle(h.complete)))
	routes.Handle(http.MethodPost, "/sales/{id}/void", write, idem.Wrap(rs.Handle(h.void)))
}

// unlimited reports whether the caller is free of the cashier limits (managers, admins).
func unlimited(r *http.Request) bool {
	p, _ := authz.PrincipalFrom(r.Context())
	return p.HasRole(authz.RoleAdmin) || p.HasRole(authz.RoleManager)
}

// approved runs a command on resourceID that may need managers' approvals, spending the
// request's X-Approval-Token tokens only for the approvals it asks for (see cmdhttp.Approved).
func (h *Handlers) approved(r *http.Request, resourceID string, cmd *commands.Context, run func(rules.Approvals) (commands.SaleResult, error)) (commands.SaleResult, error) {
	var res commands.SaleResult
	err := cmdhttp.Approved(r, h.Approvals, resourceID, cmd, func(as rules.Approvals) error {
		var err error
		res, err = run(as)
		return err
	})
	return res, err
}

func (h *Handlers) create(w http.ResponseWriter, r *http.Request) error {
	var req createRequest
	if err := httpx.Decode(r, &req); err != nil {
		return err
	}
	c, cmd, err := h.createCommand(r, req)
	if err != nil {
		return err
	}
	res, err := h.approved(r, c.SaleID.String(), &cmd, func(as rules.Approvals) (commands.SaleResult, error) {
		c.Approvals = as
		return h.Sales.Create(r.Context(), cmd, c)
	})
	if err != nil {
		return err
	}
	return h.respond(w, r, http.StatusCreated, res.Sale)
}

// createCommand validates the body of POST /sales (or a batch item), checks the caller may
// sell in its store, and returns the command with its ID: the sale ID and a fingerprint of the
// content, so the same sale sent again, alone or in a batch, replays and other content is a
// conflict.
func (h *Handlers) createCommand(r *http.Request, req createRequest) (commands.CreateSale, commands.Context, error) {
	c, err := req.command()
	if err != nil {
		return c, commands.Context{}, err
	}
	if err := h.Authorizer.CheckStore(r, c.StoreID.String()); err != nil {
		return c, commands.Context{}, err
	}
	c.Unlimited = unlimited(r)
	cmd, err := cmdhttp.Command(r, "sale.create:"+c.SaleID.String()+":"+commands.Fingerprint(c),
		c.StoreID.String(), c.RegisterID.String(), c.OccurredAt, h.Now())
	return c, cmd, err
}

// target returns the sale of the path after checking the caller may act in its store.
func (h *Handlers) target(r *http.Request) (commands.Loaded[sale.State], error) {
	return cmdhttp.Target(r, h.Authorizer, "sale", h.Sales.Get, func(s sale.State) uuid.UUID { return s.StoreID })
}

// update runs one command on the sale of the path: body (when not nil) is decoded first, then
// the sale loaded and its store checked, then run given the command context.
func (h *Handlers) update(w http.ResponseWriter, r *http.Request, body any, commandID func(sale.State) (string, error),
	run func(ctx context.Context, cmd *commands.Context, l commands.Loaded[sale.State]) (commands.SaleResult, error)) error {
	if body != nil {
		if err := httpx.Decode(r, body); err != nil {
			return err
		}
	}
	l, err := h.target(r)
	if err != nil {
		return err
	}
	s := l.State
	id, err := commandID(s)
	if err != nil {
		return err
	}
	cmd, err := cmdhttp.Command(r, id, s.StoreID.String(), s.RegisterID.String(), time.Time{}, h.Now())
	if err != nil {
		return err
	}
	res, err := run(r.Context(), &cmd, l)
	if err != nil {
		return err
	}
	return h.respond(w, r, http.StatusOK, res.Sale)
}

func (h *Handlers) addLine(w http.ResponseWriter, r *http.Request) error {
	var req lineRequest
	var line commands.SaleLine
	return h.update(w, r, &req, func(s sale.State) (string, error) {
		var f fields
		line = req.line(&f, "")
		return "sale.line:" + s.ID.String() + ":" + line.LineID.String() + ":" + commands.Fingerprint(line), f.err()
	}, func(ctx context.Context, cmd *commands.Context, l commands.Loaded[sale.State]) (commands.SaleResult, error) {
		return h.approved(r, l.State.ID.String(), cmd, func(as rules.Approvals) (commands.SaleResult, error) {
			return h.Sales.AddLine(ctx, *cmd, l, line, unlimited(r), as)
		})
	})
}

func (h *Handlers) removeLine(w http.ResponseWriter, r *http.Request) error {
	lineID, perr := uuid.Parse(mux.Vars(r)["line_id"])
	return h.update(w, r, nil, func(s sale.State) (string, error) {
		if perr != nil {
			return "", httpx.NotFound("line_not_found", "no such line")
		}
		return "sale.line.remove:" + s.ID.String() + ":" + lineID.String(), nil
	}, func(ctx context.Context, cmd *commands.Context, l commands.Loaded[sale.State]) (commands.SaleResult, error) {
		return h.approved(r, l.State.ID.String(), cmd, func(as rules.Approvals) (commands.SaleResult, error) {
			return h.Sales.RemoveLine(ctx, *cmd, l, lineID, unlimited(r), as)
		})
	})
}

func (h *Handlers) discount(w http.ResponseWriter, r *http.Request) error {
	var req discountRequest
	var lineID uuid.UUID
	return h.update(w, r, &req, func(s sale.State) (string, error) {
		var f fields
		if req.LineID != "" {
			lineID = f.id("line_id", req.LineID)
		}
		// A discount has no client ID of its own; setting the same rule again records nothing.
		return cmdhttp.CommandID(r, "sale.discount", s.ID.String()), f.err()
	}, func(ctx context.Context, cmd *commands.Context, l commands.Loaded[sale.State]) (commands.SaleResult, error) {
		return h.approved(r, l.State.ID.String(), cmd, func(as rules.Approvals) (commands.SaleResult, error) {
			return h.Sales.ApplyDiscount(ctx, *cmd, l, lineID, req.discount(), unlimited(r), as)
		})
	})
}

func (h *Handlers) payment(w http.ResponseWriter, r *http.Request) error {
	var req paymentRequest
	var p sale.Payment
	return h.update(w, r, &req, func(s sale.State) (string, error) {
		var f fields
		p = req.payment(&f, "")
		return "sale.payment:" + s.ID.String() + ":" + p.ID.String() + ":" + commands.Fingerprint(p), f.err()
	}, func(ctx context.Context, cmd *commands.Context, l commands.Loaded[sale.State]) (commands.SaleResult, error) {
		return h.Sales.AddPayment(ctx, *cmd, l, p)
	})
}

func (h *Handlers) complete(w http.ResponseWriter, r *http.Request) error {
	return h.update(w, r, nil, func(s sale.State) (string, error) {
		return "sale.complete.request:" + s.ID.String(), nil
	}, func(ctx context.Context, cmd *commands.Context, l commands.Loaded[sale.State]) (commands.SaleResult, error) {
		return h.Sales.Complete(ctx, *cmd, l)
	})
}

func (h *Handlers) void(w http.ResponseWriter, r *http.Request) error {
	var req voidRequest
	return h.update(w, r, &req, func(s sale.State) (string, error) {
		return "sale.void:" + s.ID.String(), nil
	}, func(ctx context.Context, cmd *commands.Context, l commands.Loaded[sale.State]) (commands.SaleResult, error) {
		return h.approved(r, l.State.ID.String(), cmd, func(as rules.Approvals) (commands.SaleResult, error) {
			return h.Sales.Void(ctx, *cmd, l, req.Reason, as)
		})
	})
}

func (h *Handlers) get(w http.ResponseWriter, r *http.Request) error {
	l, err := h.target(r)
	if err != nil {
		return err
	}
	return h.respond(w, r, http.StatusOK, l)
}

// respond renders the sale l (as the command left it, or as read), with its revision as ETag.
func (h *Handlers) respond(w http.ResponseWriter, r *http.Request, status int, l commands.Loaded[sale.State]) error {
	v, err := viewOf(l)
	if err != nil {
		return err
	}
	w.Header().Set(cmdhttp.HeaderETag, cmdhttp.ETag(l.Revision))
	h.Responder.JSON(w, r, status, v)
	return nil
}
