package authn

import (
	"crypto/sha256"
	"fmt"
	"strings"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/invite"
)

// MaxCredentialID is the longest passkey credential id a store accepts, in
// bytes (WebAuthn caps credential ids at 1023 bytes).
const MaxCredentialID = 1023

// aaguidSize is the length of an authenticator's AAGUID.
const aaguidSize = 16

// Validate checks a session before a store keeps it: a 32-byte token hash,
// an agency and a client (clientele.ErrMissingScope otherwise), a user and
// a sign-in time, not after CreatedAt. Other failures wrap
// clientele.ErrInvalidArgument.
func (s Session) Validate() error {
	switch {
	case len(s.TokenHash) != sha256.Size:
		return fmt.Errorf("%w: token hash of %d bytes, want %d", clientele.ErrInvalidArgument, len(s.TokenHash), sha256.Size)
	case s.AgencyID == "":
		return fmt.Errorf("no agency: %w", clientele.ErrMissingScope)
	case s.ClientID == "":
		return fmt.Errorf("no client: %w", clientele.ErrMissingScope)
	case s.UserID == "":
		return fmt.Errorf("%w: no user", clientele.ErrInvalidArgument)
	case s.SignedInAt.IsZero() || s.SignedInAt.After(s.CreatedAt):
		return fmt.Errorf("%w: signed in at %v, session created at %v", clientele.ErrInvalidArgument, s.SignedInAt, s.CreatedAt)
	}
	return nil
}

// Validate checks a device before a store keeps it: a 32-byte token hash,
// an agency (clientele.ErrMissingScope otherwise), a user and an expiry
// after its creation. Other failures wrap clientele.ErrInvalidArgument.
func (d Device) Validate() error {
	switch {
	case len(d.TokenHash) != sha256.Size:
		return fmt.Errorf("%w: device token hash of %d bytes, want %d", clientele.ErrInvalidArgument, len(d.TokenHash), sha256.Size)
	case d.AgencyID == "":
		return fmt.Errorf("no agency: %w", clientele.ErrMissingScope)
	case d.UserID == "":
		return fmt.Errorf("%w: device without user", clientele.ErrInvalidArgument)
	case !d.ExpiresAt.After(d.CreatedAt):
		return fmt.Errorf("%w: device expires at %v, before it was made", clientele.ErrInvalidArgument, d.ExpiresAt)
	}
	return nil
}

// Validate checks a credential change of user of agency before a store
// records it: a caller's audit stamp (see clientele.AuditEvent.CheckStamp)
// and, when set, a fresh notice n to that user of that agency (see
// invite.CheckNotice). Failures wrap clientele.ErrInvalidArgument. The
// store checks besides that the notice's client is one of agency.
func (c CredentialChange) Validate(agency clientele.AgencyID, user clientele.UserID, n invite.Notice) error {
	if err := c.Audit.CheckStamp(); err != nil {
		return err
	}
	d := c.Notice
	if d == nil {
		return nil
	}
	if err := invite.CheckNotice(*d); err != nil {
		return err
	}
	if d.AgencyID != agency || d.UserID != user || d.Notice != n {
		return fmt.Errorf("%w: notice %s is not %s to user %s of agency %s", clientele.ErrInvalidArgument, d.ID, n, user, agency)
	}
	return nil
}

// Validate checks a ceremony before a store keeps it: a 32-byte id, a
// known kind and an agency (clientele.ErrMissingScope otherwise).
func (c Ceremony) Validate() error {
	switch {
	case len(c.ID) != sha256.Size:
		return fmt.Errorf("%w: ceremony id of %d bytes, want %d", clientele.ErrInvalidArgument, len(c.ID), sha256.Size)
	case c.Kind != CeremonyRegister && c.Kind != CeremonyLogin:
		return fmt.Errorf("%w: ceremony kind %q", clientele.ErrInvalidArgument, c.Kind)
	case c.AgencyID == "":
		return fmt.Errorf("no agency: %w", clientele.ErrMissingScope)
	}
	return nil
}

// ValidatePasskey checks a passkey before a store keeps it: a credential
// id of 1 to MaxCredentialID bytes, an agency (clientele.ErrMissingScope
// otherwise), a user, an AAGUID of 0 or 16 bytes, and transports that are
// non-empty and hold no comma. Other failures wrap
// clientele.ErrInvalidArgument.
func ValidatePasskey(p clientele.Passkey) error {
	switch {
	case len(p.ID) == 0 || len(p.ID) > MaxCredentialID:
		return fmt.Errorf("%w: credential id of %d bytes, want 1 to %d", clientele.ErrInvalidArgument, len(p.ID), MaxCredentialID)
	case p.AgencyID == "":
		return fmt.Errorf("no agency: %w", clientele.ErrMissingScope)
	case p.UserID == "":
		return fmt.Errorf("%w: passkey without user", clientele.ErrInvalidArgument)
	case len(p.AAGUID) != 0 && len(p.AAGUID) != aaguidSize:
		return fmt.Errorf("%w: AAGUID of %d bytes", clientele.ErrInvalidArgument, len(p.AAGUID))
	}
	for _, t := range p.Transports {
		if t == "" || strings.Contains(t, ",") {
			return fmt.Errorf("%w: transport %q", clientele.ErrInvalidArgument, t)
		}
	}
	return nil
}

// SignCountMoves reports whether a passkey's sign count may go from prev
// to next: up, or from 0 to 0 for an authenticator that keeps no counter
// (WebAuthn §6.1.1). Stores refuse any other move with ErrCounterMismatch.
func SignCountMoves(prev, next uint32) bool {
	return next > prev || prev == 0 && next == 0
}
