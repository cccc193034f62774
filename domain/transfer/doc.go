// Package transfer is the stock transfer aggregate: goods sent from one location to another.
// Dispatch starts it (the goods are in transit); Receive ends it. The commands layer turns the
// two events into the two stock legs (stock.TransferOut at the source with movement ID
// "transfer:<id>", stock.TransferIn at the destination), so that source leg, in transit and
// destination leg always net to zero.
package transfer
