package reports

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/odata-pos/pos/api/authz"
	"github.com/odata-pos/pos/api/httpx"
	"github.com/odata-pos/pos/commands/policies"
	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/projections"
	"github.com/odata-pos/pos/projections/reports"
)

// Projections is what the handlers need of the projection runner: waiting for a position
// and the status of every projection. *projections.Runner implements it.
type Projections interface {
	WaitFor(ctx context.Context, name string, position eventstore.Position) error
	Status(ctx context.Context) ([]projections.ProjectionStatus, error)
}

// Handlers serves the report routes. DB, Authorizer and Responder are required; Store is
// required when Projections is nil.
type Handlers struct {
	// DB holds the report tables and the projection checkpoints.
	DB *pgxpool.Pool
	// Projections answers WaitFor and Status: a runner that only queries (it polls the
	// checkpoint table, whichever process runs the projection) or the process's running one.
	Projections Projections
	// Redis caches answers; nil disables the cache.
	Redis redis.UniversalClient
	// KeyPrefix prefixes the cache keys (e.g. "pos:").
	KeyPrefix string
	// TTL is how long an answer stays cached; default 10 minutes.
	TTL time.Duration
	// ConsistencyTimeout bounds the X-Consistent-With wait; zero means consistency.DefaultTimeout.
	ConsistencyTimeout time.Duration
	// Fallbacks counts answers computed without the cache because Redis is down or disabled.
	Fallbacks prometheus.Counter
	// Policies, when set, reports the write side's policies (their lag is the staleness of
	// the stock levels) for GET /stats.
	Policies   func(ctx context.Context) ([]policies.Status, error)
	Authorizer *authz.Authorizer
	Responder  *httpx.Responder
}

// Register adds the report routes (permission reports.read) to routes.
func (h *Handlers) Register(routes *authz.Routes) error {
	if h.DB == nil || h.Projections == nil || h.Authorizer == nil || h.Responder == nil {
		return errors.New("api/reports: DB, Projections, Authorizer and Responder are required")
	}
	read := authz.Perm(authz.ReportsRead)
	for path, fn := range map[string]httpx.HandlerFunc{
		"/reports/sales":               h.sales,
		"/reports/returns":             h.returns,
		"/reports/inventory-valuation": h.inventory,
		"/reports/top-products":        h.topProducts,
		"/reports/shifts":              h.shifts,
		"/stats":                       h.stats,
	} {
		routes.Handle(http.MethodGet, path, read, h.Responder.Handle(fn))
	}
	return nil
}

// prepare parses the common parameters: the range, the scope and the page.
func (h *Handlers) prepare(r *http.Request) (*params, reports.Range, reports.Scope, error) {
	p := &params{r: r}
	rg := p.rangeOf()
	s, err := h.scope(r, p)
	return p, rg, s, err
}

// paged renders t with the next cursor of pg when more rows exist.
func paged(t *reports.Table, pg reports.Page, wantCSV bool) (answer, error) {
	next := ""
	if t.More {
		next = nextCursor(pg)
	}
	return table(t, next, wantCSV)
}

func (h *Handlers) sales(w http.ResponseWriter, r *http.Request) error {
	p, rg, s, err := h.prepare(r)
	if err != nil {
		return err
	}
	byDay, dim := p.groupBy()
	q := reports.SalesQuery{Range: rg, Scope: s, Page: p.page(), ByDay: byDay, Dim: dim}
	if err := p.err(); err != nil {
		return err
	}
	return h.serve(w, r, "sales|"+scopeKey(s), func(ctx context.Context, tx pgx.Tx, csv bool) (answer, error) {
		t, err := reports.Sales(ctx, tx, q)
		if err != nil {
			return answer{}, err
		}
		return paged(t, q.Page, csv)
	})
}

func (h *Handlers) returns(w http.ResponseWriter, r *http.Request) error {
	p, rg, s, err := h.prepare(r)
	if err != nil {
		return err
	}
	group := p.oneOf("group_by", "reason", []string{"reason", "day"})
	q := reports.ReturnsQuery{Range: rg, Scope: s, Page: p.page(), ByDay: group == "day"}
	if err := p.err(); err != nil {
		return err
	}
	return h.serve(w, r, "returns|"+scopeKey(s), func(ctx context.Context, tx pgx.Tx, csv bool) (answer, error) {
		t, err := reports.Returns(ctx, tx, q)
		if err != nil {
			return answer{}, err
		}
		return paged(t, q.Page, csv)
	})
}

