package commands

import "errors"

// ErrPreconditionFailed is returned when Context.IfMatch does not equal the stream's revision.
var ErrPreconditionFailed = errors.New("precondition failed: the resource changed")

// ErrConflict is returned when the stream kept changing under the command for every retry.
var ErrConflict = errors.New("conflict: too many concurrent changes")

// ErrMissingCommandID is returned for a command without an idempotency ID.
var ErrMissingCommandID = errors.New("command has no id")
