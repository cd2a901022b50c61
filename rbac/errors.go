package rbac

import "errors"

// ErrDenied reports an action the principal may not do. Errors from
// [Authorizer.Authorize] wrap it; match with [errors.Is].
var ErrDenied = errors.New("rbac: denied")

// DeniedError is the error [Authorizer.Authorize] returns for a denied
// action. Retrieve it with [errors.As] to read the [Decision].
type DeniedError struct {
	Decision Decision
}

// Error returns "rbac: denied: " followed by the decision's explanation.
func (e *DeniedError) Error() string {
	return ErrDenied.Error() + ": " + e.Decision.String()
}

// Unwrap returns [ErrDenied].
func (e *DeniedError) Unwrap() error { return ErrDenied }
