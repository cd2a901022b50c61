package invite

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/clientele/clientele"
)

// Preview is what the holder of a link may see before accepting.
type Preview struct {
	AgencyID   clientele.AgencyID
	ClientID   clientele.ClientID
	Email      clientele.Email
	Role       clientele.Role
	ClientName string
	Branding   clientele.Branding
	ExpiresAt  time.Time
	// HasAccount is true when the email already has a user in the agency:
	// accepting then needs proof that the caller is that user (see
	// AcceptRequest.Account) and sets up no new credentials.
	HasAccount bool
}

// Lookup returns what the invitation behind token offers. It changes
// nothing, so a mail scanner that fetches the link burns nothing. It
// answers ErrUnknownToken, ErrExpired, ErrCancelled, ErrReplaced or ErrUsed.
func (s *Service) Lookup(ctx context.Context, token string) (Preview, error) {
	inv, err := s.usable(ctx, token)
	if err != nil {
		return Preview{}, err
	}
	c, err := s.store.Client(ctx, inv.AgencyID, inv.ClientID)
	if err != nil {
		return Preview{}, fmt.Errorf("invite: lookup: %w", err)
	}
	a, err := s.store.Agency(ctx, inv.AgencyID)
	if err != nil {
		return Preview{}, fmt.Errorf("invite: lookup: %w", err)
	}
	has, err := s.hasAccount(ctx, inv)
	if err != nil {
		return Preview{}, err
	}
	return Preview{AgencyID: inv.AgencyID, ClientID: inv.ClientID, Email: inv.Email, Role: inv.Role, ClientName: c.Name, Branding: a.Branding,
		ExpiresAt: inv.ExpiresAt, HasAccount: has}, nil
}

// Pending returns the invitation behind token if it can still be
// accepted, in one read; it changes nothing. It answers ErrUnknownToken,
// ErrExpired, ErrCancelled, ErrReplaced or ErrUsed.
func (s *Service) Pending(ctx context.Context, token string) (clientele.Invitation, error) {
	return s.usable(ctx, token)
}

// usable returns the invitation behind token if it can still be accepted.
func (s *Service) usable(ctx context.Context, token string) (clientele.Invitation, error) {
	hash, err := HashToken(token)
	if err != nil {
		return clientele.Invitation{}, err
	}
	inv, err := s.store.InvitationByTokenHash(ctx, hash)
	if err != nil {
		return clientele.Invitation{}, errLookup("lookup", err)
	}
	if err := StatusError(inv.StatusAt(s.time())); err != nil {
		return clientele.Invitation{}, err
	}
	return inv, nil
}

func (s *Service) hasAccount(ctx context.Context, inv clientele.Invitation) (bool, error) {
	_, err := s.store.UserByEmail(ctx, inv.AgencyID, inv.Email)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, clientele.ErrNotFound):
		return false, nil
	}
	return false, fmt.Errorf("invite: %w", err)
}

// AcceptRequest is what accepting needs: the token from the link, and
// either what sets up a new account or the proof of an existing one.
type AcceptRequest struct {
	Token string
	// Name, Password and Passkey set up a new account: a name and a
	// password, a passkey, or both. They are ignored when the invited
	// email already has a user in the agency, whose name and credentials
	// accepting never changes.
	Name     string
	Password string
	// Passkey is a credential already verified by a WebAuthn registration
	// ceremony (package authn); its UserID becomes the new user's id. With
	// a passkey the password may be empty.
	Passkey *clientele.Passkey
	// Account is the user the caller has proved to be, by a session of
	// that user or its current password: the caller (authn.Service's
	// AcceptInvitation, or a host that authenticated the request itself)
	// vouches for it. When the invited email already has a user in the
	// agency, accepting needs Account to be that user, else it answers
	// ErrSignInRequired and changes nothing: a link is never a sign-in.
	// For an email without an account it must be empty.
	Account clientele.UserID
}

// newAccount validates and prepares the new user of an acceptance.
func (s *Service) newAccount(ctx context.Context, r AcceptRequest) (Acceptance, error) {
	name, err := clientele.NormalizeName(r.Name)
	if err != nil {
		return Acceptance{}, err
	}
	a := Acceptance{NewUser: clientele.User{ID: clientele.UserID(clientele.NewID("usr")), Name: name}}
	if r.Passkey != nil {
		if r.Passkey.UserID == "" || !clientele.ValidID(string(r.Passkey.UserID)) || len(r.Passkey.ID) == 0 {
			return Acceptance{}, fmt.Errorf("%w: passkey without user or credential id", clientele.ErrInvalidArgument)
		}
		pk := *r.Passkey
		a.NewUser.ID, a.Passkey = pk.UserID, &pk
	}
	if r.Passkey == nil || r.Password != "" {
		if a.PasswordHash, err = s.hasher.Hash(ctx, r.Password); err != nil {
			return Acceptance{}, err
		}
	}
	return a, nil
}

// Accept uses the link once. For an email without an account in the
// agency it creates the user (argon2id password, passkey, or both); for
// one with an account it needs r.Account to be that user (else
// ErrSignInRequired) and leaves the user's name and credentials as they
// are. Either way it adds an active membership with the invited role,
// atomically, and the store checks the account again inside that step, so
// an account created meanwhile is never taken over. Of concurrent calls
// with one token exactly one succeeds; the others answer ErrUsed. The
// acceptance is recorded in the client's audit log, the user as its actor.
// Errors: ErrUnknownToken, ErrExpired, ErrCancelled, ErrReplaced, ErrUsed,
// ErrAlreadyMember, ErrSignInRequired, ErrHasAccount (a passkey for an
// existing account), clientele.ErrInvalidArgument for a bad name and
// password.ErrWeakPassword for a weak password.
func (s *Service) Accept(ctx context.Context, r AcceptRequest) (clientele.Member, error) {
	inv, err := s.usable(ctx, r.Token)
	if err != nil {
		return clientele.Member{}, err
	}
	has, err := s.hasAccount(ctx, inv)
	if err != nil {
		return clientele.Member{}, err
	}
	now := s.time()
	var a Acceptance
	switch {
	case has || r.Account != "":
		// The store judges the proof inside its write, after the link's
		// status, so a link used meanwhile answers ErrUsed rather than a
		// missing proof. No credential is set up for an existing account:
		// a passkey only tells the store that one was asked for
		// (ErrHasAccount).
		a.Account = r.Account
		if r.Passkey != nil {
			pk := *r.Passkey
			a.Passkey = &pk
		}
	default:
		if a, err = s.newAccount(ctx, r); err != nil {
			return clientele.Member{}, err
		}
		a.NewUser.CreatedAt = now
	}
	a.TokenHash, a.Now = inv.TokenHash, now
	a.Audit = clientele.NewAuditStamp(ctx, clientele.Principal{}, a.Now)
	if a.Passkey != nil {
		a.Passkey.AgencyID, a.Passkey.CreatedAt = inv.AgencyID, a.Now
	}
	m, err := s.store.AcceptInvitation(ctx, a)
	if err != nil {
		return clientele.Member{}, errLookup("accept", err)
	}
	s.log.InfoContext(ctx, "invitation accepted", "invitation", inv.ID, "client", inv.ClientID, "user", m.UserID)
	return m, nil
}
