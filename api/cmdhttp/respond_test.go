package cmdhttp_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/odata-pos/pos/api/cmdhttp"
	"github.com/odata-pos/pos/api/httpx"
	"github.com/odata-pos/pos/commands"
)

// TestAfterAppendNeverTurnsADoneCommandIntoA5xx: issue 11.1's paid in answered 500 after its
// event was stored, because rendering the shift failed. A render failure after the append now
// answers the command's status with the id and where its events landed, and is logged.
func TestAfterAppendNeverTurnsADoneCommandIntoA5xx(t *testing.T) {
	var logs bytes.Buffer
	rs := httpx.NewResponder(slog.New(slog.NewTextHandler(&logs, nil)))
	res := commands.Result{Stream: "shift-1", Exists: true, Revision: 3, Position: 42}
	w := httptest.NewRecorder()
	r := httptest.NewRequest(http.MethodPost, "/api/v1/shifts/1/cash-movements", nil)
	cmdhttp.AfterAppend(rs, w, r, http.StatusCreated, res, "1", func() (any, error) { return nil, errors.New("money: amount overflows") })
	var body cmdhttp.Accepted
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
		t.Fatal(err)
	}
	if w.Code != http.StatusCreated || body.ID != "1" || body.Revision != 3 || body.Position != 42 || w.Header().Get(cmdhttp.HeaderETag) == "" {
		t.Fatalf("answer = %d %s %v", w.Code, w.Body, w.Header())
	}
	if !strings.Contains(logs.String(), "amount overflows") || !strings.Contains(logs.String(), "position=42") {
		t.Fatalf("log = %q, want the cause and the position", logs.String())
	}

	w = httptest.NewRecorder()
	cmdhttp.AfterAppend(rs, w, r, http.StatusOK, res, "1", func() (any, error) { return map[string]string{"status": "open"}, nil })
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"open"`) {
		t.Fatalf("rendered answer = %d %s", w.Code, w.Body)
	}
}
