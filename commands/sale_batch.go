package commands

import (
	"context"
	"errors"
	"fmt"

	"github.com/odata-pos/pos/domain/register"
	"github.com/odata-pos/pos/domain/rules"
	"github.com/odata-pos/pos/domain/sale"
	"github.com/odata-pos/pos/domain/shift"
	"github.com/odata-pos/pos/eventstore"
)

// batchWriteSales bounds the sales one atomic append of a batch writes (four appends each):
// a batch of more is written in several.
const batchWriteSales = 100

// SaleBatch creates sales one after the other, sharing the stores, products and tax codes
// they load (POST /sales/batch): a batch's sales are priced from what was read as of the
// batch, each at its own time. Use one for one request, from one goroutine.
//
// Where the store appends atomically (eventstore.AtomicAppender), CreateAll reads what all
// the batch's sales refer to in one multi-stream read (loadSaleContexts), decides its one-shot
// sales one after the other in memory, each on the register, shift and sale
// streams as the sales before it leave them (receipt numbers follow on, the shift's cash adds
// up), and writes them in one atomic append: one transaction for the batch instead of one per
// sale, with the events, IDs, metadata and $all order the sales written one by one would
// leave. A sale refused is answered with its own error and writes nothing; a sale that cannot
// be decided so (already stored: a replay, or any case the step-by-step path answers) has the
// sales before it written first, then is created alone, as Create creates it. If an atomic
// append fails (a stream moved: another till, a concurrent request; or anything else), it
// wrote nothing, or, its outcome unknown, what the sales one by one then find: its sales and
// the rest of the batch are created one by one, as Create creates them, which answer each
// case as they always have.
type SaleBatch struct {
	s     *Sales
	loads *saleLoads
}

// NewBatch returns an empty SaleBatch.
func (s *Sales) NewBatch() *SaleBatch {
	return &SaleBatch{s: s, loads: newSaleLoads(s.h, s.taxCodes)}
}

// Create is Sales.Create within the batch.
func (b *SaleBatch) Create(ctx context.Context, cmd Context, c CreateSale) (SaleResult, error) {
	return b.s.create(ctx, cmd, c, b.loads)
}

// BatchSale is one sale of CreateAll: the command and its input, as Create takes them.
type BatchSale struct {
	Cmd  Context
	Sale CreateSale
}

// BatchOutcome is what CreateAll answers for one sale: Create's result or its error.
type BatchOutcome struct {
	SaleResult
	Err error
}

// CreateAll creates sales in the order given (see SaleBatch) and answers each as Create
// would have, in that order: a failing sale never stops the others.
func (b *SaleBatch) CreateAll(ctx context.Context, sales []BatchSale) []BatchOutcome {
	out := make([]BatchOutcome, len(sales))
	at, atomic := b.s.h.store.(eventstore.AtomicAppender)
	w := &batchWrite{b: b, at: at, out: out, oneByOne: !atomic}
	var reads []contextRead
	if atomic {
		// What every sale is decided on, in one read (a sale alone reads its own in one): valid
		// until the batch writes anything, and from then on each sale reads its own.
		cs := make([]CreateSale, len(sales))
		for i, bs := range sales {
			cs[i] = bs.Sale
		}
		reads, w.readAll = loadSaleContexts(ctx, b.s.h, cs, b.loads), true
	}
	for i, bs := range sales {
		if w.oneByOne {
			w.alone(ctx, i, bs)
			continue
		}
		var read *contextRead
		if w.readAll && answers(reads[i].err) {
			read = &reads[i]
		}
		p, err := b.s.plan(ctx, bs.Cmd, bs.Sale, b.loads, read, &w.ahead)
		if err != nil {
			out[i].Err = err
			continue
		}
		a, ok, err := b.s.decideAtOnce(p)
		switch {
		case err != nil:
			out[i].Err = err // step 1 refused it, on the state it would be decided on alone
		case !ok:
			// The sales before it are written first: it is decided on what they leave.
			if wrote := w.flush(ctx); wrote || w.oneByOne {
				w.alone(ctx, i, bs)
			} else {
				out[i].SaleResult, out[i].Err = b.s.createPlanned(ctx, p)
				w.readAll = false
			}
		default:
			w.add(i, bs, a)
			if len(w.pending) >= batchWriteSales {
				w.flush(ctx)
			}
		}
	}
	w.flush(ctx)
	return out
}

