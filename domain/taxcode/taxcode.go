package taxcode

import (
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/domain/rules"
	"github.com/odata-pos/pos/domain/tax"
)

// Event type names.
const (
	TypeTaxCodeCreated = "tax.tax_code_created.v1"
	TypeTaxRateChanged = "tax.rate_changed.v1"
)

// Event is a tax code event.
type Event interface{ EventType() string }

// TaxCodeCreated records a new tax code.
type TaxCodeCreated struct {
	TaxCodeID uuid.UUID `json:"tax_code_id"`
	Code      string    `json:"code"`
	Name      string    `json:"name"`
	RateBP    int64     `json:"rate_bp"`
	CreatedAt time.Time `json:"created_at"`
}

// TaxRateChanged records a new rate from EffectiveAt on.
type TaxRateChanged struct {
	TaxCodeID   uuid.UUID `json:"tax_code_id"`
	OldRateBP   int64     `json:"old_rate_bp"`
	RateBP      int64     `json:"rate_bp"`
	EffectiveAt time.Time `json:"effective_at"`
}

// EventType returns TypeTaxCodeCreated.
func (TaxCodeCreated) EventType() string { return TypeTaxCodeCreated }

// EventType returns TypeTaxRateChanged.
func (TaxRateChanged) EventType() string { return TypeTaxRateChanged }

// Register makes the tax code events known to r.
func Register(r rules.Registry) {
	r.Register(TypeTaxCodeCreated, TaxCodeCreated{})
	r.Register(TypeTaxRateChanged, TaxRateChanged{})
}

// Command is a tax code command.
type Command interface{ isCommand() }

// CreateTaxCode defines a tax code. Code uniqueness is a reservation of the commands layer.
type CreateTaxCode struct {
	TaxCodeID uuid.UUID
	Code      string
	Name      string
	RateBP    int64
}

// ChangeRate sets a new rate from EffectiveAt (zero: now) on.
type ChangeRate struct {
	RateBP      int64
	EffectiveAt time.Time
}

func (CreateTaxCode) isCommand() {}
func (ChangeRate) isCommand()    {}

// RatePeriod is a rate in force from From on.
type RatePeriod struct {
	From   time.Time
	RateBP int64
}

// State is a tax code as decided upon.
type State struct {
	ID    uuid.UUID
	Code  string
	Name  string
	Rates []RatePeriod // ascending by From
}

// Exists reports whether the code was created.
func (s State) Exists() bool { return s.ID != uuid.Nil }

// RateBP returns the current (latest) rate.
func (s State) RateBP() int64 {
	if len(s.Rates) == 0 {
		return 0
	}
	return s.Rates[len(s.Rates)-1].RateBP
}

// RateAt returns the rate in force at t (the first rate when t precedes every change).
func (s State) RateAt(t time.Time) int64 {
	r := int64(0)
	for i, p := range s.Rates {
		if i == 0 || !p.From.After(t) {
			r = p.RateBP
		}
	}
	return r
}

// Decide handles tax code commands.
func Decide(s State, c Command, now time.Time) ([]Event, error) {
	switch c := c.(type) {
	case CreateTaxCode:
		var v rules.Validator
		v.Text("code", c.Code, rules.MaxCode)
		v.Text("name", c.Name, rules.MaxName)
		v.Check(c.TaxCodeID != uuid.Nil, "id", "is required")
		v.Check(c.Code != "", "code", "is required")
		v.Check(tax.ValidRate(c.RateBP), "rate_bp", "must be between 0 and 10000")
		if err := v.Err(); err != nil {
			return nil, err
		}
		if s.Exists() {
			if s.Code == c.Code && s.Name == c.Name && len(s.Rates) == 1 && s.Rates[0].RateBP == c.RateBP {
				return nil, nil
			}
			return nil, rules.ErrAlreadyExists
		}
		return []Event{TaxCodeCreated{TaxCodeID: c.TaxCodeID, Code: c.Code, Name: c.Name, RateBP: c.RateBP, CreatedAt: now}}, nil
	case ChangeRate:
		if !s.Exists() {
			return nil, rules.ErrNotFound
		}
		if !tax.ValidRate(c.RateBP) {
			return nil, &rules.ValidationError{Fields: []rules.FieldError{{Field: "rate_bp", Message: "must be between 0 and 10000"}}}
		}
		at := c.EffectiveAt
		if at.IsZero() {
			at = now
		}
		if last := s.Rates[len(s.Rates)-1]; at.Before(last.From) {
			return nil, &rules.ValidationError{Fields: []rules.FieldError{{Field: "effective_at", Message: "must not precede the last change"}}}
		}
		return []Event{TaxRateChanged{TaxCodeID: s.ID, OldRateBP: s.RateBP(), RateBP: c.RateBP, EffectiveAt: at}}, nil
	}
	return nil, rules.ErrUnknownCommand
}

// Evolve applies e to s.
func Evolve(s State, e Event) State {
	switch e := e.(type) {
	case TaxCodeCreated:
		s = State{ID: e.TaxCodeID, Code: e.Code, Name: e.Name, Rates: []RatePeriod{{e.CreatedAt, e.RateBP}}}
	case TaxRateChanged:
		s.Rates = append(s.Rates[:len(s.Rates):len(s.Rates)], RatePeriod{e.EffectiveAt, e.RateBP})
	}
	return s
}
