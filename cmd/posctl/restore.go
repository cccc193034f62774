package main

import (
	"bufio"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/google/uuid"

	auditapi "github.com/odata-pos/pos/api/audit"
	"github.com/odata-pos/pos/eventstore"
)

// errStoreNotEmpty refuses a restore into an event store that already holds events.
var errStoreNotEmpty = errors.New("the target event store is not empty")

// restoreProgressEvery is how many events apart restore prints a progress line off a terminal.
const restoreProgressEvery = 100_000

// runRestore is "posctl restore FILE": the events of a full JSONL export into the configured,
// empty event store.
func runRestore(ctx context.Context, e env) error {
	fs := flag.NewFlagSet("posctl restore", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	batch := fs.Int("batch", 1000, "`events` written per batch (one transaction on PostgreSQL)")
	if err := fs.Parse(e.args); err != nil {
		return err
	}
	if fs.NArg() != 1 || *batch < 1 {
		return fmt.Errorf("%w: posctl restore [--batch N] FILE (a JSONL export of posctl audit export; - reads stdin)", errUsage)
	}
	in, err := openInput(e, fs.Arg(0))
	if err != nil {
		return err
	}
	defer in.Close()
	if _, err := migrateEventStore(ctx, e); err != nil {
		return err
	}
	b, closeAll, err := open(ctx, e)
	if err != nil {
		return err
	}
	defer closeAll()
	dst, ok := b.store.(eventstore.Restorer)
	if !ok {
		return fmt.Errorf("restore: the event store %T cannot restore", b.store)
	}
	head, err := b.store.HeadPosition(ctx)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	if head != eventstore.Start {
		return fmt.Errorf("restore: %w (its log reaches position %d): restore only into a new database or EventStoreDB", errStoreNotEmpty, head)
	}
	start := time.Now()
	rep, err := restore(ctx, dst, in, *batch, newRestoreProgress(e.stderr, start))
	if err != nil {
		return fmt.Errorf("restore: %w (%d events restored before it, through position %d)", err, rep.events, rep.last)
	}
	took := time.Since(start)
	fmt.Fprintf(e.stdout, "restored %d events through position %d in %s (%.0f events/s)\n",
		rep.events, rep.last, took.Round(time.Millisecond), float64(rep.events)/took.Seconds())
	return nil
}

// openInput opens FILE, or stdin for "-".
func openInput(e env, name string) (io.ReadCloser, error) {
	if name != "-" {
		return os.Open(name)
	}
	if e.stdin != nil {
		return io.NopCloser(e.stdin), nil
	}
	return io.NopCloser(os.Stdin), nil
}

// restoreReport is what a restore wrote.
type restoreReport struct {
	events int64
	// last is the audit position of the last event restored.
	last eventstore.Position
}

// restore reads a JSONL backup line by line and writes it to dst in batches of batch events
// (constant memory: one batch at a time). Positions must increase; the store checks each
// event's revision and chain hash.
func restore(ctx context.Context, dst eventstore.Restorer, r io.Reader, batch int, progress func(n int64)) (restoreReport, error) {
	var rep restoreReport
	dec := json.NewDecoder(bufio.NewReaderSize(r, 1<<20))
	buf := make([]eventstore.RecordedEvent, 0, batch)
	flush := func() error {
		if len(buf) == 0 {
			return nil
		}
		if err := dst.Restore(ctx, buf); err != nil {
			return err
		}
		rep.events += int64(len(buf))
		rep.last = buf[len(buf)-1].AuditPosition()
		buf = buf[:0]
		progress(rep.events)
		return nil
	}
	prev := eventstore.Start
	for line := rep.events + 1; ; line++ {
		var be auditapi.EventView
		err := dec.Decode(&be)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return rep, fmt.Errorf("line %d: %w", line, err)
		}
		ev, err := recordedOf(&be)
		if err != nil {
			return rep, fmt.Errorf("line %d: %w", line, err)
		}
		if ev.AuditPosition() <= prev {
			return rep, fmt.Errorf("line %d: position %d does not follow %d: not an export in $all order", line, ev.AuditPosition(), prev)
		}
		prev = ev.AuditPosition()
		buf = append(buf, ev)
		if len(buf) == batch {
			if err := flush(); err != nil {
				return rep, err
			}
		}
	}
	return rep, flush()
}

// recordedOf turns a backup line (an event as posctl audit export writes it) into the event
// it describes.
func recordedOf(v *auditapi.EventView) (eventstore.RecordedEvent, error) {
	hash, err := hex.DecodeString(v.Hash)
	if err != nil {
		return eventstore.RecordedEvent{}, fmt.Errorf("hash: %w", err)
	}
	id, err := uuid.Parse(v.ID)
	if err != nil || v.Position == 0 {
		return eventstore.RecordedEvent{}, errors.New("an event needs an id and a position")
	}
	return eventstore.RecordedEvent{
		ID: id, Type: v.Type, Stream: v.Stream, Revision: v.Revision, Position: v.Position,
		OriginPosition: v.OriginPosition, Data: v.Data, RawMetadata: v.Metadata, RecordedAt: v.RecordedAt, Hash: hash,
	}, nil
}

// newRestoreProgress draws a bar on a terminal and prints a line every restoreProgressEvery
// events elsewhere.
func newRestoreProgress(w io.Writer, start time.Time) func(n int64) {
	bar := newProgress(w, "restoring")
	if _, isBar := bar.(silent); !isBar {
		return func(n int64) { _ = bar.Set64(n) } // a bar failing to draw is no failure
	}
	next := int64(restoreProgressEvery)
	return func(n int64) {
		if n >= next {
			fmt.Fprintf(w, "restore: %d events (%.0f events/s)\n", n, float64(n)/time.Since(start).Seconds())
			next = n + restoreProgressEvery
		}
	}
}