// batchWrite is the part of a CreateAll decided and not written yet.
type batchWrite struct {
	b        *SaleBatch
	at       eventstore.AtomicAppender
	out      []BatchOutcome
	pending  []pendingSale
	ahead    unwritten
	oneByOne bool // an atomic append failed, or the store has none: the rest go one by one
	// readAll is true while the sales' contexts read at the start are current: the batch has
	// written nothing yet.
	readAll bool
}

// pendingSale is a sale of the batch decided at once, its index and its input.
type pendingSale struct {
	i  int
	bs BatchSale
	a  saleAtOnce
}

// alone creates sale i as Create does.
func (w *batchWrite) alone(ctx context.Context, i int, bs BatchSale) {
	w.readAll = false
	w.out[i].SaleResult, w.out[i].Err = w.b.Create(ctx, bs.Cmd, bs.Sale)
}

// add holds a, sale i decided at once, for the next write, and what it leaves of its
// streams for the next sales to be decided on.
func (w *batchWrite) add(i int, bs BatchSale, a saleAtOnce) {
	w.pending = append(w.pending, pendingSale{i: i, bs: bs, a: a})
	w.ahead.put(a)
}

// flush writes the sales pending in one atomic append and answers them, and reports whether
// it wrote. If the append fails, they are created one by one, and so is the rest of the
// batch (oneByOne).
func (w *batchWrite) flush(ctx context.Context) bool {
	pending := w.pending
	w.pending, w.ahead = nil, unwritten{}
	if len(pending) == 0 {
		return false
	}
	w.readAll = false
	appends := make([]eventstore.StreamAppend, 0, 4*len(pending))
	for _, ps := range pending {
		appends = append(appends, ps.a.appends()...)
	}
	res, err := w.at.AppendAtomic(ctx, appends)
	if err == nil && len(res) != len(appends) {
		err = fmt.Errorf("atomic append of %d appends answered %d results", len(appends), len(res))
	}
	if err != nil {
		w.oneByOne = true
		for _, ps := range pending {
			w.alone(ctx, ps.i, ps.bs)
		}
		return true
	}
	for k, ps := range pending {
		w.out[ps.i].SaleResult = ps.a.recorded(ctx, w.b.s.h, res[4*k:4*k+4])
	}
	return true
}

// unwritten holds the register, shift and sale streams as the sales of a batch decided and
// not yet written leave them, by stream. A sale of the batch is decided on these instead of
// the same streams as read (plan): the store has none of the pending events yet.
type unwritten struct {
	registers map[string]Loaded[register.State]
	shifts    map[string]Loaded[shift.State]
	sales     map[string]Loaded[sale.State]
}

// put records the streams as a leaves them.
func (u *unwritten) put(a saleAtOnce) {
	if u.registers == nil {
		u.registers, u.shifts, u.sales = map[string]Loaded[register.State]{}, map[string]Loaded[shift.State]{}, map[string]Loaded[sale.State]{}
	}
	u.sales[a.completed.stream] = a.completed.ahead(a.locked)
	u.shifts[a.cash.stream] = a.cash.ahead(a.shift)
	u.registers[a.receipt.stream] = a.receipt.ahead(a.register)
}

// standIn replaces in sc, loaded for c, the streams u holds. The nil *unwritten holds none.
func (u *unwritten) standIn(sc *saleContext, c CreateSale) {
	if u == nil || u.registers == nil {
		return
	}
	if l, ok := u.registers[RegisterStream(c.RegisterID)]; ok {
		sc.register = l
	}
	if l, ok := u.shifts[ShiftStream(c.ShiftID)]; ok {
		sc.shift = l
	}
	if l, ok := u.sales[SaleStream(c.SaleID)]; ok {
		sc.sale = l
	}
}

// answers reports whether err, a sale's context as read with the batch's, is an answer for the
// sale (none, or a rule or field refusal: what its own read would find) rather than a failure
// of the read, after which the sale reads its own as it would alone.
func answers(err error) bool {
	var (
		rule  *rules.RuleError
		field *rules.ValidationError
	)
	return err == nil || errors.As(err, &rule) || errors.As(err, &field)
}
