package v1import

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"golang.org/x/sync/errgroup"

	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/quantity"
	"github.com/odata-pos/pos/domain/returns"
	"github.com/odata-pos/pos/domain/sale"
	"github.com/odata-pos/pos/domain/shift"
)

// v1 sale statuses.
const (
	statusCompleted = "completed"
	statusCancelled = "cancelled"
	statusRefunded  = "refunded"
)

// v1sale is a v1 sale with its rows, placed in time.
type v1sale struct {
	row      Sale
	at       time.Time
	day      string
	items    []Item
	pays     []Payment
	returnAt time.Time // refunded sales: when the refund happened
	// set once imported
	done     bool
	state    sale.State
	total    int64
	shift    uuid.UUID
	returned bool
}

var invoiceDigits = regexp.MustCompile(`(\d+)\s*$`)

// normInvoice is the form under which v1 invoice numbers are compared (case and spaces).
func normInvoice(s string) string { return strings.ToUpper(strings.Join(strings.Fields(s), "")) }

// importSales imports the sales month by month (local months): the month's shift on the
// history register opens at the month's first local midnight, the month's sales are appended
// (many at once), its refunds booked as returns, and the sales' cash is recorded on the shift,
// which closes at the month's end with the cash it expects counted.
func (im *Importer) importSales(ctx context.Context) error {
	src := im.src
	im.rep.read("sales", len(src.Sales))
	im.rep.read("sale items", len(src.Items))
	im.rep.read("payments", len(src.Payments))
	items := map[int64][]Item{}
	for _, it := range src.Items {
		items[it.SaleID] = append(items[it.SaleID], it)
	}
	pays := map[int64][]Payment{}
	for _, p := range src.Payments {
		pays[p.SaleID] = append(pays[p.SaleID], p)
	}
	returnsAt := map[string]time.Time{} // normalized invoice → first return movement
	for _, m := range src.Movements {
		if m.Type != "return" || m.Reference == "" {
			continue
		}
		at, _, err := parseLocal(m.CreatedAt, im.loc)
		if err != nil {
			continue
		}
		k := normInvoice(m.Reference)
		if old, ok := returnsAt[k]; !ok || at.Before(old) {
			returnsAt[k] = at
		}
	}
	byDay := map[string][]*v1sale{}
	refundsByDay := map[string][]*v1sale{}
	invoices := map[string]int64{}
	for _, row := range src.Sales {
		at, res, err := parseLocal(row.CreatedAt, im.loc)
		if err != nil {
			im.rep.list("sales", "sales", row.ID, OutcomeRefused, "created_at: %v", err)
			if row.Status != statusCancelled {
				im.rep.sold("unknown", cents(row.Total), 0)
			}
			continue
		}
		if res != LocalExact {
			im.rep.list("sales", "sales", row.ID, OutcomeListed, "created_at %s is a %s local time: read as %s (docs/import-v1.md)", row.CreatedAt, res, at.Format(time.RFC3339))
		}
		s := &v1sale{row: row, at: at, day: at.Format(time.DateOnly), items: items[row.ID], pays: pays[row.ID]}
		k := normInvoice(row.Invoice)
		if first, ok := invoices[k]; ok {
			im.rep.list("sales", "sales", row.ID, OutcomeListed, "invoice %q duplicates that of sale %d: both keep the number", row.Invoice, first)
		} else {
			invoices[k] = row.ID
		}
		byDay[s.day] = append(byDay[s.day], s)
		im.sales = append(im.sales, s)
		if row.Status == statusRefunded {
			s.returnAt = at
			if rat, ok := returnsAt[k]; ok && !rat.Before(at) {
				s.returnAt = rat
			} else if ok {
				im.rep.list("sales", "sales", row.ID, OutcomeListed, "return movement dated before the sale: refund dated at the sale")
			} else {
				im.rep.list("sales", "sales", row.ID, OutcomeListed, "refunded without a return movement: refund dated at the sale's time")
			}
			rd := s.returnAt.In(im.loc).Format(time.DateOnly)
			refundsByDay[rd] = append(refundsByDay[rd], s)
		}
	}
	days := make([]string, 0, len(byDay))
	for d := range byDay {
		days = append(days, d)
	}
	for d := range refundsByDay {
		if _, ok := byDay[d]; !ok {
			days = append(days, d)
		}
	}
	sort.Strings(days)
	var done atomic.Int64
	total := len(src.Sales)
	months := map[string][]string{}
	var order []string
	for _, day := range days {
		if _, ok := months[day[:7]]; !ok {
			order = append(order, day[:7])
		}
		months[day[:7]] = append(months[day[:7]], day)
	}
	for _, name := range order {
		m, err := im.openMonth(ctx, months[name][0])
		if err != nil {
			return err
		}
		var sales, refunds []*v1sale
		for _, day := range months[name] {
			daySales := byDay[day]
			sort.SliceStable(daySales, func(i, j int) bool { return daySales[i].at.Before(daySales[j].at) })
			sales = append(sales, daySales...)
			refunds = append(refunds, refundsByDay[day]...)
		}
		if err := im.importMonth(ctx, m, sales, refunds, &done, total); err != nil {
			return err
		}
		if err := im.closeMonth(ctx, m); err != nil {
			return err
		}
	}
	return nil
}

