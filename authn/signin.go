package authn

import (
	"context"
	"errors"
	"fmt"
	"net/netip"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/authn/password"
)

// SignInRequest is a password sign-in to one agency's portal.
type SignInRequest struct {
	AgencyID clientele.AgencyID
	Email    string
	Password string
	// Client picks the client when the email is a member of several.
	Client clientele.ClientID
	// IP is the client's address, for rate limiting (see ClientIP).
	IP netip.Addr
}

// SignIn checks a password and starts a session in the chosen client. An
// unknown email, a wrong password and an account without a password all
// answer ErrInvalidCredentials after the same argon2id work. A malformed
// email answers clientele.ErrInvalidEmail; too many attempts for the
// account or the IP a *RateLimitError; a user with several active
// memberships and no Client ErrClientRequired; one with no active
// membership in it ErrNoAccess.
func (s *Service) SignIn(ctx context.Context, r SignInRequest) (string, Identity, error) {
	if r.AgencyID == "" {
		return "", Identity{}, clientele.ErrMissingScope
	}
	email, err := clientele.ParseEmail(r.Email)
	if err != nil {
		return "", Identity{}, err
	}
	account := limitKey("signin", "account", string(r.AgencyID), string(email))
	if err := s.allow(ctx, s.limits.SignInPerAccount, account); err != nil {
		return "", Identity{}, err
	}
	if err := s.allow(ctx, s.limits.SignInPerIP, limitKey("signin", "ip", r.IP.String())); err != nil {
		return "", Identity{}, err
	}
	user, hash, err := s.store.Credentials(ctx, r.AgencyID, email)
	switch {
	case errors.Is(err, clientele.ErrNotFound) || err == nil && hash == "":
		s.hasher.DummyVerify(ctx, r.Password)
		return "", Identity{}, ErrInvalidCredentials
	case err != nil:
		return "", Identity{}, fmt.Errorf("authn: sign in: %w", err)
	}
	rehash, err := s.hasher.Verify(ctx, r.Password, hash)
	if errors.Is(err, password.ErrMismatch) {
		return "", Identity{}, ErrInvalidCredentials
	}
	if err != nil {
		return "", Identity{}, fmt.Errorf("authn: sign in: %w", err)
	}
	s.reset(ctx, s.limits.SignInPerAccount, account)
	if rehash {
		s.rehash(ctx, r.AgencyID, user.ID, r.Password)
	}
	client, err := s.chooseClient(ctx, r.AgencyID, user.ID, r.Client)
	if err != nil {
		return "", Identity{}, err
	}
	return s.startSession(ctx, r.AgencyID, client, user.ID)
}

// rehash stores the password under the current parameters; a failure is
// logged and retried at the next sign-in.
func (s *Service) rehash(ctx context.Context, agency clientele.AgencyID, user clientele.UserID, pw string) {
	hash, err := s.hasher.Hash(ctx, pw)
	if err == nil {
		err = s.store.SetPasswordHash(ctx, agency, user, hash)
	}
	if err != nil {
		s.log.WarnContext(ctx, "password rehash failed", "user", user, "err", err)
		return
	}
	s.log.InfoContext(ctx, "password rehashed", "user", user)
}
