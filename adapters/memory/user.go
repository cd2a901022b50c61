package memory

import (
	"context"
	"fmt"

	"github.com/clientele/clientele"
)

// user is a stored user with its credentials.
type user struct {
	clientele.User
	passwordHash string
}

// userKey is the unique key of a user: an email within one agency.
type userKey struct {
	agency clientele.AgencyID
	email  clientele.Email
}

// PasswordHash returns the id and the stored password hash of agency's
// user with email (already normalized), or [clientele.ErrNotFound]. An
// empty agency answers [clientele.ErrMissingScope].
func (s *Store) PasswordHash(_ context.Context, agency clientele.AgencyID, email clientele.Email) (clientele.UserID, string, error) {
	if agency == "" {
		return "", "", missingScope("password hash", "agency")
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	id, ok := s.emails[userKey{agency, email}]
	if !ok {
		return "", "", fmt.Errorf("memory: agency %s: user: %w", agency, clientele.ErrNotFound)
	}
	return id, s.users[id].passwordHash, nil
}

// member returns user's membership in client joined with the user, and
// whether it exists. The caller holds the lock.
func (s *Store) member(client clientele.ClientID, id clientele.UserID) (clientele.Member, bool) {
	m, ok := s.members[client][id]
	if !ok {
		return clientele.Member{}, false
	}
	u := s.users[id]
	m.LastActiveAt = cloneTime(m.LastActiveAt)
	return clientele.Member{Membership: m, Email: u.Email, Name: u.Name}, true
}

// UserByEmail returns the agency's user with email (already normalized),
// or [clientele.ErrNotFound]. An empty agency answers
// [clientele.ErrMissingScope].
func (s *Store) UserByEmail(_ context.Context, agency clientele.AgencyID, email clientele.Email) (clientele.User, error) {
	if agency == "" {
		return clientele.User{}, missingScope("user by email", "agency")
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	id, ok := s.emails[userKey{agency, email}]
	if !ok {
		return clientele.User{}, fmt.Errorf("memory: agency %s: user: %w", agency, clientele.ErrNotFound)
	}
	return s.users[id].User, nil
}

// User returns user id of agency, or [clientele.ErrNotFound] for an
// unknown user and for another agency's. An empty agency answers
// [clientele.ErrMissingScope].
func (s *Store) User(_ context.Context, agency clientele.AgencyID, id clientele.UserID) (clientele.User, error) {
	if agency == "" {
		return clientele.User{}, missingScope("user", "agency")
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	u, ok := s.users[id]
	if !ok || u.AgencyID != agency {
		return clientele.User{}, fmt.Errorf("memory: agency %s: user %s: %w", agency, id, clientele.ErrNotFound)
	}
	return u.User, nil
}