// monthBounds returns the start of the local month of day and the month's last second.
func (im *Importer) monthBounds(day string) (time.Time, time.Time) {
	d, _ := time.ParseInLocation(time.DateOnly, day, im.loc)
	start := time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, im.loc)
	end := time.Date(d.Year(), d.Month()+1, 1, 0, 0, 0, 0, im.loc).Add(-time.Second)
	return start, end
}

// month is the history shift of one local month: v1 kept no drawer, so one shift a month
// holds the month's cash (a shift a day would cost more appends than the sales themselves).
type month struct {
	id         uuid.UUID
	ref        int64
	name       string
	start, end time.Time
	sales      []*v1sale
}

// openMonth opens the history shift of day's month.
func (im *Importer) openMonth(ctx context.Context, day string) (*month, error) {
	start, end := im.monthBounds(day)
	m := &month{id: im.id("shifts", 0, day[:7]), ref: start.Unix(), name: day[:7], start: start, end: end}
	if im.opts.DryRun {
		return m, nil
	}
	im.clock.set(start)
	res, err := im.shifts.Open(ctx, im.cmd("shifts", m.ref, "open", start, ""), commands.OpenShift{ShiftID: m.id, RegisterID: im.registerID, OpeningFloat: money.Zero(im.currency)})
	im.wrote(res.Result)
	if err != nil {
		return nil, fmt.Errorf("open the shift of %s: %w", m.name, err)
	}
	return m, nil
}

// importMonth imports one local month's sales (in batches, several at once), then its
// refunds (in time order) on the month's shift.
func (im *Importer) importMonth(ctx context.Context, m *month, sales, refunds []*v1sale, done *atomic.Int64, total int) error {
	info := sale.ShiftInfo{ID: m.id, RegisterID: im.registerID, OpenedAt: m.start}
	var batches [][]*v1sale
	for i := 0; i < len(sales); i += im.opts.Batch {
		batches = append(batches, sales[i:min(len(sales), i+im.opts.Batch)])
	}
	err := inParallel(ctx, im.opts.Workers, batches, func(batch []*v1sale) error {
		if err := im.importBatch(ctx, batch, info); err != nil {
			return err
		}
		n := done.Add(int64(len(batch)))
		if im.opts.Progress != nil {
			im.opts.Progress(int(n), total)
		}
		return nil
	})
	if err != nil {
		return err
	}
	m.sales = append(m.sales, sales...)
	if im.opts.DryRun {
		for _, s := range refunds {
			im.refundDecided(s)
		}
		return nil
	}
	return im.refunds(ctx, refunds, m.id)
}

// refunds books the month's refunds, several at once: each is its own return of its own
// sale; only the cash they pay out meets on the month's shift, whose appends retry on
// conflict (the shift sums the cash, so their order there does not matter).
func (im *Importer) refunds(ctx context.Context, refunds []*v1sale, shiftID uuid.UUID) error {
	sort.SliceStable(refunds, func(i, j int) bool { return refunds[i].returnAt.Before(refunds[j].returnAt) })
	return inParallel(ctx, im.opts.Workers, refunds, func(s *v1sale) error { return im.refund(ctx, s, shiftID) })
}

