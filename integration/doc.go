// Package integration is the public contract of the integration events that posd publishes to
// message brokers (see publish and docs/integration-events.md): the versioned envelope, the
// public event types and their data, and the one mapping from internal events to public ones.
//
// Internal events may change shape; consumers only ever see what this package renders, so a
// change to an internal event is absorbed here. A change of a public data shape is a new
// public type version (sale.completed.v2), published beside the old one until consumers move.
package integration
