package audit_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/api/apitest"
	auditapi "github.com/odata-pos/pos/api/audit"
	"github.com/odata-pos/pos/api/authz"
	"github.com/odata-pos/pos/api/sales/salestest"
	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/domain/shift"
	evaudit "github.com/odata-pos/pos/eventstore/audit"
)

type eventView struct {
	ID                 string          `json:"id"`
	Type               string          `json:"type"`
	Stream             string          `json:"stream"`
	Revision           uint64          `json:"revision"`
	Position           uint64          `json:"position"`
	Data               json.RawMessage `json:"data"`
	OccurredAt         time.Time       `json:"occurred_at"`
	RecordedAt         time.Time       `json:"recorded_at"`
	Hash               string          `json:"hash"`
	UploadDelaySeconds float64         `json:"upload_delay_seconds"`
	Metadata           struct {
		CorrelationID string    `json:"correlation_id"`
		UserID        string    `json:"user_id"`
		ApproverID    string    `json:"approver_id"`
		StoreID       string    `json:"store_id"`
		OccurredAt    time.Time `json:"occurred_at"`
	} `json:"metadata"`
}

type listView struct {
	Items      []eventView `json:"items"`
	NextCursor string      `json:"next_cursor"`
}

// TestAuditorFollowsASaleThroughItsWholeLife rings up a sale over the real HTTP API (opened,
// lines, a discount beyond the cashier's limit approved by a manager, a payment, completion,
// a partial return), then reads it back as an auditor: every event with user, approver and
// correlation IDs, the state at each revision, a diff, the filtered feed, verification, and
// the record of the auditor's own queries.
func TestAuditorFollowsASaleThroughItsWholeLife(t *testing.T) {
	e := apitest.New(t, apitest.Options{})
	h := e.API.Commands
	storeID := salestest.NewStore(t, h, "A", salestest.Settings(true))
	regID := salestest.NewRegister(t, h, storeID, "R1")
	salestest.NewTaxCode(t, h, "STD", 2100)
	bread := salestest.NewProduct(t, h, salestest.Product{SKU: "BREAD", Price: 299, TaxCode: "STD"})
	cashierID := "cashier-" + uuid.NewString()
	cashier := salestest.Token(t, e.API, cashierID, authz.RoleCashier, storeID.String())
	managerID, _ := e.CreateUser("maria", []string{"manager"}, []string{storeID.String()})
	auditorID, auditor := e.CreateUser("audrey", []string{"auditor"}, nil)

	shiftID := uuid.New()
	// The shift opened two hours ago (written straight through the command handler, as the
	// returns fixtures do), so that an offline sale from an hour ago falls within it.
	_, err := commands.Execute(context.Background(), h, commands.ShiftStream(shiftID), commands.ShiftAggregate,
		commands.Context{ID: "shift-" + shiftID.String(), UserID: cashierID, OccurredAt: time.Now().Add(-2 * time.Hour)},
		func(s shift.State) ([]shift.Event, error) {
			return shift.Decide(s, shift.Open{ShiftID: shiftID, StoreID: storeID, RegisterID: regID, CashierID: cashierID,
				OpeningFloat: salestest.EUR(10000)}, time.Now().Add(-2*time.Hour))
		})
	if err != nil {
		t.Fatal(err)
	}
	saleID, line1, line2 := uuid.New(), uuid.New(), uuid.New()
	base := "/api/v1/sales/" + saleID.String()
	corr := func(step string) []string { return []string{"X-Correlation-ID", "corr-" + step} }
	// Rung up offline an hour ago, uploaded now.
	e.Must(http.StatusCreated, "POST", "/api/v1/sales", cashier, map[string]any{
		"id": saleID, "store_id": storeID, "register_id": regID, "shift_id": shiftID,
		"occurred_at": time.Now().Add(-time.Hour).UTC().Format(time.RFC3339),
		"lines":       []any{map[string]any{"id": line1, "product_id": bread, "quantity": json.Number("2")}},
	}, corr("open")...)
	e.Must(http.StatusOK, "POST", base+"/lines", cashier, map[string]any{"id": line2, "product_id": bread, "quantity": json.Number("1")}, corr("line")...)
	token := e.Approval(cashier, "maria", "user-password-1", "sale.discount", saleID.String())
	e.Must(http.StatusOK, "POST", base+"/discounts", cashier, map[string]any{"percent_bp": 2000}, append(corr("discount"), "X-Approval-Token", token)...)
	var sale struct {
		Totals struct{ Total struct{ Amount int64 } } `json:"totals"`
	}
	e.Must(http.StatusOK, "GET", base, cashier, nil).JSON(t, &sale)
	e.Must(http.StatusOK, "POST", base+"/payments", cashier, map[string]any{"id": uuid.New(), "tender": "cash", "amount": salestest.EUR(sale.Totals.Total.Amount)}, corr("pay")...)
	e.Must(http.StatusOK, "POST", base+"/complete", cashier, nil, corr("complete")...)
	e.Must(http.StatusCreated, "POST", "/api/v1/returns", cashier, map[string]any{
		"id": uuid.New(), "sale_id": saleID, "shift_id": shiftID,
		"lines": []any{map[string]any{"sale_line_id": line1, "quantity": "1", "restock": true, "reason": "damaged"}},
	}, corr("return")...)

	// Only auditors and admins read the history.
	stream := commands.SaleStream(saleID)
	e.Must(http.StatusForbidden, "GET", "/api/v1/audit/streams/"+stream, cashier, nil)

	var hist listView
	e.Must(http.StatusOK, "GET", "/api/v1/audit/streams/"+stream+"?limit=500", auditor, nil).JSON(t, &hist)
	if len(hist.Items) < 5 {
		t.Fatalf("sale history has %d events", len(hist.Items))
	}
	seen := map[string]bool{}
	var approved bool
	for i, ev := range hist.Items {
		if ev.Revision != uint64(i) || ev.Stream != stream || len(ev.Hash) != 64 {
			t.Fatalf("event %d: %+v", i, ev)
		}
		if ev.Metadata.UserID != cashierID || ev.Metadata.StoreID != storeID.String() || ev.Metadata.CorrelationID == "" {
			t.Fatalf("event %d (%s) lacks who/where/correlation: %+v", i, ev.Type, ev.Metadata)
		}
		seen[ev.Metadata.CorrelationID] = true
		if strings.Contains(ev.Type, "discount") {
			approved = ev.Metadata.ApproverID == managerID
		}
		t.Logf("%d %-36s user=%s approver=%s corr=%s delay=%.0fs", ev.Revision, ev.Type, ev.Metadata.UserID, ev.Metadata.ApproverID, ev.Metadata.CorrelationID, ev.UploadDelaySeconds)
	}
	if !approved {
		t.Fatal("the discount event does not name the approving manager")
	}
	for _, step := range []string{"open", "line", "discount", "pay", "complete"} {
		if !seen["corr-"+step] {
			t.Errorf("no event of the sale carries correlation ID corr-%s", step)
		}
	}
	if first := hist.Items[0]; first.UploadDelaySeconds < 3000 || !first.OccurredAt.Before(first.RecordedAt.Add(-50*time.Minute)) {
		t.Errorf("offline opening not shown as such: occurred %s recorded %s", first.OccurredAt, first.RecordedAt)
	}

	// The state at every revision: lines grow, the discount appears, the sale completes.
	var lastStatus string
	for rev := range hist.Items {
		var st struct {
			Stream   string `json:"stream"`
			Revision int64  `json:"revision"`
			State    struct {
				Status string
				Lines  []json.RawMessage
			} `json:"state"`
			Events []eventView `json:"events"`
		}
		e.Must(http.StatusOK, "GET", fmt.Sprintf("/api/v1/audit/streams/%s/state?revision=%d", stream, rev), auditor, nil).JSON(t, &st)
		if st.Stream != stream || st.Revision != int64(rev) || len(st.Events) != rev+1 {
			t.Fatalf("state at %d: stream %s revision %d with %d events", rev, st.Stream, st.Revision, len(st.Events))
		}
		wantLines := map[int]int{0: 0, 1: 1, 2: 2}
		if n, ok := wantLines[rev]; ok && len(st.State.Lines) != n {
			t.Fatalf("state at %d has %d lines, want %d", rev, len(st.State.Lines), n)
		}
		if rev == 0 && st.State.Status != "open" {
			t.Fatalf("state at 0 is %q", st.State.Status)
		}
		lastStatus = st.State.Status
	}
	if lastStatus != "completed" {
		t.Fatalf("final state %q, want completed", lastStatus)
	}
	// The partial return is its own stream, tied to the request by its correlation ID.
	var returns listView
	e.Must(http.StatusOK, "GET", "/api/v1/audit/events?category=return&limit=500", auditor, nil).JSON(t, &returns)
	if len(returns.Items) == 0 || returns.Items[0].Metadata.CorrelationID != "corr-return" || returns.Items[0].Metadata.UserID != cashierID {
		t.Fatalf("return events: %+v", returns.Items)
	}
	// As of before the sale existed: no events.
	var before struct {
		Revision int64 `json:"revision"`
		Events   []any `json:"events"`
	}
	at := url.QueryEscape(hist.Items[0].RecordedAt.Add(-time.Second).Format(time.RFC3339Nano))
	e.Must(http.StatusOK, "GET", "/api/v1/audit/streams/"+stream+"/state?at="+at, auditor, nil).JSON(t, &before)
	if before.Revision != -1 || len(before.Events) != 0 {
		t.Fatalf("state before the sale: %+v", before)
	}
	var diff struct {
		Events  []eventView `json:"events"`
		Changes []struct {
			Op, Path string
		} `json:"changes"`
	}
	e.Must(http.StatusOK, "GET", "/api/v1/audit/streams/"+stream+"/diff?from=0&to=1", auditor, nil).JSON(t, &diff)
	if len(diff.Events) != 1 || len(diff.Changes) == 0 {
		t.Fatalf("diff 0→1: %+v", diff)
	}

	// The feed, filtered by user and category, and by the store's time.
	var feed listView
	e.Must(http.StatusOK, "GET", "/api/v1/audit/events?category=sale&user_id="+cashierID+"&limit=2", auditor, nil).JSON(t, &feed)
	if len(feed.Items) != 2 || feed.NextCursor == "" {
		t.Fatalf("paged feed: %+v", feed)
	}
	var rest listView
	e.Must(http.StatusOK, "GET", "/api/v1/audit/events?category=sale&user_id="+cashierID+"&limit=500&cursor="+feed.NextCursor, auditor, nil).JSON(t, &rest)
	if len(feed.Items)+len(rest.Items) != len(hist.Items) || rest.NextCursor != "" {
		t.Fatalf("feed has %d+%d sale events of the cashier, stream has %d", len(feed.Items), len(rest.Items), len(hist.Items))
	}
	var offline listView
	from := url.QueryEscape(time.Now().Add(-2 * time.Hour).Format(time.RFC3339))
	to := url.QueryEscape(time.Now().Add(-30 * time.Minute).Format(time.RFC3339))
	e.Must(http.StatusOK, "GET", "/api/v1/audit/events?time=occurred&stream="+stream+"&from="+from+"&to="+to, auditor, nil).JSON(t, &offline)
	if len(offline.Items) == 0 || offline.Items[0].Revision != 0 {
		t.Fatalf("occurred-time filter did not find the offline opening: %+v", offline)
	}
	e.Must(http.StatusOK, "GET", "/api/v1/audit/events?time=recorded&stream="+stream+"&from="+from+"&to="+to, auditor, nil).JSON(t, &offline)
	if len(offline.Items) != 0 {
		t.Fatalf("recorded-time filter found %d events recorded before they were uploaded", len(offline.Items))
	}
	e.Must(http.StatusBadRequest, "GET", "/api/v1/audit/events?time=yesterday&limit=0", auditor, nil)

	var rep struct {
		OK     bool   `json:"ok"`
		Events uint64 `json:"events_checked"`
	}
	e.Must(http.StatusOK, "GET", "/api/v1/audit/verify", auditor, nil).JSON(t, &rep)
	if !rep.OK || rep.Events < uint64(len(hist.Items)) {
		t.Fatalf("verify: %+v", rep)
	}
	// A seal an auditor kept (posd logs and exports every seal) is checked against the log; a
	// malformed one is the client's mistake, one the key did not make is a broken report.
	e.Must(http.StatusBadRequest, "GET", "/api/v1/audit/verify?expect=posseal1:12:nonsense", auditor, nil)
	var held struct {
		OK     bool `json:"ok"`
		Broken struct {
			Problem string `json:"problem"`
		} `json:"broken"`
	}
	notMadeByTheKey := "posseal1:1:1:" + strings.Repeat("0", 64) + ":" + strings.Repeat("0", 64)
	e.Must(http.StatusOK, "GET", "/api/v1/audit/verify?expect="+notMadeByTheKey, auditor, nil).JSON(t, &held)
	if held.OK || held.Broken.Problem != evaudit.ProblemExpectedMAC {
		t.Fatalf("verify with a seal the key did not make: %+v", held)
	}

	// Every look was recorded, with who looked at what.
	var log listView
	e.Must(http.StatusOK, "GET", "/api/v1/audit/events?category=auditlog&limit=500", e.AdminToken, nil).JSON(t, &log)
	var mine int
	for _, ev := range log.Items {
		var q auditapi.QueryPerformed
		if err := json.Unmarshal(ev.Data, &q); err != nil || ev.Type != auditapi.TypeQueryPerformed {
			t.Fatalf("audit log event %s: %s", ev.Type, ev.Data)
		}
		if q.UserID == auditorID && ev.Metadata.UserID == auditorID {
			mine++
		}
	}
	if want := len(hist.Items) + 12; mine != want {
		t.Fatalf("%d recorded queries of the auditor, want %d", mine, want)
	}
}
