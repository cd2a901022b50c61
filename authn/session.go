package authn

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/internal/token"
)

// Identity is who a request comes from, as it is now.
type Identity struct {
	// Principal carries the membership's current role.
	Principal clientele.Principal
	// Member is the membership with the user's name and email.
	Member clientele.Member
	// Permissions are the client's current permissions.
	Permissions clientele.PermissionSet
	// SignedInAt is when the user last proved who they are (see
	// Session.SignedInAt).
	SignedInAt time.Time
	// ExpiresAt is when the session ends at the latest.
	ExpiresAt time.Time
}

// Resolve returns the identity behind a session token, read fresh: the
// current role and status of the membership and the client's current
// permissions. A malformed, unknown, signed-out, expired or idle session,
// a removed membership and a deactivated one all answer
// clientele.ErrUnauthenticated.
func (s *Service) Resolve(ctx context.Context, tok string) (Identity, error) {
	hash, err := token.Hash(tok)
	if err != nil {
		return Identity{}, fmt.Errorf("authn: session: %w", clientele.ErrUnauthenticated)
	}
	now := s.time()
	r, err := s.store.ResolveSession(ctx, hash, now, now.Add(-s.idle))
	if errors.Is(err, clientele.ErrNotFound) {
		return Identity{}, fmt.Errorf("authn: session: %w", clientele.ErrUnauthenticated)
	}
	if err != nil {
		return Identity{}, fmt.Errorf("authn: resolve: %w", err)
	}
	if r.Member.Status != clientele.StatusActive {
		return Identity{}, fmt.Errorf("authn: membership %s: %w", r.Member.Status, clientele.ErrUnauthenticated)
	}
	if now.Sub(r.Session.LastSeenAt) >= touchInterval {
		if err := s.store.TouchSession(ctx, hash, now); err != nil {
			// The request is still authentic; only the idle clock is late.
			s.log.WarnContext(ctx, "session touch failed", "user", r.Session.UserID, "err", err)
		}
	}
	return identity(r), nil
}

func identity(r Resolved) Identity {
	m := r.Member
	return Identity{
		Principal:   clientele.ClientUser(r.Session.AgencyID, m.ClientID, m.UserID, m.Role),
		Member:      m,
		Permissions: r.Permissions,
		SignedInAt:  r.Session.SignedInAt,
		ExpiresAt:   r.Session.ExpiresAt,
	}
}

// SignOut ends the session of tok; an unknown or malformed token is not an
// error (the session is gone either way).
func (s *Service) SignOut(ctx context.Context, tok string) error {
	hash, err := token.Hash(tok)
	if err != nil {
		return nil
	}
	if err := s.store.DeleteSession(ctx, hash); err != nil {
		return fmt.Errorf("authn: sign out: %w", err)
	}
	return nil
}

// RevokeUser ends every session of the user in the agency, in every
// client, and returns how many there were.
func (s *Service) RevokeUser(ctx context.Context, agency clientele.AgencyID, user clientele.UserID) (int, error) {
	if agency == "" || user == "" {
		return 0, clientele.ErrMissingScope
	}
	n, err := s.store.DeleteUserSessions(ctx, agency, user)
	if err != nil {
		return 0, fmt.Errorf("authn: revoke: %w", err)
	}
	s.log.InfoContext(ctx, "sessions revoked", "agency", agency, "user", user, "count", n)
	return n, nil
}

// startSession makes a new session for the user's active membership in
// client, records the activity and returns the token (shown once) and the
// identity. signedIn is when the user proved who they are: now for a
// sign-in, an earlier session's for a session started from it. The
// absolute timeout runs from it.
func (s *Service) startSession(ctx context.Context, agency clientele.AgencyID, client clientele.ClientID, user clientele.UserID, signedIn time.Time) (string, Identity, error) {
	tok, hash := token.New()
	now := s.time()
	if signedIn.IsZero() || signedIn.After(now) {
		signedIn = now
	}
	sess := Session{TokenHash: hash, AgencyID: agency, ClientID: client, UserID: user,
		CreatedAt: now, SignedInAt: signedIn, LastSeenAt: now, ExpiresAt: signedIn.Add(s.absolute)}
	if !sess.ExpiresAt.After(now) {
		return "", Identity{}, fmt.Errorf("authn: start session: the sign-in is too old: %w", clientele.ErrUnauthenticated)
	}
	if err := s.store.CreateSession(ctx, sess); err != nil {
		return "", Identity{}, fmt.Errorf("authn: start session: %w", err)
	}
	if err := s.store.RecordActivity(ctx, client, user, now); err != nil {
		s.log.WarnContext(ctx, "activity not recorded", "client", client, "user", user, "err", err)
	}
	id, err := s.Resolve(ctx, tok)
	if err != nil {
		return "", Identity{}, err
	}
	s.log.InfoContext(ctx, "session started", "agency", agency, "client", client, "user", user)
	return tok, id, nil
}

// chooseClient picks the client a sign-in acts in: the one asked for,
// which must be an active membership, or the only active one.
func (s *Service) chooseClient(ctx context.Context, agency clientele.AgencyID, user clientele.UserID, want clientele.ClientID) (clientele.ClientID, error) {
	ms, err := s.store.Memberships(ctx, agency, user)
	if err != nil {
		return "", fmt.Errorf("authn: memberships: %w", err)
	}
	ms = slices.DeleteFunc(ms, func(m clientele.Membership) bool { return m.Status != clientele.StatusActive })
	switch {
	case want != "":
		if slices.ContainsFunc(ms, func(m clientele.Membership) bool { return m.ClientID == want }) {
			return want, nil
		}
		return "", ErrNoAccess
	case len(ms) == 1:
		return ms[0].ClientID, nil
	case len(ms) == 0:
		return "", ErrNoAccess
	}
	return "", ErrClientRequired
}
