// Package tenancy manages an agency's clients and the users of each client:
// branding, client permissions, the user list (members and pending
// invitations together), role changes, removal, deactivation and activity.
//
// Every operation takes the acting [clientele.Principal] and the client it
// is confined to. A client user acts only inside its own client; any other
// client id is reported as [clientele.ErrNotFound], and a missing client id
// as [clientele.ErrMissingScope]. What each principal may do is decided by
// an [Authorizer] (package rbac). A client Admin can never remove, demote
// or deactivate the client's last active Admin ([ErrLastAdmin]); the agency
// admin can.
//
// Every change to access (role changes, removal, deactivation,
// reactivation, client permissions, branding; invitations in package
// invite) is recorded as a [clientele.AuditEvent] in the same atomic step
// as the change, with the actor, the time and the source IP the context
// carries ([clientele.WithSourceIP]). [Service.ListAudit] reads the log:
// the agency admin all of it, a client Admin its own client's.
package tenancy
