package invite

import (
	"context"
	"fmt"
	"time"

	"github.com/clientele/clientele"
)

// DeliveryID identifies a queued email.
type DeliveryID string

// DeliveryKind tells what a delivery mails.
type DeliveryKind string

// The kinds of delivery.
const (
	// KindInvitation mails an invitation's link (Delivery.InvitationID).
	KindInvitation DeliveryKind = "invitation"
	// KindNotice mails a security notice (Delivery.Notice) to a user
	// (Delivery.UserID).
	KindNotice DeliveryKind = "notice"
)

// Notice names the security notice a KindNotice delivery mails.
type Notice string

// The security notices: a change to a user's credentials, told to the
// user. Removing a user's access sends none.
const (
	NoticePasskeyAdded    Notice = "passkey_added"
	NoticePasskeyRemoved  Notice = "passkey_removed"
	NoticePasswordChanged Notice = "password_changed"
)

// MaxLastError is the most bytes a [Delivery.LastError] holds.
const MaxLastError = 200

// Delivery is one email in the outbox: an invitation (KindInvitation) or a
// security notice (KindNotice). It never holds an email address, a link
// or a token: a [Deliverer] reads the recipient when it sends, and for an
// invitation makes the token, rotating the invitation's token hash, only
// then.
type Delivery struct {
	ID DeliveryID
	// Kind tells what the delivery mails.
	Kind     DeliveryKind
	AgencyID clientele.AgencyID
	// ClientID scopes the delivery: the invitation's client, or for a
	// notice the client the user acted in.
	ClientID clientele.ClientID
	// InvitationID is the invitation a KindInvitation delivery mails;
	// empty for a notice.
	InvitationID clientele.InvitationID
	// UserID and Notice are the user a KindNotice delivery mails and the
	// notice it sends; empty for an invitation.
	UserID clientele.UserID
	Notice Notice
	// Attempts counts the failed attempts so far.
	Attempts int
	// NextAttemptAt is when the delivery is next due; while a worker holds
	// it, the end of the worker's lease.
	NextAttemptAt time.Time
	// LastError is the class of the last failure ("timeout", "smtp 451",
	// ...) or, once SentAt is set, empty for a sent email or "dropped: "
	// and the reason for one never sent. It never holds an error message,
	// an address or a token, and is at most [MaxLastError] bytes.
	LastError string
	CreatedAt time.Time
	// SentAt is when the delivery ended (sent, or dropped because the
	// invitation was no longer pending or the user no longer exists); nil
	// while it is queued.
	SentAt *time.Time
}

// Sent reports whether the email went out: the delivery ended without a
// drop reason.
func (d Delivery) Sent() bool { return d.SentAt != nil && d.LastError == "" }

// CheckQueued reports whether d is a fresh invitation delivery of inv, as
// CreateInvitation and ReplaceInvitation accept it: an id, kind
// KindInvitation, the invitation's agency, client and id, no user or
// notice, no attempts, no error, not sent, and both times set. Otherwise
// it answers [clientele.ErrInvalidArgument]. Stores call it.
func CheckQueued(d Delivery, inv clientele.Invitation) error {
	switch {
	case d.ID == "":
		return fmt.Errorf("%w: delivery without id", clientele.ErrInvalidArgument)
	case d.Kind != KindInvitation || d.UserID != "" || d.Notice != "":
		return fmt.Errorf("%w: delivery %s is not an invitation's", clientele.ErrInvalidArgument, d.ID)
	case d.AgencyID != inv.AgencyID || d.ClientID != inv.ClientID || d.InvitationID != inv.ID:
		return fmt.Errorf("%w: delivery %s is not for invitation %s", clientele.ErrInvalidArgument, d.ID, inv.ID)
	}
	return checkFresh(d)
}

