package commands

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/domain/rules"
	"github.com/odata-pos/pos/eventstore"
)

// Unique keys of the master data. Each is a reservation stream ("reservation-<key>") whose
// owner is the entity's ID. Codes and SKUs are compared without regard to case (the key holds
// the upper-cased form), barcodes exactly as scanned.

// StoreCodeKey is the reservation key that makes a store code unique in the chain.
func StoreCodeKey(code string) string { return "store-code:" + foldCode(code) }

// RegisterCodeKey is the reservation key that makes a register code unique within its store.
func RegisterCodeKey(storeID uuid.UUID, code string) string {
	return "register-code:" + storeID.String() + ":" + foldCode(code)
}

// TaxCodeKey is the reservation key that makes a tax code unique.
func TaxCodeKey(code string) string { return "tax-code:" + foldCode(code) }

// SKUKey is the reservation key that makes a SKU unique.
func SKUKey(sku string) string { return "sku:" + foldCode(sku) }

// BarcodeKey is the reservation key that makes a barcode unique across products.
func BarcodeKey(barcode string) string { return "barcode:" + barcode }

func foldCode(code string) string { return strings.ToUpper(code) }

// uniqueKey is one key an entity must hold, with the label a duplicate error shows.
type uniqueKey struct {
	key   string
	label string
}

// createUnique runs a creating command whose entity must hold keys. It claims every key for
// owner (in sorted order, so two creators racing for overlapping keys cannot both fail), then
// appends the creating events. When a key is taken it releases what it claimed and returns
// rules.ErrDuplicate naming the key. When the create is refused by a rule, it releases the keys
// the stream's entity does not hold. On other errors (the store unavailable, a timeout) the
// claims stay: the append may have happened, and a retry with the same ID completes the
// command. An entity that already exists is not claimed for again: its decider says whether
// the command is a replay (no-op) or a reuse of the ID (rules.ErrAlreadyExists).
func createUnique[S, E any](ctx context.Context, h *Handler, cmd Context, stream string, agg Aggregate[S, E],
	owner string, keys []uniqueKey, held func(S) []string, decide func(S) ([]E, error)) (Outcome[S], error) {
	if cmd.ID == "" {
		return Outcome[S]{}, ErrMissingCommandID
	}
	loaded, err := Load(ctx, h, stream, agg)
	if err != nil {
		return Outcome[S]{}, err
	}
	if loaded.Exists {
		// Judge the command against the entity as it was created, so a retry still replays
		// after later changes and the same ID with other data is refused.
		created, err := createdState(ctx, h, stream, agg)
		if err != nil {
			return Outcome[S]{}, err
		}
		if _, err := decide(created); err != nil {
			return Outcome[S]{}, err
		}
		return run(ctx, h, stream, agg, cmd, decide)
	}
	keys = slices.Clone(keys)
	slices.SortFunc(keys, func(a, b uniqueKey) int { return strings.Compare(a.key, b.key) })
	keys = slices.CompactFunc(keys, func(a, b uniqueKey) bool { return a.key == b.key })
	// Claims and releases carry a per-attempt suffix in their command ID: a key released by a
	// failed attempt must be claimed again by a retry, not "replayed" as still claimed. Claims
	// stay idempotent without it (claiming a key one holds is a no-op).
	attempt := cmd
	attempt.ID = cmd.ID + "|" + uuid.NewString()
	var claimed []string
	for _, k := range keys {
		if _, err := Claim(ctx, h, attempt, k.key, owner); err != nil {
			releaseUnheld(ctx, h, attempt, stream, agg, owner, claimed, held)
			if errors.Is(err, rules.ErrDuplicate) {
				return Outcome[S]{}, rules.ErrDuplicate.With(k.label)
			}
			return Outcome[S]{}, err
		}
		claimed = append(claimed, k.key)
	}
	out, err := run(ctx, h, stream, agg, cmd, decide)
	if err != nil {
		var rerr *rules.RuleError
		var verr *rules.ValidationError
		if errors.As(err, &rerr) || errors.As(err, &verr) {
			releaseUnheld(ctx, h, attempt, stream, agg, owner, claimed, held)
		}
		return Outcome[S]{}, err
	}
	return out, nil
}

// releaseUnheld gives up the claimed keys that the entity of stream does not hold, best
// effort: a key that cannot be released now stays with owner (an entity that does not exist),
// and a retry of the creating command claims it again without conflict.
func releaseUnheld[S, E any](ctx context.Context, h *Handler, cmd Context, stream string, agg Aggregate[S, E],
	owner string, claimed []string, held func(S) []string) {
	if len(claimed) == 0 {
		return
	}
	loaded, err := Load(ctx, h, stream, agg)
	if err != nil {
		return
	}
	var keep []string
	if loaded.Exists {
		keep = held(loaded.State)
	}
	for _, key := range claimed {
		if !slices.Contains(keep, key) {
			_, _ = Release(ctx, h, cmd, key, owner)
		}
	}
}

// createdState folds the first event of stream only: the entity as it was created.
func createdState[S, E any](ctx context.Context, h *Handler, stream string, agg Aggregate[S, E]) (S, error) {
	page, err := h.store.ReadStream(ctx, stream, eventstore.Forwards, 0, 1)
	if err != nil {
		return agg.Initial(), err
	}
	return agg.Fold(h.codec, page)
}
