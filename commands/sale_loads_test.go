package commands_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/domain/catalog"
	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/taxcode"
)

// TestASaleTakesTheTaxCodeItsProductWasCreatedWith: a sale reads the tax code it remembers
// for a product together with the product; when that guess is not the product's code (the
// memory is a guess, see taxCodeIDs), the line still takes its product's own code and rate,
// read after it (here STD, which no guess names).
func TestASaleTakesTheTaxCodeItsProductWasCreatedWith(t *testing.T) {
	w := newSaleWorld(t)
	ctx, now := context.Background(), time.Now()
	reduced, cake := uuid.New(), uuid.New()
	if _, err := commands.Claim(ctx, w.h, commands.Context{ID: "tax-red"}, commands.TaxCodeKey("RED"), reduced.String()); err != nil {
		t.Fatal(err)
	}
	if err := run(ctx, w.h, commands.TaxCodeStream(reduced), commands.TaxCodeAggregate, func(s taxcode.State) ([]taxcode.Event, error) {
		return taxcode.Decide(s, taxcode.CreateTaxCode{TaxCodeID: reduced, Code: "RED", RateBP: 600}, now)
	}); err != nil {
		t.Fatal(err)
	}
	if err := run(ctx, w.h, commands.ProductStream(cake), commands.ProductAggregate, func(s catalog.State) ([]catalog.Event, error) {
		return catalog.Decide(s, catalog.CreateProduct{ProductID: cake, SKU: "C", Name: "Cake", Price: money.New(450, "EUR"), TaxCode: "RED"}, now)
	}); err != nil {
		t.Fatal(err)
	}
	rates := func(c commands.CreateSale) []int64 {
		t.Helper()
		res, err := w.sales.Create(ctx, commands.Context{ID: "sale:" + c.SaleID.String(), UserID: "u"}, c)
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, l := range res.Sale.State.Lines {
			out = append(out, l.TaxRateBP)
		}
		return out
	}
	both := w.cashSale()
	both.Lines = append(both.Lines, commands.SaleLine{LineID: uuid.New(), ProductID: cake, Quantity: 1000})
	both.Payments = nil
	if got := rates(both); len(got) != 2 || got[0] != 2100 || got[1] != 600 {
		t.Fatalf("first sale: rates %v, want [2100 600]", got)
	}
	w.sales.GuessTaxCode(w.bread, "RED")
	w.sales.GuessTaxCode(cake, "RED")
	again := w.cashSale()
	again.Lines = append(again.Lines, commands.SaleLine{LineID: uuid.New(), ProductID: cake, Quantity: 1000})
	again.Payments = nil
	if got := rates(again); len(got) != 2 || got[0] != 2100 || got[1] != 600 {
		t.Fatalf("sale after wrong guesses: rates %v, want [2100 600]", got)
	}
}
