package esdbtest

import (
	"math"

	"github.com/EventStore/EventStore-Client-Go/v4/protos/shared"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"github.com/google/uuid"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// subscriptionBatch is how many $all records a subscription scans per lock of the log.
const subscriptionBatch = 256

// Read serves stream reads, $all reads and catch-up subscriptions.
func (x *streamsService) Read(req *streams.ReadReq, stream streams.Streams_ReadServer) error {
	o := req.GetOptions()
	if o == nil {
		return status.Error(codes.InvalidArgument, "read: missing options")
	}
	f, err := filterOf(o.GetFilter())
	if err != nil {
		return err
	}
	drop := x.srv.dropped()
	if o.GetSubscription() != nil {
		return x.subscribe(o, f, stream, drop)
	}
	forwards := o.GetReadDirection() == streams.ReadReq_Options_Forwards
	var records []*record
	if so := o.GetStream(); so != nil {
		name := string(so.GetStreamIdentifier().GetStreamName())
		var from *uint64
		switch {
		case so.GetStart() != nil:
			if !forwards {
				from = new(uint64)
			}
		case so.GetEnd() != nil:
			if forwards {
				end := uint64(math.MaxUint64)
				from = &end
			}
		default:
			rev := so.GetRevision()
			from = &rev
		}
		res := x.srv.log.readStream(name, forwards, from, o.GetCount())
		switch {
		case res.deleted:
			stream.SetTrailer(streamDeletedTrailer(name))
			return streamDeletedStatus(name)
		case res.notFound:
			return stream.Send(&streams.ReadResp{Content: &streams.ReadResp_StreamNotFound_{
				StreamNotFound: &streams.ReadResp_StreamNotFound{
					StreamIdentifier: &shared.StreamIdentifier{StreamName: []byte(name)},
				},
			}})
		}
		records = res.records
	} else {
		ao := o.GetAll()
		from := allFrom{start: ao.GetStart() != nil, end: ao.GetEnd() != nil}
		if p := ao.GetPosition(); p != nil {
			from.position = p.GetCommitPosition()
		}
		records = x.srv.log.readAll(forwards, from, o.GetCount(), f)
	}
	for _, r := range records {
		select {
		case <-drop:
			return droppedStatus()
		default:
		}
		if err := stream.Send(eventResp(r)); err != nil {
			return err
		}
	}
	return nil
}

// subscribe serves a catch-up subscription: a confirmation, the history, a caught-up
// message, then live events until the client goes away or the connection is dropped.
func (x *streamsService) subscribe(o *streams.ReadReq_Options, f *filter, stream streams.Streams_ReadServer, drop <-chan struct{}) error {
	log := x.srv.log
	ctx := stream.Context()
	var (
		next     int
		name     string // a stream subscription's stream; empty for $all
		afterRev *uint64
	)
	if so := o.GetStream(); so != nil {
		name = string(so.GetStreamIdentifier().GetStreamName())
		switch {
		case so.GetEnd() != nil:
			next = log.end()
		case so.GetStart() == nil:
			rev := so.GetRevision()
			afterRev = &rev
		}
	} else {
		ao := o.GetAll()
		switch {
		case ao.GetEnd() != nil:
			next = log.end()
		case ao.GetPosition() != nil:
			next = log.afterPosition(ao.GetPosition().GetCommitPosition())
		}
	}
	err := stream.Send(&streams.ReadResp{Content: &streams.ReadResp_Confirmation{
		Confirmation: &streams.ReadResp_SubscriptionConfirmation{SubscriptionId: uuid.NewString()},
	}})
	if err != nil {
		return err
	}
	caughtUp, scanned := false, 0
	for {
		records, after, changed := log.since(next, subscriptionBatch)
		for _, r := range records {
			var msg *streams.ReadResp
			switch {
			case name != "":
				if r.stream != name {
					continue
				}
				if r.revision == deletedRevision {
					stream.SetTrailer(streamDeletedTrailer(name))
					return streamDeletedStatus(name)
				}
				if (afterRev == nil || r.revision > *afterRev) && !log.hidden(r) {
					msg = eventResp(r)
				}
			case f.match(r):
				msg, scanned = eventResp(r), 0
			case f != nil:
				if scanned++; scanned >= f.window {
					msg, scanned = checkpoint(r.position), 0
				}
			}
			if msg == nil {
				continue
			}
			select {
			case <-drop:
				return droppedStatus()
			default:
			}
			if err := stream.Send(msg); err != nil {
				return err
			}
		}
		next = after
		if len(records) > 0 {
			continue
		}
		if !caughtUp {
			caughtUp = true
			if err := stream.Send(&streams.ReadResp{Content: &streams.ReadResp_CaughtUp_{CaughtUp: &streams.ReadResp_CaughtUp{}}}); err != nil {
				return err
			}
		}
		select {
		case <-changed:
		case <-drop:
			return droppedStatus()
		case <-ctx.Done():
			return status.FromContextError(ctx.Err()).Err()
		}
	}
}

func checkpoint(position uint64) *streams.ReadResp {
	return &streams.ReadResp{Content: &streams.ReadResp_Checkpoint_{Checkpoint: &streams.ReadResp_Checkpoint{
		CommitPosition: position, PreparePosition: position,
	}}}
}
