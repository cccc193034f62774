package esdbtest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/protos/shared"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"github.com/google/uuid"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// streamsService implements event_store.client.streams.Streams over the emulator's log.
type streamsService struct {
	streams.UnimplementedStreamsServer
	srv *Server
}

// expectedOptions is what the Append, Delete and Tombstone options have in common.
type expectedOptions interface {
	GetRevision() uint64
	GetNoStream() *shared.Empty
	GetAny() *shared.Empty
	GetStreamExists() *shared.Empty
}

func expectationOf(o expectedOptions) expectation {
	switch {
	case o.GetNoStream() != nil:
		return expectation{kind: expectNoStream}
	case o.GetAny() != nil:
		return expectation{kind: expectAny}
	case o.GetStreamExists() != nil:
		return expectation{kind: expectStreamExists}
	default:
		return expectation{kind: expectRevision, revision: o.GetRevision()}
	}
}

// Append is the client-streaming append: an options message, then the proposed events.
func (x *streamsService) Append(stream streams.Streams_AppendServer) error {
	first, err := stream.Recv()
	if err != nil {
		return err
	}
	opts := first.GetOptions()
	if opts == nil || len(opts.GetStreamIdentifier().GetStreamName()) == 0 {
		return status.Error(codes.InvalidArgument, "append: the first message must be the options with a stream name")
	}
	name := string(opts.GetStreamIdentifier().GetStreamName())
	var events []proposed
	for {
		req, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		m := req.GetProposedMessage()
		if m == nil {
			return status.Error(codes.InvalidArgument, "append: expected a proposed message")
		}
		id, err := uuidOf(m.GetId())
		if err != nil {
			return status.Errorf(codes.InvalidArgument, "append: event id: %v", err)
		}
		events = append(events, proposed{
			id: id, eventType: m.GetMetadata()["type"], contentType: m.GetMetadata()["content-type"],
			data: m.GetData(), metadata: m.GetCustomMetadata(),
		})
	}
	if d := x.srv.opts.AppendDelay; d > 0 {
		select {
		case <-time.After(d):
		case <-stream.Context().Done():
			return status.FromContextError(stream.Context().Err()).Err()
		}
	}
	e := expectationOf(opts)
	o := x.srv.log.append(name, e, events)
	switch {
	case o.deleted:
		stream.SetTrailer(streamDeletedTrailer(name))
		return streamDeletedStatus(name)
	case o.wrong:
		return stream.SendAndClose(&streams.AppendResp{Result: &streams.AppendResp_WrongExpectedVersion_{
			WrongExpectedVersion: wrongExpectedVersion(e, o),
		}})
	}
	success := &streams.AppendResp_Success{
		CurrentRevisionOption: &streams.AppendResp_Success_CurrentRevision{CurrentRevision: o.revision},
		PositionOption: &streams.AppendResp_Success_Position{Position: &streams.AppendResp_Position{
			CommitPosition: o.position, PreparePosition: o.position,
		}},
	}
	if o.retry && x.srv.opts.NoPositionOnRetry {
		success.PositionOption = &streams.AppendResp_Success_NoPosition{NoPosition: &shared.Empty{}}
	}
	if !o.retry {
		x.srv.appended()
	}
	return stream.SendAndClose(&streams.AppendResp{Result: &streams.AppendResp_Success_{Success: success}})
}

// wrongExpectedVersion builds the response the client decodes into ErrorCodeWrongExpectedVersion.
func wrongExpectedVersion(e expectation, o outcome) *streams.AppendResp_WrongExpectedVersion {
	w := &streams.AppendResp_WrongExpectedVersion{}
	if o.exists {
		w.CurrentRevisionOption = &streams.AppendResp_WrongExpectedVersion_CurrentRevision{CurrentRevision: o.current}
		w.CurrentRevisionOption_20_6_0 = &streams.AppendResp_WrongExpectedVersion_CurrentRevision_20_6_0{CurrentRevision_20_6_0: o.current}
	} else {
		w.CurrentRevisionOption = &streams.AppendResp_WrongExpectedVersion_CurrentNoStream{CurrentNoStream: &shared.Empty{}}
		w.CurrentRevisionOption_20_6_0 = &streams.AppendResp_WrongExpectedVersion_NoStream_20_6_0{NoStream_20_6_0: &shared.Empty{}}
	}
	switch e.kind {
	case expectAny:
		w.ExpectedRevisionOption = &streams.AppendResp_WrongExpectedVersion_ExpectedAny{ExpectedAny: &shared.Empty{}}
	case expectNoStream:
		w.ExpectedRevisionOption = &streams.AppendResp_WrongExpectedVersion_ExpectedNoStream{ExpectedNoStream: &shared.Empty{}}
	case expectStreamExists:
		w.ExpectedRevisionOption = &streams.AppendResp_WrongExpectedVersion_ExpectedStreamExists{ExpectedStreamExists: &shared.Empty{}}
	default:
		w.ExpectedRevisionOption = &streams.AppendResp_WrongExpectedVersion_ExpectedRevision{ExpectedRevision: e.revision}
	}
	return w
}

// Delete soft-deletes a stream.
func (x *streamsService) Delete(ctx context.Context, req *streams.DeleteReq) (*streams.DeleteResp, error) {
	name := string(req.GetOptions().GetStreamIdentifier().GetStreamName())
	o := x.srv.log.softDelete(name, expectationOf(req.GetOptions()))
	if err := deleteError(ctx, name, expectationOf(req.GetOptions()), o); err != nil {
		return nil, err
	}
	return &streams.DeleteResp{PositionOption: &streams.DeleteResp_Position_{Position: &streams.DeleteResp_Position{
		CommitPosition: o.position, PreparePosition: o.position,
	}}}, nil
}

