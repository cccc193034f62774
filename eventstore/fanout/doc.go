// Package fanout shares one $all reader among every subscriber of a process.
//
// A posd runs a dozen subscribers of $all (every projection, every policy). Each reading and
// decoding the whole log on its own cost a quarter of a busy posd's CPU. [Store] wraps an event
// store: it forwards every call to it except SubscribeAll, which it serves from one shared
// reader that follows $all once (every non-system event) and keeps the newest events in a
// window (Options.Window). Every subscriber keeps its own position and filter:
//
//   - a subscriber whose position lies inside the window takes its events from the window;
//   - a subscriber behind the window (a rebuild from the start, a checkpoint from long ago, a
//     consumer that fell behind because its work is slow) reads $all on its own, with its own
//     filter, until it has looked up to where the window starts; it then joins the window;
//   - the shared reader never waits for a subscriber: a slow one only falls behind the window
//     and reads on its own, it never holds up the others or loses an event.
//
// Each subscriber gets every event of $all its filter selects, once and in position order,
// exactly as from the store's own SubscribeAll. The gap-free guarantee comes from the store:
// the shared reader is one of its subscriptions, and a subscriber's own reads use
// [eventstore.Scanner], which says up to which position a filtered read has looked, so a
// subscriber joins the window only once nothing between its position and the window can be
// missing. A store that is not a Scanner is not shared: SubscribeAll then goes straight to it.
//
// The shared reader starts when a subscriber first joins, at the position that subscriber has
// read up to, and stops when the last subscriber leaves (or the Store is closed).
//
// [Store.Recent] is the Store for a poller that reads $all to its end with ReadAll and comes
// back later (posd's audit checkpointer): its reads inside the window come from the window
// rather than from a second read of the log.
package fanout
