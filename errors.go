package clientele

import "errors"

// Errors shared by every package and store. Match them with [errors.Is];
// packages wrap them with context.
var (
	// ErrNotFound reports a missing record, or one outside the caller's
	// scope: an id of another client or agency is never distinguished from
	// an unknown one.
	ErrNotFound = errors.New("clientele: not found")
	// ErrDuplicate reports a record whose unique key already exists.
	ErrDuplicate = errors.New("clientele: already exists")
	// ErrMissingScope reports an operation called without the client or
	// agency it must be confined to. It never means "all rows".
	ErrMissingScope = errors.New("clientele: missing scope")
	// ErrInvalidArgument reports input that fails validation.
	ErrInvalidArgument = errors.New("clientele: invalid argument")
	// ErrInvalidEmail reports an email that is not one plain address.
	ErrInvalidEmail = errors.New("clientele: invalid email")
	// ErrInvalidRole reports a role other than admin or member.
	ErrInvalidRole = errors.New("clientele: invalid role")
	// ErrUnauthenticated reports a missing or malformed principal.
	ErrUnauthenticated = errors.New("clientele: unauthenticated")
	// ErrUnavailable reports a database that cannot be reached: it is
	// down, restarting, or dropped the connection mid-call. The same call
	// may succeed later. A write that answers it may still have committed
	// (the connection can be lost after the commit, before its answer).
	// Stores wrap the driver's error with it, so both match.
	ErrUnavailable = errors.New("clientele: database unavailable")
)
