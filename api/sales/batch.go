package sales

import (
	"fmt"
	"net/http"

	"github.com/odata-pos/pos/api/cmdhttp"
	"github.com/odata-pos/pos/api/httpx"
	"github.com/odata-pos/pos/commands"
)

// MaxBatchSales is how many sales one POST /sales/batch may carry.
const MaxBatchSales = 100

// batchRequest is the body of POST /sales/batch: sales as POST /sales takes them.
type batchRequest struct {
	Sales []createRequest `json:"sales"`
}

// BatchItem is the outcome of one sale of a batch: its status as POST /sales would have
// answered it, with the sale (2xx) or the problem.
type BatchItem struct {
	ID      string         `json:"id"`
	Status  int            `json:"status"`
	Sale    *View          `json:"sale,omitempty"`
	Problem *httpx.Problem `json:"problem,omitempty"`
}

// BatchView is the answer of POST /sales/batch: one item per sale, in the order sent.
type BatchView struct {
	Items []BatchItem `json:"items"`
}

// batch records up to MaxBatchSales sales in one request, in the order sent (a register's
// queued sales take their receipt numbers in that order), sharing the stores, products and tax
// codes they load, and written together where the store allows (commands.SaleBatch). Each is
// exactly a POST /sales: validated, authorized for its store, idempotent by its ID and
// content, and answered with its own status; one failing does not stop the others. Approval
// tokens do not apply: a sale that needs one gets its 422 and is sent alone.
func (h *Handlers) batch(w http.ResponseWriter, r *http.Request) error {
	if r.Header.Get(cmdhttp.HeaderIfMatch) != "" {
		return httpx.BadRequest("if_match_not_supported", "If-Match does not apply to a batch")
	}
	var req batchRequest
	if err := httpx.Decode(r, &req); err != nil {
		return err
	}
	if len(req.Sales) == 0 || len(req.Sales) > MaxBatchSales {
		return httpx.Invalid(httpx.FieldError{Field: "sales", Message: fmt.Sprintf("must hold 1 to %d sales", MaxBatchSales)})
	}
	out := BatchView{Items: make([]BatchItem, len(req.Sales))}
	var (
		valid []commands.BatchSale
		at    []int // the index in out of each of valid
	)
	for i, item := range req.Sales {
		out.Items[i].ID = item.ID
		c, cmd, err := h.createCommand(r, item)
		if err != nil {
			h.problem(r, &out.Items[i], err)
			continue
		}
		valid, at = append(valid, commands.BatchSale{Cmd: cmd, Sale: c}), append(at, i)
	}
	for k, o := range h.Sales.NewBatch().CreateAll(r.Context(), valid) {
		item := &out.Items[at[k]]
		if o.Err != nil {
			h.problem(r, item, o.Err)
			continue
		}
		v, err := viewOf(o.Sale)
		if err != nil {
			h.problem(r, item, err)
			continue
		}
		item.Status, item.Sale = http.StatusCreated, &v
	}
	h.Responder.JSON(w, r, http.StatusOK, out)
	return nil
}

// problem sets item's status and problem to err's, as POST /sales would answer it.
func (h *Handlers) problem(r *http.Request, item *BatchItem, err error) {
	p := h.Responder.Problem(r, err)
	item.Status, item.Problem = p.Status, &p
}
