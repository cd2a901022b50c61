package invite

import (
	"context"
	"fmt"
	"time"

	"github.com/clientele/clientele"
)

// Store is the storage the invitation service needs. Implementations must
// be safe for concurrent use; every method confined to a client answers
// [clientele.ErrMissingScope] when the client id is empty, and
// [clientele.ErrNotFound] for a record of another client.
//
// The methods that change an invitation take the change's
// [clientele.AuditEvent], whose stamp (ID, At, Actor, IP) the caller
// fills, and store it in the same atomic step as the change, filling the
// rest from the rows they change (see [clientele.AuditEvent]). A stamp
// that fails [clientele.AuditEvent.CheckStamp] answers
// clientele.ErrInvalidArgument and an event id that exists
// clientele.ErrDuplicate; a change that fails stores no event, and an
// event that cannot be stored fails the change.
type Store interface {
	// Agency returns the agency id, or clientele.ErrNotFound.
	Agency(ctx context.Context, id clientele.AgencyID) (clientele.Agency, error)
	// Client returns client id of agency, or clientele.ErrNotFound.
	Client(ctx context.Context, agency clientele.AgencyID, id clientele.ClientID) (clientele.Client, error)
	// UserByEmail returns the agency's user with email, or
	// clientele.ErrNotFound.
	UserByEmail(ctx context.Context, agency clientele.AgencyID, email clientele.Email) (clientele.User, error)
	// CreateInvitation stores inv, whose status is pending. It fails with
	// ErrAlreadyMember when inv.Email has a membership (of any status) in
	// inv.ClientID, with ErrPendingExists when that client has another
	// invitation for the email still pending at now, and with
	// clientele.ErrDuplicate for an existing id or token hash. A pending
	// invitation for the email that expired at now is marked expired first.
	// When queue is not nil, the delivery *queue of inv's email (see
	// [CheckQueued]; clientele.ErrDuplicate for an existing id) is stored
	// in the same step, and so is ev (invitation.create: the invitation;
	// no Before, After its state). Checks and inserts are atomic: on any
	// error nothing is stored.
	CreateInvitation(ctx context.Context, inv clientele.Invitation, now time.Time, queue *Delivery, ev clientele.AuditEvent) error
	// Invitation returns invitation id of client, whatever its status, or
	// clientele.ErrNotFound.
	Invitation(ctx context.Context, client clientele.ClientID, id clientele.InvitationID) (clientele.Invitation, error)
	// InvitationByTokenHash returns the invitation whose token hash is hash,
	// whatever its status, or clientele.ErrNotFound. It changes nothing.
	InvitationByTokenHash(ctx context.Context, hash []byte) (clientele.Invitation, error)
	// ReplaceInvitation atomically marks invitation old of client replaced
	// by next and stores next (pending, same client and email). It requires
	// old's stored status to be pending (a time-expired one may be
	// replaced); otherwise it answers [StatusError] of old's status. When
	// queue is not nil, the delivery *queue of next's email is stored in
	// the same step, as in CreateInvitation, and so is ev
	// (invitation.resend: old; Before and After old's state, After with
	// replaced_by). On any error nothing changes.
	ReplaceInvitation(ctx context.Context, client clientele.ClientID, old clientele.InvitationID, next clientele.Invitation, queue *Delivery, ev clientele.AuditEvent) error
	// CancelInvitation marks the pending invitation id of client cancelled,
	// recording ev (invitation.cancel: the invitation; Before and After
	// its state); otherwise it answers [StatusError] of its status and
	// changes nothing.
	CancelInvitation(ctx context.Context, client clientele.ClientID, id clientele.InvitationID, ev clientele.AuditEvent) error
	// AcceptInvitation carries out a in one atomic step: the invitation
	// with a.TokenHash goes from pending, unexpired at a.Now, to accepted;
	// the agency's user with the invitation's email is the one who
	// accepts: when there is none it is created from a.NewUser and
	// a.PasswordHash (and a.Passkey), and when there is one it must be
	// a.Account, whose name and credentials are left untouched; an active
	// membership with the invitation's role is created; and a.Audit is
	// recorded (invitation.accept: the invitation, whose agency and client
	// it takes; Actor the accepting user; Before and After the
	// invitation's state, After with accepted_by). The account is checked
	// inside the step, so a user created concurrently for the email is
	// never joined by a new-account acceptance. Exactly one of many
	// concurrent calls for one token succeeds. An unknown hash answers
	// clientele.ErrNotFound; an invitation no longer pending at a.Now
	// answers [StatusError] of its status at a.Now; an email whose user is
	// not a.Account (none set, another user, or a.Account set for an
	// email without a user) answers ErrSignInRequired; a.Passkey for an
	// existing user ErrHasAccount; an existing membership
	// ErrAlreadyMember. On any error nothing changes.
	AcceptInvitation(ctx context.Context, a Acceptance) (clientele.Member, error)
	// Hit adds one attempt under key in the fixed window starting at
	// window and returns the window's count including it, shared by every
	// process using the store (authn.LimitStore's Hit: one table of
	// counters serves both). It counts invitation emails per recipient.
	Hit(ctx context.Context, key string, window, now time.Time) (int, error)
}

// Acceptance is what AcceptInvitation needs.
type Acceptance struct {
	TokenHash []byte
	Now       time.Time
	// Account, when set, is the existing user the acceptance is for, as
	// the caller proved it (see AcceptRequest.Account); NewUser,
	// PasswordHash and Passkey are then ignored.
	Account clientele.UserID
	// NewUser is stored when Account is empty and the agency has no user
	// with the invitation's email: its ID, Name and CreatedAt are used;
	// AgencyID and Email are taken from the invitation.
	NewUser clientele.User
	// PasswordHash is the new user's encoded password hash ("" for none).
	PasswordHash string
	// Passkey, when set, is the new user's first passkey, stored in the
	// same atomic step; its UserID is NewUser.ID. An existing user's
	// credentials are never touched, so with a passkey and an existing
	// user AcceptInvitation answers ErrHasAccount and changes nothing.
	Passkey *clientele.Passkey
	// Audit is the stamp of the acceptance's audit event (ID, At, IP; see
	// [clientele.AuditEvent]); the store sets the rest, the Actor too.
	Audit clientele.AuditEvent
}

// ValidateNew checks an invitation before a store keeps it: an id, a token
// hash, an email, a known role and a pending (or unset) status. Failures
// wrap clientele.ErrInvalidArgument (and clientele.ErrInvalidRole for the
// role).
func ValidateNew(inv clientele.Invitation) error {
	switch {
	case inv.ID == "":
		return fmt.Errorf("%w: invitation without id", clientele.ErrInvalidArgument)
	case len(inv.TokenHash) == 0:
		return fmt.Errorf("%w: invitation without token hash", clientele.ErrInvalidArgument)
	case inv.Email == "":
		return fmt.Errorf("%w: invitation without email", clientele.ErrInvalidArgument)
	case !inv.Role.Valid():
		return fmt.Errorf("%w: %w: %q", clientele.ErrInvalidArgument, clientele.ErrInvalidRole, inv.Role)
	case inv.Status != clientele.InvitationPending && inv.Status != "":
		return fmt.Errorf("%w: invitation status %q, want pending", clientele.ErrInvalidArgument, inv.Status)
	}
	return nil
}