// appendsInFlight bounds the parallel appends of a batch on a store without batch appends
// (EventStoreDB).
const appendsInFlight = 16

// inParallel calls do for every item, at most workers at once, and returns the first error
// (after the calls in flight have returned; no new one starts after it) or ctx's.
func inParallel[T any](ctx context.Context, workers int, items []T, do func(T) error) error {
	g, failed := errgroup.WithContext(ctx)
	g.SetLimit(max(1, workers))
	for _, it := range items {
		if failed.Err() != nil {
			break
		}
		g.Go(func() error { return do(it) })
	}
	if err := g.Wait(); err != nil {
		return err
	}
	return ctx.Err()
}

// cashChunk bounds the cash records of one append.
const cashChunk = 2000

// closeMonth records the month's cash on its shift and closes it with the cash it expects
// counted.
func (im *Importer) closeMonth(ctx context.Context, m *month) error {
	if im.opts.DryRun {
		return nil
	}
	var cash []shift.RecordCashSale
	for _, s := range m.sales {
		if !s.done || s.row.Status == statusCancelled {
			continue
		}
		t, _, err := s.state.Priced()
		if err != nil {
			return err
		}
		in, err := t.CashPaid.Sub(t.Change)
		if err != nil {
			return err
		}
		cash = append(cash, shift.RecordCashSale{SaleID: s.state.ID, Amount: in})
	}
	for i := 0; i < len(cash); i += cashChunk {
		res, err := im.history.RecordHistoricCash(ctx, im.cmd("shifts", m.ref, "cash:"+strconv.Itoa(i), m.end, ""), m.id, cash[i:min(len(cash), i+cashChunk)], m.end)
		im.wrote(res)
		if err != nil {
			return fmt.Errorf("record the cash of %s: %w", m.name, err)
		}
	}
	sh, err := im.shifts.Get(ctx, m.id)
	if err != nil {
		return err
	}
	counted, err := sh.State.ExpectedCash()
	if err != nil {
		return err
	}
	im.clock.set(m.end)
	if counted.Amount < 0 {
		// Cash refunds of earlier months' sales took more than the month's drawer held: v1
		// kept no drawer, so the cash came from elsewhere; it is recorded as paid in, and listed.
		in := money.New(-counted.Amount, im.currency)
		res, err := im.shifts.RecordCashMovement(ctx, im.cmd("shifts", m.ref, "paid-in", m.end, ""), m.id,
			shift.RecordCashMovement{MovementID: im.id("shifts", m.ref, "paid-in"), Type: shift.PaidIn, Amount: in, Reason: "v1 history: cash refunds beyond the cash sales"})
		im.wrote(res.Result)
		if err != nil {
			return fmt.Errorf("paid in on %s: %w", m.name, err)
		}
		im.rep.list("shifts", "sales", m.ref, OutcomeListed, "%s: cash refunds exceed the month's cash sales by %s: recorded as paid in on the month's history shift", m.name, in)
		counted = money.Zero(im.currency)
	}
	res, err := im.shifts.Close(ctx, im.cmd("shifts", m.ref, "close", m.end, ""), commands.CloseShift{ShiftID: m.id, CountedCash: counted})
	im.wrote(res.Result)
	if err != nil {
		return fmt.Errorf("close the shift of %s: %w", m.name, err)
	}
	return nil
}

