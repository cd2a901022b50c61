package invite

import (
	"errors"
	"fmt"

	"github.com/clientele/clientele"
)

// Errors of the invitation lifecycle, matched with [errors.Is].
var (
	// ErrUnknownToken reports a token that is malformed or matches no
	// invitation.
	ErrUnknownToken = errors.New("invite: unknown token")
	// ErrExpired reports an invitation whose link is past its expiry.
	ErrExpired = errors.New("invite: invitation expired")
	// ErrCancelled reports a cancelled invitation.
	ErrCancelled = errors.New("invite: invitation cancelled")
	// ErrReplaced reports an invitation replaced by a resend.
	ErrReplaced = errors.New("invite: invitation replaced by a newer one")
	// ErrUsed reports an invitation already accepted.
	ErrUsed = errors.New("invite: invitation already used")
	// ErrAlreadyMember reports an email that already has a membership in
	// the client.
	ErrAlreadyMember = errors.New("invite: already a member of the client")
	// ErrPendingExists reports an email with a pending invitation to the
	// client.
	ErrPendingExists = errors.New("invite: a pending invitation exists")
	// ErrHasAccount reports a new account's passkey set up for an email
	// that already has a user in the agency: that user signs in with its
	// own credentials instead, and accepting never adds a passkey to it.
	ErrHasAccount = errors.New("invite: the email already has an account")
	// ErrSignInRequired reports an acceptance for an email that already
	// has a user in the agency, made without proof that the caller is
	// that user (see [AcceptRequest].Account). A link is never a sign-in:
	// nothing changed and the link keeps working.
	ErrSignInRequired = errors.New("invite: sign in to accept: the email already has an account")
	// ErrNotDelivered reports an invitation that was stored but whose email
	// could not be sent; it stays pending and can be resent. A Service
	// with [WithOutbox] never returns it: the outbox retries.
	ErrNotDelivered = errors.New("invite: email not delivered")
	// ErrLeaseLost reports a delivery that another worker claimed,
	// finished or changed: the caller leaves it alone.
	ErrLeaseLost = errors.New("invite: delivery lease lost")
)

// StatusError returns the error for an invitation in status s that is no
// longer usable: ErrUsed, ErrCancelled, ErrReplaced or ErrExpired. For
// pending it returns nil. Stores use it to report a lost compare-and-swap.
func StatusError(s clientele.InvitationStatus) error {
	switch s {
	case clientele.InvitationPending:
		return nil
	case clientele.InvitationAccepted:
		return ErrUsed
	case clientele.InvitationCancelled:
		return ErrCancelled
	case clientele.InvitationReplaced:
		return ErrReplaced
	case clientele.InvitationExpired:
		return ErrExpired
	}
	return fmt.Errorf("%w: invitation status %q", clientele.ErrInvalidArgument, s)
}
