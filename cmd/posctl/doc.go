// Command posctl is the operator and auditor CLI of O'Data POS. It reads the same POS_*
// configuration as posd (environment, or a .env file given with --config before the command).
//
//	posctl audit verify [--json] [--min-checkpoint N] [--expect SEAL]...
//	                                                    verify hash chains, checkpoints and published seals
//	posctl audit checkpoint                             extend the keyed checkpoints now
//	posctl audit export --from T --to T --format jsonl|csv [--time recorded|occurred] [--out FILE]
//	posctl audit compare <database URL A> <database URL B>
//	posctl replay --into <database URL>                 rebuild every read model into an empty database
//	posctl restore [--batch N] FILE                     a JSONL export into the configured, empty event store
//	posctl import products FILE.csv --store CODE [--dry-run] [--json FILE]
//	                                                    a catalog with opening stock from CSV (README)
//	posctl import v1 FILE.sqlite --store CODE [--dry-run] [--json FILE] [--workers N] [--as NAME]
//	                                                    a v1 SQLite history through the deciders (README)
//	posctl publish replay --from POSITION [--target NAME]
//	                                                    republish integration events from a position
//	posctl migrate                                      apply the event store, projection and credentials migrations
//	posctl users create-admin --username NAME           create an admin (password asked without echo, or stdin)
//	posctl projections status [--json] | rebuild NAME | skip NAME POSITION | replay-parked NAME
//
// The audit key is POS_AUDIT_KEY, or derived from the JWT signing key (eventstore/audit).
// Exit codes: 0 success, 1 failure or a difference or broken link found, 2 usage or
// configuration error.
package main