// Tombstone deletes a stream for good.
func (x *streamsService) Tombstone(ctx context.Context, req *streams.TombstoneReq) (*streams.TombstoneResp, error) {
	name := string(req.GetOptions().GetStreamIdentifier().GetStreamName())
	o := x.srv.log.tombstone(name, expectationOf(req.GetOptions()))
	if err := deleteError(ctx, name, expectationOf(req.GetOptions()), o); err != nil {
		return nil, err
	}
	return &streams.TombstoneResp{PositionOption: &streams.TombstoneResp_Position_{Position: &streams.TombstoneResp_Position{
		CommitPosition: o.position, PreparePosition: o.position,
	}}}, nil
}

// deleteError renders a failed delete or tombstone as the server does: a FailedPrecondition
// status with an "exception" trailer.
func deleteError(ctx context.Context, name string, e expectation, o outcome) error {
	switch {
	case o.deleted:
		_ = grpc.SetTrailer(ctx, streamDeletedTrailer(name))
		return streamDeletedStatus(name)
	case o.wrong:
		actual := "-1"
		if o.exists {
			actual = strconv.FormatUint(o.current, 10)
		}
		expected := map[expectKind]string{expectAny: "-2", expectNoStream: "-1", expectStreamExists: "-4"}[e.kind]
		if e.kind == expectRevision {
			expected = strconv.FormatUint(e.revision, 10)
		}
		_ = grpc.SetTrailer(ctx, metadata.Pairs("exception", "wrong-expected-version",
			"expected-version", expected, "actual-version", actual))
		return status.Errorf(codes.FailedPrecondition,
			"Append failed due to WrongExpectedVersion. Stream: %s, Expected version: %s, Actual version: %s",
			name, expected, actual)
	}
	return nil
}

func streamDeletedTrailer(name string) metadata.MD {
	return metadata.Pairs("exception", "stream-deleted", "stream-name", name)
}

func streamDeletedStatus(name string) error {
	return status.Errorf(codes.FailedPrecondition, "Event stream '%s' is deleted.", name)
}

func droppedStatus() error {
	return status.Error(codes.Unavailable, "esdbtest: connection dropped by the emulator")
}

// uuidOf decodes an event ID sent in either of the two wire forms.
func uuidOf(id *shared.UUID) (uuid.UUID, error) {
	if s := id.GetStructured(); s != nil {
		var b [16]byte
		for i := range 8 {
			b[i] = byte(uint64(s.GetMostSignificantBits()) >> (56 - 8*i))
			b[8+i] = byte(uint64(s.GetLeastSignificantBits()) >> (56 - 8*i))
		}
		return uuid.UUID(b), nil
	}
	if id == nil {
		return uuid.Nil, fmt.Errorf("missing")
	}
	return uuid.Parse(id.GetString_())
}

func protoUUID(id uuid.UUID) *shared.UUID {
	var most, least uint64
	for i := range 8 {
		most = most<<8 | uint64(id[i])
		least = least<<8 | uint64(id[8+i])
	}
	return &shared.UUID{Value: &shared.UUID_Structured_{Structured: &shared.UUID_Structured{
		MostSignificantBits: int64(most), LeastSignificantBits: int64(least),
	}}}
}

// eventResp renders a record as a ReadResp, with "created" in .NET ticks since the Unix epoch.
func eventResp(r *record) *streams.ReadResp {
	return &streams.ReadResp{Content: &streams.ReadResp_Event{Event: &streams.ReadResp_ReadEvent{
		Event: &streams.ReadResp_ReadEvent_RecordedEvent{
			Id:               protoUUID(r.id),
			StreamIdentifier: &shared.StreamIdentifier{StreamName: []byte(r.stream)},
			StreamRevision:   r.revision,
			PreparePosition:  r.position,
			CommitPosition:   r.position,
			Metadata: map[string]string{
				"type":         r.eventType,
				"content-type": r.contentType,
				"created":      strconv.FormatInt(r.created.UnixNano()/100, 10),
			},
			CustomMetadata: r.metadata,
			Data:           r.data,
		},
		Position: &streams.ReadResp_ReadEvent_CommitPosition{CommitPosition: r.position},
	}}}
}

// filterOf decodes a server-side filter; nil means no filter.
func filterOf(o *streams.ReadReq_Options_FilterOptions) (*filter, error) {
	if o == nil {
		return nil, nil
	}
	f := &filter{}
	expr := o.GetEventType()
	if s := o.GetStreamIdentifier(); s != nil {
		f.onStream, expr = true, s
	}
	if expr == nil || (expr.GetRegex() == "" && len(expr.GetPrefix()) == 0) {
		return nil, status.Error(codes.InvalidArgument, "filter: need prefixes or a regex")
	}
	f.prefixes = expr.GetPrefix()
	if expr.GetRegex() != "" {
		re, err := regexp.Compile(expr.GetRegex())
		if err != nil {
			return nil, status.Errorf(codes.InvalidArgument, "filter regex: %v", err)
		}
		f.re = re
	}
	window := int(o.GetMax())
	if window == 0 {
		window = 32
	}
	f.window = window * int(max(o.GetCheckpointIntervalMultiplier(), 1))
	return f, nil
}
