// Package commands turns validated client commands into events. Every handler has one shape
// (Execute): read the aggregate's stream, fold it, run the pure decider, append the new events
// with the expected revision, and retry a bounded number of times when another writer got there
// first. Event IDs are derived from the command's ID, so a retried command — after a lost
// response, a timeout or a crash — writes its events once and gets the original result back,
// without depending on Redis.
//
// A command method returns what it wrote and the aggregate as it left it (Outcome, SaleResult),
// so a caller renders that state instead of reading the stream again. The deciders judge the
// whole command, field problems included; callers do not pre-validate.
//
// The package imports the domain and the eventstore interface only; stores, HTTP and Redis are
// adapters, wired by internal/services for cmd/posd and posctl.
package commands
