// Package publish is the publisher worker: it follows $all from a checkpoint kept in
// PostgreSQL and publishes the integration events (package integration) to message brokers
// through watermill: NATS JetStream, RabbitMQ and Kafka. One process per deployment publishes
// to each target at a time (an advisory lock, package pglead).
//
// Delivery is at least once and never loses an event: a target's checkpoint moves only after
// the broker confirmed every message up to it (JetStream publish acks, RabbitMQ publisher
// confirms, Kafka's synchronous producer), and a failure restarts from the checkpoint. Each
// message's ID is the event ID (and JetStream's Nats-Msg-Id), so consumers deduplicate.
// Up to a window of publishes are in flight, but at most one of each stream: a stream's next
// message goes out only once the broker confirmed the previous one, so one stream's messages
// arrive in order, also after a failed publish, and a busy stream holds up no other
// (window.go).
package publish
