package clientele

import "time"

// InvitationStatus is the stored state of an invitation.
type InvitationStatus string

// The states of an invitation. A pending invitation whose expiry has passed
// is expired even while its stored status still says pending; use
// [Invitation.StatusAt] for the effective state.
const (
	InvitationPending   InvitationStatus = "pending"
	InvitationAccepted  InvitationStatus = "accepted"
	InvitationCancelled InvitationStatus = "cancelled"
	InvitationReplaced  InvitationStatus = "replaced"
	InvitationExpired   InvitationStatus = "expired"
)

// Invitation asks an email to join a client with a role. Only the SHA-256
// hash of its token is kept.
type Invitation struct {
	ID        InvitationID
	AgencyID  AgencyID
	ClientID  ClientID
	Email     Email
	Role      Role
	Status    InvitationStatus
	TokenHash []byte
	// InvitedBy is the inviting client user, or empty for the agency.
	InvitedBy UserID
	CreatedAt time.Time
	ExpiresAt time.Time
	// ReplacedBy is the invitation a resend created, when Status is replaced.
	ReplacedBy InvitationID
	// AcceptedBy is the user who accepted, when Status is accepted.
	AcceptedBy UserID
}

// StatusAt returns the effective status at now: a pending invitation is
// expired from ExpiresAt on (the link works while now < ExpiresAt).
func (i Invitation) StatusAt(now time.Time) InvitationStatus {
	if i.Status == InvitationPending && !now.Before(i.ExpiresAt) {
		return InvitationExpired
	}
	return i.Status
}
