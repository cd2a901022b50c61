package rbac

import (
	"strings"

	"github.com/clientele/clientele"
)

// Reason says why a [Decision] came out as it did.
type Reason string

// The reasons of a decision.
const (
	// ReasonAllowed: a rule for the subject and action holds.
	ReasonAllowed Reason = "allowed"
	// ReasonNoRule: the role has no rule for this action (an unknown action
	// gives this reason too).
	ReasonNoRule Reason = "no_rule"
	// ReasonMissingPermission: rules exist but each needs a client
	// permission the client lacks; Decision.Missing lists them.
	ReasonMissingPermission Reason = "missing_permission"
	// ReasonUnauthenticated: the principal is missing or malformed.
	ReasonUnauthenticated Reason = "unauthenticated"
)

// Decision is the outcome of [Authorizer.Decide] with its explanation.
type Decision struct {
	// Allowed reports whether the action may be done.
	Allowed bool
	// Subject is who asked; empty when the principal is invalid.
	Subject Subject
	// Action is what was asked.
	Action Action
	// Reason explains the outcome.
	Reason Reason
	// Missing, for ReasonMissingPermission only, lists (sorted) the client
	// permissions any one of which would allow the action. The slice
	// belongs to the caller.
	Missing []clientele.Permission
}

// String explains d for logs and the UI, such as
// "member may not billing.use: no rule for the role" or
// "admin may not billing.use: client lacks manage_billing".
func (d Decision) String() string {
	var b strings.Builder
	switch {
	case d.Reason == ReasonUnauthenticated:
		b.WriteString("unauthenticated principal may not ")
		b.WriteString(string(d.Action))
		return b.String()
	case d.Subject == "":
		b.WriteString("nobody")
	default:
		b.WriteString(string(d.Subject))
	}
	if d.Allowed {
		b.WriteString(" may ")
		b.WriteString(string(d.Action))
		return b.String()
	}
	b.WriteString(" may not ")
	b.WriteString(string(d.Action))
	switch {
	case d.Reason == ReasonNoRule:
		b.WriteString(": no rule for the role")
	case d.Reason == ReasonMissingPermission && len(d.Missing) == 1:
		b.WriteString(": client lacks ")
		b.WriteString(string(d.Missing[0]))
	case d.Reason == ReasonMissingPermission && len(d.Missing) > 1:
		b.WriteString(": client has none of ")
		for i, p := range d.Missing {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(string(p))
		}
	default:
		b.WriteString(": denied")
	}
	return b.String()
}
