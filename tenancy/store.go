package tenancy

import (
	"context"
	"time"

	"github.com/clientele/clientele"
)

// Store is the storage the tenancy service needs. Implementations must be
// safe for concurrent use. Every method confined to a client or an agency
// takes it as a parameter and answers [clientele.ErrMissingScope] when it
// is empty: a missing scope never means "all rows". A record of another
// agency or client is reported as [clientele.ErrNotFound].
//
// The methods that change access (SetBranding, SetPermissions, ChangeRole,
// RemoveMember, SetMemberStatus) take the change's
// [clientele.AuditEvent], whose stamp (ID, At, Actor, IP) the caller
// fills, and store it in the same atomic step as the change, filling the
// rest from the rows they change (see [clientele.AuditEvent]). A stamp
// that fails [clientele.AuditEvent.CheckStamp] answers
// clientele.ErrInvalidArgument and an event id that exists
// clientele.ErrDuplicate; a change that fails stores no event, and an
// event that cannot be stored fails the change.
type Store interface {
	AgencyStore
	ClientStore
	MemberStore
	AuditStore
}

// AgencyStore keeps agencies and their branding.
type AgencyStore interface {
	// CreateAgency stores a. An existing id, or a custom domain that another
	// agency holds, answers clientele.ErrDuplicate.
	CreateAgency(ctx context.Context, a clientele.Agency) error
	// Agency returns the agency id, or clientele.ErrNotFound.
	Agency(ctx context.Context, id clientele.AgencyID) (clientele.Agency, error)
	// AgencyByDomain returns the agency whose custom domain is domain
	// (already lower-cased), or clientele.ErrNotFound.
	AgencyByDomain(ctx context.Context, domain string) (clientele.Agency, error)
	// SetBranding replaces the agency's branding and returns the agency,
	// recording ev (agency.branding: the agency, no client; Before and
	// After the branding). A missing agency answers clientele.ErrNotFound;
	// a custom domain held by another agency answers clientele.ErrDuplicate
	// and changes nothing.
	SetBranding(ctx context.Context, id clientele.AgencyID, b clientele.Branding, ev clientele.AuditEvent) (clientele.Agency, error)
}

// ClientStore keeps client accounts and their permissions.
type ClientStore interface {
	// CreateClient stores c. An existing id answers clientele.ErrDuplicate;
	// an unknown agency answers clientele.ErrNotFound.
	CreateClient(ctx context.Context, c clientele.Client) error
	// Client returns client id of agency, or clientele.ErrNotFound when it
	// does not exist or belongs to another agency.
	Client(ctx context.Context, agency clientele.AgencyID, id clientele.ClientID) (clientele.Client, error)
	// ListClients returns up to limit clients of agency ordered by (name,
	// id), starting after the key after (nil: from the first).
	ListClients(ctx context.Context, agency clientele.AgencyID, after *Key, limit int) ([]clientele.Client, error)
	// SetPermissions replaces the client's permissions and returns the
	// client, recording ev (client.permissions: the client; Before and
	// After the permission sets); clientele.ErrNotFound as for Client.
	SetPermissions(ctx context.Context, agency clientele.AgencyID, id clientele.ClientID, perms clientele.PermissionSet, ev clientele.AuditEvent) (clientele.Client, error)
}

// MemberStore keeps memberships as seen from one client.
type MemberStore interface {
	// ListUsers returns up to q.Limit entries of client: its memberships
	// (any status) and its invitations still pending at q.Now, ordered by
	// (email, id) and starting after q.After. An unknown client gives an
	// empty list.
	ListUsers(ctx context.Context, client clientele.ClientID, q ListQuery) ([]Entry, error)
	// Member returns user's membership in client, or clientele.ErrNotFound.
	Member(ctx context.Context, client clientele.ClientID, user clientele.UserID) (clientele.Member, error)
	// ChangeRole sets the role of user in client and returns the member,
	// recording ev (member.role: the user; Before and After the role).
	// With keepAdmin, a change that would leave the client
	// without an active Admin fails with ErrLastAdmin and changes nothing;
	// the check and the write are atomic against every concurrent change.
	ChangeRole(ctx context.Context, client clientele.ClientID, user clientele.UserID, role clientele.Role, keepAdmin bool, ev clientele.AuditEvent) (clientele.Member, error)
	// RemoveMember deletes user's membership in client (the user and its
	// other memberships stay), recording ev (member.remove: the user;
	// Before the role, no After). keepAdmin as for ChangeRole. A
	// missing membership answers clientele.ErrNotFound.
	RemoveMember(ctx context.Context, client clientele.ClientID, user clientele.UserID, keepAdmin bool, ev clientele.AuditEvent) error
	// SetMemberStatus sets the membership's status and returns the member,
	// recording ev (member.deactivate or member.reactivate by the new
	// status: the user; Before and After the status).
	SetMemberStatus(ctx context.Context, client clientele.ClientID, user clientele.UserID, status clientele.MemberStatus, ev clientele.AuditEvent) (clientele.Member, error)
	// RecordActivity sets the membership's last-active time to at.
	RecordActivity(ctx context.Context, client clientele.ClientID, user clientele.UserID, at time.Time) error
}

// AuditStore reads the audit log the other stores write.
type AuditStore interface {
	// ListAudit returns up to limit events of agency, newest first: ordered
	// by (At, ID) descending and starting after the key after (nil: from
	// the newest; see AuditKey). With client it returns that client's
	// events only; with client empty every event of the agency, its
	// agency-level ones included. An empty agency answers
	// clientele.ErrMissingScope; events of another agency are never
	// returned, and a client of another agency, or an unknown one, gives
	// an empty list. A limit below 1 or a malformed key answers
	// clientele.ErrInvalidArgument.
	ListAudit(ctx context.Context, agency clientele.AgencyID, client clientele.ClientID, after *Key, limit int) ([]clientele.AuditEvent, error)
}

// Key is a position in a keyset-paginated list: the sort value (a client's
// name, an entry's email, an audit event's time) and the id that breaks
// ties.
type Key struct {
	Sort string
	ID   string
}

// ListQuery selects a page of a client's user list.
type ListQuery struct {
	// Now decides which invitations are still pending.
	Now time.Time
	// After is the last key of the page before, or nil.
	After *Key
	// Limit is the page size, at least 1.
	Limit int
}

// EntryStatus is the status shown in a client's user list.
type EntryStatus string

// The statuses of a user-list entry.
const (
	EntryActive      EntryStatus = "active"
	EntryDeactivated EntryStatus = "deactivated"
	EntryPending     EntryStatus = "pending"
)

// Entry is one row of a client's user list: a member, or a pending
// invitation.
type Entry struct {
	// ID is the user id of a member, or the invitation id when pending.
	ID     string
	Name   string // empty while pending
	Email  clientele.Email
	Role   clientele.Role
	Status EntryStatus
	// LastActiveAt is nil until the member first signs in.
	LastActiveAt *time.Time
	// ExpiresAt is set for pending invitations only.
	ExpiresAt *time.Time
}

// Key returns the entry's pagination key.
func (e Entry) Key() Key { return Key{Sort: string(e.Email), ID: e.ID} }