// checkFresh reports whether d was never attempted and has both times.
func checkFresh(d Delivery) error {
	switch {
	case d.Attempts != 0 || d.LastError != "" || d.SentAt != nil:
		return fmt.Errorf("%w: delivery %s is not fresh", clientele.ErrInvalidArgument, d.ID)
	case d.NextAttemptAt.IsZero() || d.CreatedAt.IsZero():
		return fmt.Errorf("%w: delivery %s without times", clientele.ErrInvalidArgument, d.ID)
	}
	return nil
}

// OutboxStore is the storage a [Deliverer] needs. Implementations must be
// safe for concurrent use, also by several processes sharing one
// database: claiming, finishing and rotating are compare-and-swaps.
// Methods confined to a client take it (from the Delivery) and answer
// [clientele.ErrMissingScope] without it; so do those confined to an
// agency without the agency. Every method serves both kinds of delivery.
type OutboxStore interface {
	// Agency returns the agency id, or clientele.ErrNotFound.
	Agency(ctx context.Context, id clientele.AgencyID) (clientele.Agency, error)
	// Client returns client id of agency, or clientele.ErrNotFound.
	Client(ctx context.Context, agency clientele.AgencyID, id clientele.ClientID) (clientele.Client, error)
	// User returns user id of agency, or clientele.ErrNotFound for an
	// unknown user and for another agency's.
	User(ctx context.Context, agency clientele.AgencyID, id clientele.UserID) (clientele.User, error)
	// Delivery returns delivery id of client, whatever its state, or
	// clientele.ErrNotFound.
	Delivery(ctx context.Context, client clientele.ClientID, id DeliveryID) (Delivery, error)
	// DueDeliveries returns up to limit (1 to 1000, else
	// clientele.ErrInvalidArgument) unsent deliveries whose NextAttemptAt
	// is at or before now, earliest first (ties by id), across every agency
	// and client: it serves the delivery worker only, and a delivery holds
	// no token and no email. It changes nothing.
	DueDeliveries(ctx context.Context, now time.Time, limit int) ([]Delivery, error)
	// ClaimDelivery takes d, as DueDeliveries returned it, until until (a
	// lease): one compare-and-swap that requires the stored delivery to
	// be unsent, due at now, and unchanged in Attempts and NextAttemptAt,
	// and sets NextAttemptAt to until. It returns the claimed delivery.
	// Of concurrent claims of one delivery exactly one succeeds; the
	// others, and a claim of a delivery that is not due or was changed,
	// answer ErrLeaseLost. An unknown delivery answers
	// clientele.ErrNotFound.
	ClaimDelivery(ctx context.Context, d Delivery, now, until time.Time) (Delivery, error)
	// RotateInvitationToken sets the token hash of invitation id of
	// client to hash in one compare-and-swap that requires the invitation
	// to be pending and unexpired at now, and returns the invitation as
	// updated. Otherwise it answers [StatusError] of its status at now
	// (clientele.ErrNotFound for an unknown one) and changes nothing. A
	// hash another invitation has answers clientele.ErrDuplicate.
	RotateInvitationToken(ctx context.Context, client clientele.ClientID, id clientele.InvitationID, hash []byte, now time.Time) (clientele.Invitation, error)
	// CompleteDelivery ends the claimed delivery d: SentAt becomes at and
	// LastError note ("" when the email was sent). It requires d's lease
	// to be held (the stored delivery unsent, with d's Attempts and
	// NextAttemptAt), else it answers ErrLeaseLost and changes nothing. An
	// unknown delivery answers clientele.ErrNotFound, a note longer than
	// [MaxLastError] bytes clientele.ErrInvalidArgument.
	CompleteDelivery(ctx context.Context, d Delivery, at time.Time, note string) error
	// RetryDelivery records a failed attempt of the claimed delivery d:
	// Attempts+1, NextAttemptAt next, LastError lastError. Its lease rule
	// and errors are CompleteDelivery's.
	RetryDelivery(ctx context.Context, d Delivery, next time.Time, lastError string) error
}
