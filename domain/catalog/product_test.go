package catalog

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/domain/internal/gwt"
	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/quantity"
	"github.com/odata-pos/pos/domain/rules"
)

var (
	decider = gwt.Decider[State, Command, Event]{Decide: Decide, Evolve: Evolve}
	t0      = time.Date(2025, 1, 1, 9, 0, 0, 0, time.UTC)
	pid     = uuid.MustParse("00000000-0000-0000-0000-0000000000f1")
)

func TestDecide(t *testing.T) {
	create := CreateProduct{ProductID: pid, SKU: "APL-1", Barcodes: []string{"871"}, Name: "Apples", Category: "fruit", Price: money.New(299, "EUR"), TaxCode: "VAT_LOW", TrackStock: true, SoldByWeight: true}
	created := ProductCreated{ProductID: pid, SKU: "APL-1", Barcodes: []string{"871"}, Name: "Apples", Category: "fruit", Price: money.New(299, "EUR"), TaxCode: "VAT_LOW", TrackStock: true, SoldByWeight: true, CreatedAt: t0}
	huge, tooMany := money.New(math.MaxInt64, "EUR"), quantity.Max+1
	gwt.Run(t, decider, t0, []gwt.Case[Command, Event]{
		{Name: "a product is created", When: create, Then: []Event{created}},
		{Name: "creating it again is a no-op", Given: []Event{created}, When: create},
		{Name: "creating another product under the id conflicts", Given: []Event{created}, When: CreateProduct{ProductID: pid, SKU: "X", Name: "X", TaxCode: "V", Price: money.New(1, "EUR")}, Err: rules.ErrAlreadyExists},
		{Name: "a product needs sku, name, tax code and a valid price", When: CreateProduct{ProductID: pid, Price: money.New(-1, "eur")}, Err: rules.ErrValidation},
		{Name: "a barcode cannot be listed twice", When: CreateProduct{ProductID: pid, SKU: "A", Name: "A", TaxCode: "V", Price: money.New(1, "EUR"), Barcodes: []string{"1", "1"}}, Err: rules.ErrValidation},
		{Name: "a price change records old and new", Given: []Event{created}, When: ChangePrice{Price: money.New(349, "EUR")}, Then: []Event{ProductPriceChanged{pid, money.New(299, "EUR"), money.New(349, "EUR"), t0}}},
		{Name: "a price in another currency is refused", Given: []Event{created}, When: ChangePrice{Price: money.New(349, "USD")}, Err: rules.ErrValidation},
		{Name: "deactivation", Given: []Event{created}, When: Deactivate{Reason: "recalled"}, Then: []Event{ProductDeactivated{pid, "recalled", t0}}},
		{Name: "deactivating twice is a no-op", Given: []Event{created, ProductDeactivated{pid, "", t0}}, When: Deactivate{}},
		{Name: "reactivation", Given: []Event{created, ProductDeactivated{pid, "", t0}}, When: Reactivate{}, Then: []Event{ProductReactivated{pid, t0}}},
		{Name: "commands on a missing product", When: Deactivate{}, Err: rules.ErrNotFound},
		// Text: the limits of codes and names, no control characters.
		{Name: "an overlong sku is refused", When: CreateProduct{ProductID: pid, SKU: strings.Repeat("S", rules.MaxCode+1), Name: "A", TaxCode: "V", Price: money.New(1, "EUR")}, Err: rules.ErrValidation},
		{Name: "a control character in a name is refused", When: CreateProduct{ProductID: pid, SKU: "A", Name: "line\nbreak", TaxCode: "V", Price: money.New(1, "EUR")}, Err: rules.ErrValidation},
		{Name: "too many barcodes are refused", When: CreateProduct{ProductID: pid, SKU: "A", Name: "A", TaxCode: "V", Price: money.New(1, "EUR"), Barcodes: make([]string, MaxBarcodes+1)}, Err: rules.ErrValidation},
		{Name: "a product needs a price", When: CreateProduct{ProductID: pid, SKU: "A", Name: "A", TaxCode: "V"}, Err: rules.ErrValidation},
		{Name: "a price change needs a price", Given: []Event{created}, When: ChangePrice{}, Err: rules.ErrValidation},
		{Name: "an overlong deactivation reason is refused", Given: []Event{created}, When: Deactivate{Reason: strings.Repeat("r", rules.MaxReason+1)}, Err: rules.ErrValidation},
		// Bounds (issue 11.1).
		{Name: "a price beyond money.MaxAmount is refused", When: CreateProduct{ProductID: pid, SKU: "A", Name: "A", TaxCode: "V", Price: money.New(money.MaxAmount+1, "EUR")}, Err: rules.ErrValidation},
		{Name: "a cost beyond money.MaxAmount is refused", When: CreateProduct{ProductID: pid, SKU: "A", Name: "A", TaxCode: "V", Price: money.New(1, "EUR"), Cost: &huge}, Err: rules.ErrValidation},
		{Name: "a low-stock threshold beyond quantity.Max is refused", When: CreateProduct{ProductID: pid, SKU: "A", Name: "A", TaxCode: "V", Price: money.New(1, "EUR"), LowStockThreshold: &tooMany}, Err: rules.ErrValidation},
		{Name: "a price change beyond money.MaxAmount is refused", Given: []Event{created}, When: ChangePrice{Price: huge}, Err: rules.ErrValidation},
	})
}

func TestPriceAndActivityAt(t *testing.T) {
	s := decider.Fold([]Event{
		ProductCreated{ProductID: pid, Price: money.New(100, "EUR"), CreatedAt: t0},
		ProductPriceChanged{ProductID: pid, Price: money.New(120, "EUR"), EffectiveAt: t0.Add(2 * time.Hour)},
		ProductDeactivated{ProductID: pid, At: t0.Add(4 * time.Hour)},
	})
	if p := s.PriceAt(t0.Add(time.Hour)); p.Amount != 100 {
		t.Errorf("price an hour in = %v, want the old price", p)
	}
	if p := s.PriceAt(t0.Add(3 * time.Hour)); p.Amount != 120 {
		t.Errorf("price three hours in = %v", p)
	}
	if !s.ActiveAt(t0.Add(3*time.Hour)) || s.ActiveAt(t0.Add(5*time.Hour)) || s.Active() {
		t.Error("activity history wrong")
	}
}
