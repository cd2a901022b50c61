package memory

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/authn"
)

// CreateSession stores s. A session whose hash is not 32 bytes or that has
// no user answers [clientele.ErrInvalidArgument], one without agency or
// client [clientele.ErrMissingScope]; a taken hash answers
// [clientele.ErrDuplicate]; a membership that does not exist, or whose
// client is not of s.AgencyID, answers [clientele.ErrNotFound]. Sessions
// that expired by s.CreatedAt are forgotten.
func (s *Store) CreateSession(_ context.Context, sess authn.Session) error {
	if err := validSession(sess); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.sessions[string(sess.TokenHash)]; ok {
		return fmt.Errorf("memory: session: %w", clientele.ErrDuplicate)
	}
	if _, ok := s.members[sess.ClientID][sess.UserID]; !ok || s.clients[sess.ClientID].AgencyID != sess.AgencyID {
		return memberNotFound(sess.ClientID, sess.UserID)
	}
	maps.DeleteFunc(s.sessions, func(_ string, old authn.Session) bool { return !sess.CreatedAt.Before(old.ExpiresAt) })
	s.sessions[string(sess.TokenHash)] = cloneSession(sess)
	return nil
}

// ResolveSession returns the session with hash, with its membership and
// its client's permissions as they are now. A session that is missing,
// whose membership is gone, that expired at now (now >= ExpiresAt) or
// that has been idle since idleSince (LastSeenAt <= idleSince) answers
// [clientele.ErrNotFound].
func (s *Store) ResolveSession(_ context.Context, hash []byte, now, idleSince time.Time) (authn.Resolved, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	sess, ok := s.sessions[string(hash)]
	if !ok || !now.Before(sess.ExpiresAt) || !sess.LastSeenAt.After(idleSince) {
		return authn.Resolved{}, fmt.Errorf("memory: session: %w", clientele.ErrNotFound)
	}
	c := s.clients[sess.ClientID]
	m, ok := s.member(sess.ClientID, sess.UserID)
	if !ok || c.AgencyID != sess.AgencyID {
		return authn.Resolved{}, fmt.Errorf("memory: session: %w", clientele.ErrNotFound)
	}
	return authn.Resolved{Session: cloneSession(sess), Member: m, Permissions: slices.Clone(c.Permissions)}, nil
}

// TouchSession sets the session's LastSeenAt to at; a missing session is
// not an error.
func (s *Store) TouchSession(_ context.Context, hash []byte, at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sess, ok := s.sessions[string(hash)]; ok {
		sess.LastSeenAt = at
		s.sessions[string(hash)] = sess
	}
	return nil
}

// DeleteSession deletes the session with hash; a missing one is not an
// error.
func (s *Store) DeleteSession(_ context.Context, hash []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.sessions, string(hash))
	return nil
}

// DeleteUserSessions deletes every session of user in agency and returns
// how many there were.
func (s *Store) DeleteUserSessions(_ context.Context, agency clientele.AgencyID, user clientele.UserID) (int, error) {
	if agency == "" {
		return 0, missingScope("delete user sessions", "agency")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.sessions)
	maps.DeleteFunc(s.sessions, func(_ string, sess authn.Session) bool {
		return sess.AgencyID == agency && sess.UserID == user
	})
	return n - len(s.sessions), nil
}

// endSessions deletes the sessions acting through user's membership in
// client. The caller holds the write lock.
func (s *Store) endSessions(client clientele.ClientID, user clientele.UserID) {
	maps.DeleteFunc(s.sessions, func(_ string, sess authn.Session) bool {
		return sess.ClientID == client && sess.UserID == user
	})
}

// validSession checks a new session (authn.Session.Validate).
func validSession(sess authn.Session) error {
	if err := sess.Validate(); err != nil {
		return fmt.Errorf("memory: create session: %w", err)
	}
	return nil
}

func cloneSession(sess authn.Session) authn.Session {
	sess.TokenHash = slices.Clone(sess.TokenHash)
	return sess
}
