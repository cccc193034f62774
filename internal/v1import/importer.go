package v1import

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/register"
	"github.com/odata-pos/pos/domain/sale"
	"github.com/odata-pos/pos/domain/store"
	"github.com/odata-pos/pos/domain/taxcode"
	"github.com/odata-pos/pos/eventstore"
)

// Source identifies the imported system in event metadata and on imported sales.
const SourceName = "v1"

// Defaults of v1 settings that a file leaves out.
const (
	DefaultCurrency = "EUR"
	DefaultTimezone = "Europe/Madrid"
)

// Options tune an import.
type Options struct {
	// File is the v1 file's path, as shown in the report.
	File string
	// StoreCode is the store the history belongs to; created from the v1 settings if missing.
	StoreCode string
	// DryRun decides everything and writes nothing.
	DryRun bool
	// Operator is the user ID recorded as importing (metadata) and as approving what v1
	// did without an approval record (price overrides, voids with payments).
	Operator string
	// Workers is how many batches of sales are decided and appended at once (default 4).
	Workers int
	// Batch is how many sales one batch appends together (default 250): in one statement on
	// PostgreSQL, as that many parallel appends on EventStoreDB.
	Batch int
	// Progress, when set, is told of every sale done, with the total.
	Progress func(done, total int)
}

// Deps are what an import writes through.
type Deps struct {
	Handler     *commands.Handler
	Credentials commands.CredentialStore
}

// Importer runs one import.
type Importer struct {
	src  *Source
	opts Options
	rep  *Report

	clock    *clock
	stores   *commands.Stores
	catalog  *commands.Catalog
	users    *commands.Users
	shifts   *commands.Shifts
	returns  *commands.Returns
	stock    *commands.Inventory
	history  *commands.History
	handler  *commands.Handler
	loc      *time.Location
	currency string

	storeID     uuid.UUID
	registerID  uuid.UUID
	taxCodes    map[int64]string // rate bp → code
	categories  map[int64]string
	products    map[int64]*product
	diffProd    *product
	cashiers    map[int64]string // v1 user id → user ID
	sales       []*v1sale
	byProductID map[string]int64

	events int64
	evMu   sync.Mutex
}

// clock is the time the command handlers decide at: the v1 time of what is imported now
// (master data is imported one command at a time, so one clock serves).
type clock struct {
	mu sync.Mutex
	at time.Time
}

func (c *clock) now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.at }
func (c *clock) set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.at = t }

// New prepares an import of src.
func New(deps Deps, src *Source, opts Options) *Importer {
	if opts.Workers <= 0 {
		opts.Workers = 4
	}
	if opts.Batch <= 0 {
		opts.Batch = 250
	}
	if opts.Operator == "" {
		opts.Operator = "v1-import"
	}
	if p := opts.Progress; p != nil {
		var mu sync.Mutex
		opts.Progress = func(done, total int) { mu.Lock(); defer mu.Unlock(); p(done, total) }
	}
	c := &clock{at: time.Now()}
	im := &Importer{src: src, opts: opts, rep: newReport(), clock: c, handler: deps.Handler,
		taxCodes: map[int64]string{}, categories: map[int64]string{}, products: map[int64]*product{}, cashiers: map[int64]string{}}
	h := deps.Handler
	im.stores = commands.NewStores(h, c.now)
	im.catalog = commands.NewCatalog(h, c.now)
	im.users = commands.NewUsers(h, deps.Credentials, c.now)
	im.shifts = commands.NewShifts(h, c.now)
	im.returns = commands.NewReturns(h, c.now, nil)
	im.stock = commands.NewInventory(h, c.now)
	im.history = commands.NewHistory(h)
	return im
}

// Import runs the whole import and returns its report. An error means the import stopped
// (the event store failed, the context ended): running it again completes it.
func Import(ctx context.Context, deps Deps, src *Source, opts Options) (*Report, error) {
	return New(deps, src, opts).Run(ctx)
}

// Run imports, in order: the store, tax codes, categories, products, users, the history
// register, the sales day by day (with their shifts and refunds), the stock, and last the
// deactivation of what v1 had deactivated.
func (im *Importer) Run(ctx context.Context) (*Report, error) {
	start := time.Now()
	r := im.rep
	r.File, r.Identity, r.StoreCode, r.DryRun = im.opts.File, im.src.Identity, im.opts.StoreCode, im.opts.DryRun
	steps := []struct {
		name string
		run  func(context.Context) error
	}{{"store", im.importStore}, {"tax codes", im.importTaxCodes}, {"categories", im.importCategories},
		{"products", im.importProducts}, {"users", im.importUsers}, {"register", im.importRegister},
		{"sales", im.importSales}, {"stock", im.importStock}, {"deactivate", im.deactivate}}
	r.StepSeconds = map[string]float64{}
	for _, step := range steps {
		began := time.Now()
		if err := step.run(ctx); err != nil {
			return r, err
		}
		r.StepSeconds[step.name] = time.Since(began).Seconds()
	}
	r.Seconds = time.Since(start).Seconds()
	if r.Seconds > 0 {
		r.SalesPerSecond = float64(len(im.src.Sales)) / r.Seconds
	}
	r.Events = im.events
	r.finish()
	return r, nil
}

