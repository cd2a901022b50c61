package authn

import (
	"context"
	"fmt"
	"net/netip"
	"time"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/invite"
)

// DefaultReauthWindow is how recent a sign-in must be for a credential
// change (adding or removing a passkey, changing the password): past it,
// the user re-authenticates first.
const DefaultReauthWindow = 5 * time.Minute

// fresh reports whether id signed in within the re-authentication window,
// else ErrReauthRequired.
func (s *Service) fresh(id Identity) error {
	if s.time().Sub(id.SignedInAt) > s.reauth {
		return fmt.Errorf("%w: signed in %v ago", ErrReauthRequired, s.time().Sub(id.SignedInAt).Round(time.Second))
	}
	return nil
}

// ReauthRequest proves again, with the current password, that the holder
// of a session is its user.
type ReauthRequest struct {
	// Session is the token of the session; Identity is what Resolve
	// returned for it.
	Session  string
	Identity Identity
	// Password is the user's current password.
	Password string
	// IP is the client's address, for rate limiting (see ClientIP).
	IP netip.Addr
	// Device is the browser's device token (see RememberDevice), or "".
	Device string
}

// Reauthenticate checks the session user's current password, under the
// same limits as a sign-in, and replaces the session with a new one in the
// same client, signed in now: it returns the new token, and the old one
// stops working. A wrong password answers ErrInvalidCredentials and leaves
// the session as it was.
func (s *Service) Reauthenticate(ctx context.Context, r ReauthRequest) (string, Identity, error) {
	p := r.Identity.Principal
	if err := p.Validate(); err != nil {
		return "", Identity{}, err
	}
	acct, err := s.account(ctx, p.AgencyID, r.Identity.Member.Email)
	if err != nil {
		return "", Identity{}, err
	}
	if acct.found && acct.user.ID != p.UserID {
		acct.found = false // not this session's user: fail as a wrong password does
	}
	if err := s.checkPassword(ctx, acct, r.Password, r.IP, r.Device); err != nil {
		return "", Identity{}, err
	}
	return s.renew(ctx, r.Session, r.Identity)
}

// BeginPasskeyReauth starts proving again, with a passkey, that the
// holder of the session id is its user.
func (s *Service) BeginPasskeyReauth(ctx context.Context, id Identity) (PasskeyCeremony, error) {
	p := id.Principal
	if err := p.Validate(); err != nil {
		return PasskeyCeremony{}, err
	}
	return s.beginLogin(ctx, p.AgencyID, p.UserID, ceremonyData{})
}

// FinishPasskeyReauth verifies the assertion of a ceremony
// BeginPasskeyReauth began for the session's user and replaces the session
// (token tok) with a new one signed in now, as Reauthenticate does. A
// ceremony of another user or purpose, or a response that fails, answers
// ErrCeremony and leaves the session as it was.
func (s *Service) FinishPasskeyReauth(ctx context.Context, tok string, id Identity, ceremony string, response []byte) (string, Identity, error) {
	p := id.Principal
	if err := p.Validate(); err != nil {
		return "", Identity{}, err
	}
	if _, err := s.finishLogin(ctx, p.AgencyID, ceremony, response, func(c Ceremony, d ceremonyData) bool {
		return c.UserID == p.UserID && len(d.Invitation) == 0
	}); err != nil {
		return "", Identity{}, err
	}
	return s.renew(ctx, tok, id)
}

// renew starts a session signed in now for id's membership and ends the
// session tok.
func (s *Service) renew(ctx context.Context, tok string, id Identity) (string, Identity, error) {
	p := id.Principal
	next, nid, err := s.startSession(ctx, p.AgencyID, p.ClientID, p.UserID, s.time())
	if err != nil {
		return "", Identity{}, err
	}
	if err := s.SignOut(ctx, tok); err != nil {
		return "", Identity{}, err
	}
	s.log.InfoContext(ctx, "re-authenticated", "user", p.UserID, "client", p.ClientID)
	return next, nid, nil
}

// credentialChange is what a store records with a change p makes to its
// own credentials at now: the audit stamp, and with WithSecurityNotices
// the notice n to the user, scoped to the client p acts in.
func (s *Service) credentialChange(ctx context.Context, p clientele.Principal, n invite.Notice, now time.Time) CredentialChange {
	c := CredentialChange{Audit: clientele.NewAuditStamp(ctx, p, now)}
	if s.notices {
		d := invite.NewNotice(p.AgencyID, p.ClientID, p.UserID, n, now)
		c.Notice = &d
	}
	return c
}

// queued wakes the Deliverer after a change that queued a notice.
func (s *Service) queued(c CredentialChange) {
	if c.Notice != nil && s.notify != nil {
		s.notify()
	}
}

// checkFresh is fresh for the exported methods that change credentials:
// id must be a valid client user signed in within the window.
func (s *Service) checkFresh(id Identity) error {
	if err := id.Principal.Validate(); err != nil {
		return err
	}
	if id.Principal.Kind != clientele.KindClientUser {
		return fmt.Errorf("%w: not a client user", clientele.ErrInvalidArgument)
	}
	return s.fresh(id)
}

// ChangePassword sets the signed-in user's password to next (a new
// password: password.ErrWeakPassword when it fails the rules), ends every
// session of the user, the caller's too, and starts a new one in the
// caller's client, which it returns. The user must have signed
// in within the re-authentication window (else ErrReauthRequired): a
// passkey-only account sets its first password this way.
func (s *Service) ChangePassword(ctx context.Context, id Identity, next string) (string, Identity, error) {
	p := id.Principal
	if err := s.checkFresh(id); err != nil {
		return "", Identity{}, err
	}
	hash, err := s.hasher.Hash(ctx, next)
	if err != nil {
		return "", Identity{}, err
	}
	change := s.credentialChange(ctx, p, invite.NoticePasswordChanged, s.time())
	if err := s.store.ChangePassword(ctx, p.AgencyID, p.UserID, hash, change); err != nil {
		return "", Identity{}, fmt.Errorf("authn: change password: %w", err)
	}
	s.queued(change)
	if _, err := s.RevokeUser(ctx, p.AgencyID, p.UserID); err != nil {
		return "", Identity{}, err
	}
	s.log.InfoContext(ctx, "password changed", "user", p.UserID)
	// The proof stands: the session was fresh and the password is new.
	return s.startSession(ctx, p.AgencyID, p.ClientID, p.UserID, id.SignedInAt)
}