// importBatch builds, decides and (unless a dry run) appends a batch of v1 sales: every sale
// the domain can hold in one batch append (commands.History.ImportSales).
func (im *Importer) importBatch(ctx context.Context, batch []*v1sale, info sale.ShiftInfo) error {
	type built struct {
		s     *v1sale
		notes []string
	}
	var ok []built
	var imports []commands.HistoricImport
	for _, s := range batch {
		hs, notes, err := im.buildSale(s, info)
		if err != nil {
			im.refuse(s, err)
			continue
		}
		ok = append(ok, built{s, notes})
		imports = append(imports, commands.HistoricImport{Cmd: im.cmd("sales", s.row.ID, "import", s.at, hs.CashierID), Sale: hs})
	}
	outcomes := make([]commands.HistoricOutcome, len(imports))
	if im.opts.DryRun {
		for i, h := range imports {
			_, outcomes[i].State, outcomes[i].Err = commands.DecideHistoricSale(h.Sale)
		}
	} else {
		var err error
		if outcomes, err = im.history.ImportSales(ctx, imports, appendsInFlight); err != nil {
			return err
		}
	}
	for i, o := range outcomes {
		im.wrote(o.Result)
		if err := im.imported(ok[i].s, o.State, ok[i].notes, o.Err, info); err != nil {
			return err
		}
	}
	return nil
}

// refuse lists a v1 sale the domain cannot hold; its v1 total still counts as sold on its day.
func (im *Importer) refuse(s *v1sale, err error) {
	im.rep.list("sales", "sales", s.row.ID, OutcomeRefused, "%v", err)
	if s.row.Status != statusCancelled {
		im.rep.sold(s.day, cents(s.row.Total), 0)
	}
}

// imported reports a v1 sale decided (and appended) as st, or refused with err. An error
// that is not the domain's refusal stops the import.
func (im *Importer) imported(s *v1sale, st sale.State, notes []string, err error, info sale.ShiftInfo) error {
	row := s.row
	if err != nil {
		if !refused(err) {
			return fmt.Errorf("sale %d: %w", row.ID, err)
		}
		im.refuse(s, err)
		return nil
	}
	t, _, err := st.Priced()
	if err != nil {
		return fmt.Errorf("sale %d: %w", row.ID, err)
	}
	s.done, s.state, s.total, s.shift = true, st, t.Total.Amount, info.ID
	im.rep.importedN("sale items", len(s.items))
	im.rep.importedN("payments", len(s.pays))
	if row.Status != statusCancelled {
		im.rep.sold(s.day, cents(row.Total), t.Total.Amount)
	}
	if row.Status != statusCompleted && row.Status != statusCancelled && row.Status != statusRefunded {
		notes = append(notes, fmt.Sprintf("status %q imported as completed", row.Status))
	}
	if len(notes) > 0 {
		im.rep.list("sales", "sales", row.ID, OutcomeAdjusted, "%s", strings.Join(notes, "; "))
	} else {
		im.rep.imported("sales")
	}
	return nil
}