func (h *Handlers) inventory(w http.ResponseWriter, r *http.Request) error {
	p, _, s, err := h.prepare(r)
	if err != nil {
		return err
	}
	q := reports.InventoryQuery{Scope: s, Page: p.page(), ProductID: p.uuidParam("product_id")}
	if err := p.err(); err != nil {
		return err
	}
	return h.serve(w, r, "inventory|"+scopeKey(s), func(ctx context.Context, tx pgx.Tx, csv bool) (answer, error) {
		t, err := reports.InventoryValuation(ctx, tx, q)
		if err != nil {
			return answer{}, err
		}
		return paged(t, q.Page, csv)
	})
}

func (h *Handlers) topProducts(w http.ResponseWriter, r *http.Request) error {
	p, rg, s, err := h.prepare(r)
	if err != nil {
		return err
	}
	pg := p.page()
	if r.URL.Query().Get("limit") == "" {
		pg.Limit = 10
	}
	q := reports.TopQuery{Range: rg, Scope: s, Limit: pg.Limit, By: p.oneOf("by", "net", reports.TopBy)}
	if err := p.err(); err != nil {
		return err
	}
	return h.serve(w, r, "top|"+scopeKey(s), func(ctx context.Context, tx pgx.Tx, csv bool) (answer, error) {
		t, err := reports.TopProducts(ctx, tx, q)
		if err != nil {
			return answer{}, err
		}
		return table(t, "", csv)
	})
}

func (h *Handlers) shifts(w http.ResponseWriter, r *http.Request) error {
	p, rg, s, err := h.prepare(r)
	if err != nil {
		return err
	}
	q := reports.ShiftsQuery{Range: rg, Scope: s, Page: p.page(), Status: p.oneOf("status", "", []string{"open", "closed"})}
	if err := p.err(); err != nil {
		return err
	}
	return h.serve(w, r, "shifts|"+scopeKey(s), func(ctx context.Context, tx pgx.Tx, csv bool) (answer, error) {
		t, err := reports.Shifts(ctx, tx, q)
		if err != nil {
			return answer{}, err
		}
		return paged(t, q.Page, csv)
	})
}

// projectionStat is one live projection in GET /stats.
type projectionStat struct {
	Name         string              `json:"name"`
	Version      int                 `json:"version"`
	Status       string              `json:"status"`
	Position     eventstore.Position `json:"checkpoint"`
	HeadPosition eventstore.Position `json:"head_position"`
	LagEvents    int                 `json:"lag_events"`
	LagSeconds   float64             `json:"lag_seconds"`
	Rebuilding   bool                `json:"rebuilding"`
}

// stats answers the counts of the report tables (in the caller's scope) and, per projection
// and per policy, its checkpoint and lag. It is never cached: lag changes by the second.
func (h *Handlers) stats(w http.ResponseWriter, r *http.Request) error {
	_, _, s, err := h.prepare(r)
	if err != nil {
		return err
	}
	return h.serve(w, r, "", func(ctx context.Context, tx pgx.Tx, _ bool) (answer, error) {
		counts, err := reports.CountAll(ctx, tx, s)
		if err != nil {
			return answer{}, err
		}
		all, err := h.Projections.Status(ctx)
		if err != nil {
			return answer{}, err
		}
		byName := map[string]*projectionStat{}
		var list []*projectionStat
		for _, st := range all {
			if !st.Live {
				if ps, ok := byName[st.Name]; ok {
					ps.Rebuilding = true
				}
				continue
			}
			ps := &projectionStat{Name: st.Name, Version: st.Version, Status: st.Status, Position: st.Position,
				HeadPosition: st.HeadPosition, LagEvents: st.LagEvents, LagSeconds: st.LagSeconds}
			byName[st.Name] = ps
			list = append(list, ps)
		}
		pols := []policies.Status{}
		if h.Policies != nil {
			if pols, err = h.Policies(ctx); err != nil {
				return answer{}, err
			}
		}
		b, err := json.Marshal(struct {
			reports.Counts
			Projections []*projectionStat `json:"projections"`
			Policies    []policies.Status `json:"policies"`
		}{counts, list, pols})
		if err != nil {
			return answer{}, err
		}
		return answer{ContentType: "application/json", Body: b}, nil
	})
}
