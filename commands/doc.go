// Package commands turns validated client commands into events. Every handler has one shape
// (Execute): read the aggregate's stream, fold it, run the pure decider, append the new events
// with the expected revision, and retry a bounded number of times when another writer got there
// first. Event IDs are derived from the command's ID, so a retried command — after a lost
// response, a timeout or a crash — writes its events once and gets the original result back,
// without depending on Redis.
//
// The package imports the domain and the eventstore interface only; stores, HTTP and Redis are
// adapters wired in cmd/posd.
package commands
