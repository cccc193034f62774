package money

// MaxAmount is the largest amount, in minor units and in absolute value, that one money field
// of a command may carry (a price, a cost, a payment, a refund, a float, a paid in or out, a
// counted cash, a discount) and that one document may reach (a sale line, a sale's or a
// return's total, a shift's running cash figures). It is 10^11 minor units: 1,000,000,000.00
// in a two-decimal currency (EUR, USD, and IDR as ISO 4217 counts it), 100,000,000,000 in a
// zero-decimal one (JPY, KRW, VND: about 4 million USD in VND). No till takes that in one
// field, and it keeps every sum of the read side far from int64's 9.22 × 10^18:
//
//   - a year of a large chain in one report row: 10,000 stores × 10,000 sales a day × 366 days
//     = 3.7 × 10^10 sales; at an average 10^5 minor units (1,000 IDR or 100 USD) that is
//     3.7 × 10^15, and a year of a real chain in the most minor units (Indonesia's largest
//     retailers: about 10^14 IDR = 10^16 minor units) leaves 900 times headroom;
//   - one row only overflows after 9.2 × 10^7 documents each at MaxAmount, far beyond any
//     real row; sums that could still meet it are checked (Add, and the projections' checked
//     SQL sums), an overflow there is a clear error, never a panic.
const MaxAmount int64 = 100_000_000_000

// InBounds reports whether m's amount lies within ±MaxAmount.
func (m Money) InBounds() bool { return m.Amount >= -MaxAmount && m.Amount <= MaxAmount }

// BoundsMessage is the message of a field beyond MaxAmount, for validation errors.
const BoundsMessage = "must be at most 100000000000 minor units in absolute value"
