package quantity

// Max is the largest quantity, in absolute value, that one quantity field of a command may
// carry (a sale or return line, a receipt, an adjustment's delta, a count, a transfer line, a
// low-stock threshold): 10,000,000 units (10^10 thousandths). No till or warehouse line comes
// near it, and it keeps the read side's sums far from int64's 9.22 × 10^18 thousandths:
//
//   - a year of a large chain's units sold in one report row: about 1.3 × 10^11 items
//     (250 million transactions a week × 10 items × 52 weeks) = 1.3 × 10^14 thousandths,
//     70,000 times below the limit;
//   - one stock row only overflows after 9.2 × 10^8 movements each at Max; the stock decider
//     checks its sums (Add, Sub), so an overflow there is a refused command, never a wrong row.
//
// A line's amount (price × quantity) is bounded separately by money.MaxAmount.
const Max Quantity = 10_000_000 * Scale

// InBounds reports whether q lies within ±Max.
func (q Quantity) InBounds() bool { return q >= -Max && q <= Max }

// BoundsMessage is the message of a field beyond Max, for validation errors.
const BoundsMessage = "must be at most 10000000 in absolute value"
