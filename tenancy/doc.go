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
package tenancy