// id is the deterministic ID of a v1 row (or of something the import makes of it).
func (im *Importer) id(table string, id int64, part ...string) uuid.UUID {
	return eventstore.DeterministicID(append([]string{"v1-import", im.src.Identity, table, strconv.FormatInt(id, 10)}, part...)...)
}

// cmd is the command context of importing a v1 row at its v1 time.
func (im *Importer) cmd(table string, id int64, op string, at time.Time, user string) commands.Context {
	ref := strconv.FormatInt(id, 10)
	if user == "" {
		user = im.opts.Operator
	}
	return commands.Context{ID: "v1:" + im.src.Identity + ":" + table + ":" + ref + ":" + op, CorrelationID: "v1-import:" + im.src.Identity,
		CausationID: "v1:" + table + ":" + ref, UserID: user, StoreID: im.storeIDString(), RegisterID: im.registerIDString(), OccurredAt: at,
		Extra: map[string]string{"import": SourceName, "v1_file": im.src.Identity, "v1_table": table, "v1_id": ref, "imported_by": im.opts.Operator}}
}

func (im *Importer) storeIDString() string {
	if im.storeID == uuid.Nil {
		return ""
	}
	return im.storeID.String()
}

func (im *Importer) registerIDString() string {
	if im.registerID == uuid.Nil {
		return ""
	}
	return im.registerID.String()
}

// wrote counts appended events.
func (im *Importer) wrote(res commands.Result) {
	im.evMu.Lock()
	im.events += int64(len(res.Events))
	im.evMu.Unlock()
}

// importStore finds the store by its code or creates it from the v1 settings.
func (im *Importer) importStore(ctx context.Context) error {
	s := im.src.Settings
	im.rep.read("settings", len(s))
	im.currency = s["currency"]
	if !money.ValidCurrency(im.currency) {
		if im.currency != "" {
			im.rep.list("settings", "settings", 0, OutcomeAdjusted, "currency %q is not ISO 4217: %s used", im.currency, DefaultCurrency)
		}
		im.currency = DefaultCurrency
	}
	tz := s["timezone"]
	loc, err := time.LoadLocation(tz)
	if tz == "" || err != nil {
		if tz != "" {
			im.rep.list("settings", "settings", 0, OutcomeAdjusted, "timezone %q unknown: %s used", tz, DefaultTimezone)
		}
		tz = DefaultTimezone
		if loc, err = time.LoadLocation(tz); err != nil {
			return fmt.Errorf("load time zone %s: %w", tz, err)
		}
	}
	im.loc, im.rep.Timezone, im.rep.Currency = loc, tz, im.currency
	for k := range s {
		switch k {
		case "store_name", "currency", "timezone":
			im.rep.imported("settings")
		default:
			im.rep.list("settings", "settings", 0, OutcomeListed, "key %q is not used by O'Data POS", k)
		}
	}
	name := s["store_name"]
	if name == "" {
		name = im.opts.StoreCode
	}
	owner, err := commands.Owner(ctx, im.handler, commands.StoreCodeKey(im.opts.StoreCode))
	if err != nil {
		return err
	}
	if owner != "" {
		if im.storeID, err = uuid.Parse(owner); err != nil {
			return fmt.Errorf("store %s: owner %q: %w", im.opts.StoreCode, owner, err)
		}
		if im.storeID != im.id("settings", 0, "store", im.opts.StoreCode) {
			im.rep.list("settings", "settings", 0, OutcomeListed, "store %s exists in the event store (%s): the history is imported into it", im.opts.StoreCode, im.storeID)
		}
		st, err := im.stores.Get(ctx, im.storeID)
		if err != nil {
			return err
		}
		if st.State.Currency != im.currency {
			return fmt.Errorf("store %s keeps its books in %s, the v1 file in %s", im.opts.StoreCode, st.State.Currency, im.currency)
		}
		im.rep.StoreID = im.storeID.String()
		return nil
	}
	im.storeID = im.id("settings", 0, "store", im.opts.StoreCode)
	im.rep.StoreID = im.storeID.String()
	settings := store.DefaultSettings()
	settings.PricesIncludeTax = true // v1 prices include tax
	c := store.CreateStore{StoreID: im.storeID, Code: im.opts.StoreCode, Name: name, Currency: im.currency, Timezone: tz, Settings: settings}
	if im.opts.DryRun {
		_, err := store.Decide(store.State{}, c, time.Now())
		return err
	}
	res, err := im.stores.Create(ctx, im.cmd("settings", 0, "store", time.Time{}, ""), c)
	im.wrote(res.Result)
	return err
}

