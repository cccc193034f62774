package reports

import (
	"sync"
	"time"
	_ "time/tzdata" // zone rules even on machines without a zone database

	"github.com/odata-pos/pos/domain"
	"github.com/odata-pos/pos/domain/catalog"
	"github.com/odata-pos/pos/domain/returns"
	"github.com/odata-pos/pos/domain/sale"
	"github.com/odata-pos/pos/domain/shift"
	"github.com/odata-pos/pos/domain/stock"
	"github.com/odata-pos/pos/domain/store"
	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/projections"
)

// Name is the projection's name and the stable schema analysts query ("reports.sales_daily").
const Name = "reports"

// Version is bumped whenever the tables or the fold change; the runner then rebuilds them.
const Version = 2 // 2: (store_id, day) indexes on every per-store report table

// AnalystRole is the read-only PostgreSQL role that may SELECT the views of schema Name.
const AnalystRole = "pos_analyst"

// Projection folds sales, returns, stock and shift events into the report tables.
type Projection struct {
	codec *eventstore.Codec

	mu     sync.Mutex
	zones  map[string]*time.Location // time zone name → location; names are facts, so safe to cache
	caches []*masterCache            // master data read per schema, least recently used first
}

// New returns the report projection.
func New() *Projection {
	c := eventstore.NewCodec()
	domain.RegisterWriteSide(c)
	return &Projection{codec: c, zones: map[string]*time.Location{}}
}

// All returns the projections of this package, for the runner of cmd/posd:
// projections.Config{Projections: append(other, reports.All()...)}.
func All() []projections.Projection {
	return []projections.Projection{New()}
}

// Name returns Name.
func (p *Projection) Name() string { return Name }

// Version returns Version.
func (p *Projection) Version() int { return Version }

// eventTypes are the events the fold reads.
var eventTypes = []string{
	store.TypeStoreCreated,
	catalog.TypeProductCreated,
	sale.TypeSaleCompleted,
	returns.TypeReturnRecorded,
	stock.TypeStockMoved,
	stock.TypeStockCounted,
	shift.TypeShiftOpened,
	shift.TypeCashMovementRecorded,
	shift.TypeCashSaleRecorded,
	shift.TypeCashRefundRecorded,
	shift.TypeShiftClosed,
}

// Filter selects the events the fold reads (by exact type name).
func (p *Projection) Filter() eventstore.Filter {
	return eventstore.Filter{Types: eventTypes}
}

// zone returns the location of a time zone name, UTC for an empty or unknown one.
func (p *Projection) zone(name string) *time.Location {
	p.mu.Lock()
	defer p.mu.Unlock()
	if loc, ok := p.zones[name]; ok {
		return loc
	}
	loc, err := time.LoadLocation(name)
	if err != nil || name == "" {
		loc = time.UTC
	}
	p.zones[name] = loc
	return loc
}