// buildSale turns a v1 sale into a HistoricSale, with notes on what it had to add or list.
func (im *Importer) buildSale(s *v1sale, info sale.ShiftInfo) (commands.HistoricSale, []string, error) {
	row, cur := s.row, im.currency
	var notes []string
	cashier := "v1-user:none"
	if row.UserID.Valid {
		if id, ok := im.cashiers[row.UserID.Int64]; ok {
			cashier = id
		} else {
			cashier = "v1-user:" + strconv.FormatInt(row.UserID.Int64, 10)
			notes = append(notes, fmt.Sprintf("cashier %d does not exist in v1: recorded as %q", row.UserID.Int64, cashier))
		}
	} else {
		notes = append(notes, "no cashier in v1")
	}
	number := int64(0)
	if m := invoiceDigits.FindStringSubmatch(strings.TrimSpace(row.Invoice)); m != nil {
		number, _ = strconv.ParseInt(m[1], 10, 64)
	}
	if number <= 0 {
		number = row.ID
		notes = append(notes, fmt.Sprintf("invoice %q has no number: receipt number %d (the v1 sale id)", row.Invoice, row.ID))
	}
	hs := commands.HistoricSale{SaleID: im.id("sales", row.ID), Store: im.storeInfo(), RegisterID: im.registerID, Shift: info,
		CashierID: cashier, OccurredAt: s.at, Imported: sale.Imported{Source: SourceName, Reference: row.Invoice},
		ReceiptNumber: number, ApproverID: im.opts.Operator}
	if row.Status == statusCancelled {
		hs.VoidReason = "cancelled in v1"
	}
	for _, it := range s.items {
		p, ok := im.products[it.ProductID]
		if !ok {
			return hs, nil, fmt.Errorf("item %d: product %d unknown", it.ID, it.ProductID)
		}
		taxBP := rateBP(it.TaxRate)
		sp := im.saleProduct(p, taxBP)
		if p.deleted {
			notes = append(notes, fmt.Sprintf("item %d sells product %d deleted in v1 (stand-in %s)", it.ID, it.ProductID, p.sku))
		}
		q := milli(it.Quantity)
		if q <= 0 {
			return hs, nil, fmt.Errorf("item %d: quantity %v is not positive", it.ID, it.Quantity)
		}
		if !q.IsWhole() && !sp.SoldByWeight {
			sp.SoldByWeight = true
			notes = append(notes, fmt.Sprintf("item %d: fractional quantity %s of a product sold by the unit, kept", it.ID, q))
		}
		line := commands.HistoricLine{LineID: im.id("sale_items", it.ID), Product: sp, Quantity: q}
		if price := amount(it.UnitPrice, cur); price != sp.Price {
			line.UnitPrice = &price
		}
		if d := cents(it.Discount); d > 0 {
			line.Discount = sale.Discount{Amount: money.New(d, cur)}
		} else if d < 0 {
			return hs, nil, fmt.Errorf("item %d: negative discount %v", it.ID, it.Discount)
		}
		hs.Lines = append(hs.Lines, line)
	}
	if d := cents(row.Discount); d > 0 {
		hs.Discount = sale.Discount{Amount: money.New(d, cur)}
	} else if d < 0 {
		return hs, nil, fmt.Errorf("negative sale discount %v", row.Discount)
	}
	want := cents(row.Total)
	got, err := commands.HistoricTotal(hs)
	if err != nil {
		return hs, nil, err
	}
	if diff := want - got.Amount; diff != 0 {
		hs.Imported.Difference = money.New(diff, cur)
		if diff > 0 {
			price := money.New(diff, cur)
			hs.Lines = append(hs.Lines, commands.HistoricLine{LineID: im.id("sales", row.ID, "difference"), Product: im.saleProduct(im.diffProd, 0),
				Quantity: quantity.FromInt(1), UnitPrice: &price})
			notes = append(notes, fmt.Sprintf("v1 total %s is %s more than its items: difference line added", money.New(want, cur), price))
		} else {
			hs.Discount = sale.Discount{Amount: money.New(hs.Discount.Amount.Amount-diff, cur)}
			notes = append(notes, fmt.Sprintf("v1 total %s is %s less than its items: added to the sale discount", money.New(want, cur), money.New(-diff, cur)))
		}
		if want < 0 {
			return hs, nil, fmt.Errorf("negative total %v", row.Total)
		}
	}
	if len(hs.Lines) == 0 {
		return hs, nil, errors.New("no items and a zero total")
	}
	pays, payNotes := im.payments(row, s.pays, want)
	hs.Payments = pays
	notes = append(notes, payNotes...)
	return hs, notes, nil
}

// tenderOf maps a v1 payment method.
func tenderOf(method string) (string, string, bool) {
	switch strings.ToLower(strings.TrimSpace(method)) {
	case "cash":
		return sale.TenderCash, "", true
	case "card":
		return sale.TenderCard, "", true
	case "transfer":
		return sale.TenderOther, "v1 transfer", true
	}
	return sale.TenderOther, "v1 " + method, false
}

