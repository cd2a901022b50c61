package authn

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/netip"
	"strings"

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
	// Device is the browser's device token (see RememberDevice), or "".
	Device string
}

// SignIn checks a password and starts a session in the chosen client. An
// unknown email, a wrong password and an account without a password all
// answer ErrInvalidCredentials after the same argon2id work. A malformed
// email answers clientele.ErrInvalidEmail; too many attempts (see
// [Limits]) a *RateLimitError; a user with several active memberships and
// no Client ErrClientRequired; one with no active membership in it
// ErrNoAccess.
func (s *Service) SignIn(ctx context.Context, r SignInRequest) (string, Identity, error) {
	if r.AgencyID == "" {
		return "", Identity{}, clientele.ErrMissingScope
	}
	email, err := clientele.ParseEmail(r.Email)
	if err != nil {
		return "", Identity{}, err
	}
	acct, err := s.account(ctx, r.AgencyID, email)
	if err != nil {
		return "", Identity{}, err
	}
	if err := s.checkPassword(ctx, acct, r.Password, r.IP, r.Device); err != nil {
		return "", Identity{}, err
	}
	client, err := s.chooseClient(ctx, r.AgencyID, acct.user.ID, r.Client)
	if err != nil {
		return "", Identity{}, err
	}
	return s.startSession(ctx, r.AgencyID, client, acct.user.ID, s.time())
}

// account is what a password is checked against: the agency's user with
// an email, if any, and its password hash ("" for none).
type account struct {
	agency clientele.AgencyID
	email  clientele.Email
	user   clientele.User
	hash   string
	found  bool
}

// account reads the agency's user with email; an unknown email is an
// account not found, not an error.
func (s *Service) account(ctx context.Context, agency clientele.AgencyID, email clientele.Email) (account, error) {
	a := account{agency: agency, email: email}
	var err error
	a.user, a.hash, err = s.store.Credentials(ctx, agency, email)
	switch {
	case err == nil:
		a.found = true
	case !errors.Is(err, clientele.ErrNotFound):
		return account{}, fmt.Errorf("authn: sign in: %w", err)
	}
	return a, nil
}

// checkPassword verifies pw for a, first counting the attempt: from a
// browser holding a device token of a's user under SignInPerDevice alone,
// else under SignInPerAccountIP and SignInPerIP for ip. A success starts
// the first count that applied again and re-hashes an outdated hash. An
// unknown account, a wrong password and an account without a password all
// answer ErrInvalidCredentials after the same argon2id work.
func (s *Service) checkPassword(ctx context.Context, a account, pw string, ip netip.Addr, device string) error {
	var rule Rule
	var key string
	if d, ok := s.device(ctx, a.agency, device); ok && a.found && d.UserID == a.user.ID {
		rule, key = s.limits.SignInPerDevice, hashedKey("signin-device", string(d.TokenHash))
		if err := s.allow(ctx, rule, key); err != nil {
			return err
		}
	} else {
		addr := addressKey(ip)
		rule, key = s.limits.SignInPerAccountIP, hashedKey("signin-account", string(a.agency), string(a.email), addr)
		if err := s.allow(ctx, rule, key); err != nil {
			return err
		}
		if err := s.allow(ctx, s.limits.SignInPerIP, limitKey("signin", "ip", addr)); err != nil {
			return err
		}
	}
	if !a.found || a.hash == "" {
		s.hasher.DummyVerify(ctx, pw)
		return ErrInvalidCredentials
	}
	rehash, err := s.hasher.Verify(ctx, pw, a.hash)
	if errors.Is(err, password.ErrMismatch) {
		return ErrInvalidCredentials
	}
	if err != nil {
		return fmt.Errorf("authn: sign in: %w", err)
	}
	s.reset(ctx, rule, key)
	if rehash {
		s.rehash(ctx, a.agency, a.user.ID, pw)
	}
	return nil
}

// hashedKey is a rate-limit key of kind for parts of any length: their
// SHA-256, so that a long email never pushes the address out of the key.
func hashedKey(kind string, parts ...string) string {
	h := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return kind + "|" + base64.RawURLEncoding.EncodeToString(h[:])
}

// rehash stores the password under the current parameters; a failure is
// logged and retried at the next sign-in.
func (s *Service) rehash(ctx context.Context, agency clientele.AgencyID, user clientele.UserID, pw string) {
	hash, err := s.hasher.Rehash(ctx, pw)
	if err == nil {
		err = s.store.SetPasswordHash(ctx, agency, user, hash)
	}
	if err != nil {
		s.log.WarnContext(ctx, "password rehash failed", "user", user, "err", err)
		return
	}
	s.log.InfoContext(ctx, "password rehashed", "user", user)
}
