// Package e2e holds the end-to-end tests: a real posd binary, built by TestMain and run as a
// subprocess against PostgreSQL and Redis (and the in-process EventStoreDB emulator), driven
// over HTTP the way POS clients drive it.
//
//   - TestADayInAStore: a day in a store (back office, shift, cart/one-shot/split-tender sales,
//     returns with and without receipt, a count, a transfer, the close with over/short and the
//     reports), every number checked, on the PostgreSQL and the EventStoreDB backends.
//   - TestKilledProjectorEndsWithTheSameTables: a projector killed with SIGKILL while catching up
//     ends with the same read-model and report tables as one never interrupted.
//
// Needs PostgreSQL (POS_TEST_DATABASE_URL, see internal/pgtest) and Redis on 127.0.0.1:6379.
package e2e