// taxCodeOf names the tax code of a v1 rate ("V1-21", "V1-10.5").
func taxCodeOf(bp int64) string {
	return "V1-" + strconv.FormatFloat(float64(bp)/100, 'f', -1, 64)
}

// importTaxCodes creates a tax code for every rate v1 used (products and sale items), and
// the 0 % one that difference lines use.
func (im *Importer) importTaxCodes(ctx context.Context) error {
	rates := map[int64]bool{0: true}
	for _, p := range im.src.Products {
		rates[rateBP(p.TaxRate)] = true
	}
	for _, it := range im.src.Items {
		rates[rateBP(it.TaxRate)] = true
	}
	im.rep.read("tax codes", len(rates))
	for bp := range rates {
		code := taxCodeOf(bp)
		im.taxCodes[bp] = code
		c := taxcode.CreateTaxCode{TaxCodeID: im.id("tax_rate", bp), Code: code, Name: fmt.Sprintf("v1 rate %s %%", strconv.FormatFloat(float64(bp)/100, 'f', -1, 64)), RateBP: bp}
		if im.opts.DryRun {
			if _, err := taxcode.Decide(taxcode.State{}, c, time.Now()); err != nil {
				im.rep.list("tax codes", "products", 0, OutcomeRefused, "rate %d bp: %v", bp, err)
				continue
			}
			rate, clash, err := im.taxCodeClash(ctx, code, bp)
			if err != nil {
				return err
			}
			if clash {
				im.rep.list("tax codes", "products", 0, OutcomeRefused, "tax code %s exists in the event store with rate %d bp, not %d bp: the import would stop here", code, rate, bp)
				continue
			}
			im.rep.imported("tax codes")
			continue
		}
		existing, err := im.catalog.TaxCodeByCode(ctx, code)
		if err == nil && existing.State.RateBP() == bp {
			im.rep.imported("tax codes")
			continue
		}
		res, err := im.catalog.CreateTaxCode(ctx, im.cmd("tax_rate", bp, "create", time.Time{}, ""), c)
		im.wrote(res.Result)
		if err != nil {
			return fmt.Errorf("tax code %s: %w", code, err)
		}
		im.rep.imported("tax codes")
	}
	return nil
}

// importCategories maps v1 category IDs to names (a category is a product attribute here).
func (im *Importer) importCategories(context.Context) error {
	im.rep.read("categories", len(im.src.Categories))
	for _, c := range im.src.Categories {
		im.categories[c.ID] = c.Name
		im.rep.imported("categories")
	}
	return nil
}

// importRegister creates the register reserved for the imported history.
func (im *Importer) importRegister(ctx context.Context) error {
	im.registerID = im.id("settings", 0, "register", im.opts.StoreCode)
	c := register.CreateRegister{RegisterID: im.registerID, StoreID: im.storeID, Code: "V1-HISTORY", Name: "v1 history (imported)", History: true}
	if im.opts.DryRun {
		if _, err := register.Decide(register.State{}, c, time.Now()); err != nil {
			return err
		}
		owner, err := im.heldBy(ctx, commands.RegisterCodeKey(im.storeID, c.Code), im.registerID)
		if owner != "" {
			im.rep.list("register", "settings", 0, OutcomeRefused, "register code %s of store %s is held by register %s: the import would stop here", c.Code, im.opts.StoreCode, owner)
		}
		return err
	}
	res, err := im.stores.CreateRegister(ctx, im.cmd("settings", 0, "register", time.Time{}, ""), c)
	im.wrote(res.Result)
	if err != nil {
		return fmt.Errorf("history register: %w", err)
	}
	return nil
}

// storeInfo is the sale's view of the store.
func (im *Importer) storeInfo() sale.StoreInfo {
	return sale.StoreInfo{ID: im.storeID, Currency: im.currency, PricesIncludeTax: true, Rounding: money.HalfUp}
}

// ProductID is the ID the import gives the v1 product v1ID of the file with identity (the
// SHA-256 of its bytes, Source.Identity).
func ProductID(identity string, v1ID int64) uuid.UUID {
	return (&Importer{src: &Source{Identity: identity}}).id("products", v1ID)
}