// payments turns a v1 sale's payment into tenders paying total exactly (cash may exceed it:
// the rest is change). What v1 recorded is kept where the domain allows, and listed where not.
func (im *Importer) payments(row Sale, rows []Payment, total int64) ([]sale.Payment, []string) {
	cur := im.currency
	var notes []string
	if total == 0 {
		return nil, nil
	}
	pid := func(part string) uuid.UUID { return im.id("sales", row.ID, "payment", part) }
	if !strings.EqualFold(row.Method, "mixed") {
		tender, ref, known := tenderOf(row.Method)
		if !known {
			notes = append(notes, fmt.Sprintf("payment method %q imported as %s", row.Method, tender))
		}
		amt := total
		if tender == sale.TenderCash && row.AmountPaid.Valid {
			paid := cents(row.AmountPaid.Float64)
			switch {
			case paid >= total:
				amt = paid
				if row.ChangeGiven.Valid && cents(row.ChangeGiven.Float64) != paid-total {
					notes = append(notes, fmt.Sprintf("v1 change_given %s, tendered − total is %s", money.New(cents(row.ChangeGiven.Float64), cur), money.New(paid-total, cur)))
				}
			default:
				notes = append(notes, fmt.Sprintf("v1 amount_paid %s is less than the total: the total taken in cash", money.New(paid, cur)))
			}
		}
		return []sale.Payment{{ID: pid("0"), Tender: tender, Amount: money.New(amt, cur), Reference: ref}}, notes
	}
	ordered := append([]Payment(nil), rows...)
	sort.SliceStable(ordered, func(i, j int) bool {
		ci, _, _ := tenderOf(ordered[i].Method)
		cj, _, _ := tenderOf(ordered[j].Method)
		return ci != sale.TenderCash && cj == sale.TenderCash
	})
	due := total
	var out []sale.Payment
	for _, p := range ordered {
		tender, ref, known := tenderOf(p.Method)
		if !known {
			notes = append(notes, fmt.Sprintf("payment %d method %q imported as %s", p.ID, p.Method, tender))
		}
		amt := cents(p.Amount)
		switch {
		case amt <= 0:
			notes = append(notes, fmt.Sprintf("payment %d of %s not imported (not positive)", p.ID, money.New(amt, cur)))
			continue
		case due <= 0:
			notes = append(notes, fmt.Sprintf("payment %d of %s not imported: the total was already paid", p.ID, money.New(amt, cur)))
			continue
		case tender != sale.TenderCash && amt > due:
			notes = append(notes, fmt.Sprintf("payment %d of %s capped to the %s due", p.ID, money.New(amt, cur), money.New(due, cur)))
			amt = due
		}
		out = append(out, sale.Payment{ID: pid(strconv.FormatInt(p.ID, 10)), Tender: tender, Amount: money.New(amt, cur), Reference: ref})
		due -= amt
	}
	if len(rows) == 0 {
		notes = append(notes, "mixed payment without payment rows")
	}
	if due > 0 {
		out = append(out, sale.Payment{ID: pid("remainder"), Tender: sale.TenderOther, Amount: money.New(due, cur), Reference: "v1 payments short of the total"})
		notes = append(notes, fmt.Sprintf("v1 payments %s short of the total: recorded as an 'other' tender", money.New(due, cur)))
	}
	return out, notes
}

// refundDecided counts a refund in a dry run (the return is not decided without the sale in
// the store; its total is the sale's).
func (im *Importer) refundDecided(s *v1sale) {
	if s.done {
		im.rep.refunded(cents(s.row.Total), s.total)
	} else {
		im.rep.refunded(cents(s.row.Total), 0)
	}
}

// refund books a refunded v1 sale's full return, restocking every line, refunded in the
// tenders the sale was paid with.
func (im *Importer) refund(ctx context.Context, s *v1sale, shiftID uuid.UUID) error {
	if !s.done {
		im.rep.refunded(cents(s.row.Total), 0)
		return nil
	}
	req := commands.ReturnRequest{ReturnID: im.id("sales", s.row.ID, "return"), SaleID: s.state.ID, ShiftID: shiftID, Unlimited: true}
	for _, l := range s.state.Lines {
		req.Lines = append(req.Lines, returns.Line{SaleLineID: l.ID, Quantity: l.Quantity, Restock: l.TrackStock, Reason: "refunded in v1"})
	}
	res, rec, err := im.returns.Create(ctx, im.cmd("sales", s.row.ID, "refund", s.returnAt, s.state.CashierID), req)
	im.wrote(res)
	if err != nil {
		if refused(err) {
			im.rep.list("sales", "sales", s.row.ID, OutcomeRefused, "refund: %v", err)
			im.rep.refunded(cents(s.row.Total), 0)
			return nil
		}
		return fmt.Errorf("refund of sale %d: %w", s.row.ID, err)
	}
	s.returned = true
	im.rep.refunded(cents(s.row.Total), rec.Total.Amount)
	return nil
}
