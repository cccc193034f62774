package taxcode

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/domain/internal/gwt"
	"github.com/odata-pos/pos/domain/rules"
)

var decider = gwt.Decider[State, Command, Event]{Decide: Decide, Evolve: Evolve}

func TestDecide(t *testing.T) {
	id := uuid.MustParse("00000000-0000-0000-0000-0000000000c1")
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	t1 := t0.AddDate(0, 6, 0)
	created := TaxCodeCreated{TaxCodeID: id, Code: "VAT_HIGH", Name: "VAT 21%", RateBP: 2100, CreatedAt: t0}
	gwt.Run(t, decider, t1, []gwt.Case[Command, Event]{
		{Name: "a tax code is created", When: CreateTaxCode{id, "VAT_HIGH", "VAT 21%", 2100}, Then: []Event{TaxCodeCreated{id, "VAT_HIGH", "VAT 21%", 2100, t1}}},
		{Name: "rates are basis points between 0 and 10000", When: CreateTaxCode{id, "X", "X", 10001}, Err: rules.ErrValidation},
		{Name: "a rate change takes effect now by default", Given: []Event{created}, When: ChangeRate{RateBP: 2200}, Then: []Event{TaxRateChanged{id, 2100, 2200, t1}}},
		{Name: "a rate change cannot precede the last one", Given: []Event{created}, When: ChangeRate{RateBP: 2200, EffectiveAt: t0.Add(-time.Hour)}, Err: rules.ErrValidation},
		{Name: "changing a missing code", When: ChangeRate{RateBP: 1}, Err: rules.ErrNotFound},
	})
}

func TestRateAt(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	s := decider.Fold([]Event{TaxCodeCreated{Code: "V", RateBP: 900, CreatedAt: t0, TaxCodeID: uuid.New()}, TaxRateChanged{RateBP: 2100, EffectiveAt: t0.AddDate(0, 1, 0)}})
	if r := s.RateAt(t0.AddDate(0, 0, 10)); r != 900 {
		t.Errorf("rate before the change = %d", r)
	}
	if r := s.RateAt(t0.AddDate(0, 2, 0)); r != 2100 {
		t.Errorf("rate after the change = %d", r)
	}
}
