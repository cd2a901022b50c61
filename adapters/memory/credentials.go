package memory

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/authn"
	"github.com/clientele/clientele/invite"
)

// Credentials returns the agency's user with email (already normalized)
// and its password hash ("" when it has none), or [clientele.ErrNotFound].
// An empty agency answers [clientele.ErrMissingScope].
func (s *Store) Credentials(_ context.Context, agency clientele.AgencyID, email clientele.Email) (clientele.User, string, error) {
	if agency == "" {
		return clientele.User{}, "", missingScope("credentials", "agency")
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	id, ok := s.emails[userKey{agency, email}]
	if !ok {
		return clientele.User{}, "", fmt.Errorf("memory: agency %s: credentials: %w", agency, clientele.ErrNotFound)
	}
	u := s.users[id]
	return u.User, u.passwordHash, nil
}

// SetPasswordHash replaces the password hash of the agency's user; a user
// that is missing or of another agency answers [clientele.ErrNotFound].
func (s *Store) SetPasswordHash(_ context.Context, agency clientele.AgencyID, user clientele.UserID, hash string) error {
	if agency == "" {
		return missingScope("set password hash", "agency")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[user]
	if !ok || u.AgencyID != agency {
		return fmt.Errorf("memory: agency %s: user %s: set password hash: %w", agency, user, clientele.ErrNotFound)
	}
	u.passwordHash = hash
	s.users[user] = u
	return nil
}

// ChangePassword replaces the password hash of the agency's user and,
// under the same lock, records change (user.password_change; see
// [authn.CredentialChange]). A user that is missing or of another agency
// answers [clientele.ErrNotFound]. On any error nothing changes.
func (s *Store) ChangePassword(_ context.Context, agency clientele.AgencyID, user clientele.UserID, hash string, change authn.CredentialChange) error {
	const op = "change password"
	if agency == "" {
		return missingScope(op, "agency")
	}
	if err := checkChange(op, change, agency, user, invite.NoticePasswordChanged); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[user]
	if !ok || u.AgencyID != agency {
		return fmt.Errorf("memory: agency %s: user %s: change password: %w", agency, user, clientele.ErrNotFound)
	}
	if err := s.changeFree(change, agency); err != nil {
		return err
	}
	u.passwordHash = hash
	s.users[user] = u
	s.recordChange(change, agency, user, clientele.AuditPasswordChange, "", "")
	return nil
}

// Memberships returns the user's memberships in the agency's clients, of
// any status, ordered by client id; none gives an empty list.
func (s *Store) Memberships(_ context.Context, agency clientele.AgencyID, user clientele.UserID) ([]clientele.Membership, error) {
	if agency == "" {
		return nil, missingScope("memberships", "agency")
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	list := []clientele.Membership{}
	for client, ms := range s.members {
		m, ok := ms[user]
		if !ok || s.clients[client].AgencyID != agency {
			continue
		}
		m.LastActiveAt = cloneTime(m.LastActiveAt)
		list = append(list, m)
	}
	slices.SortFunc(list, func(a, b clientele.Membership) int { return cmp.Compare(a.ClientID, b.ClientID) })
	return list, nil
}
