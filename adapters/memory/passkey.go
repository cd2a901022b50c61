package memory

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/authn"
	"github.com/clientele/clientele/invite"
)

// CreatePasskey stores p and, under the same lock, records change
// (user.passkey_add; see [authn.CredentialChange]). A credential id
// already stored (for any user of any agency) answers
// [clientele.ErrDuplicate]; a user that is missing or of another agency
// [clientele.ErrNotFound]; no agency [clientele.ErrMissingScope]; an id
// of 0 or more than 1023 bytes, an AAGUID of neither 0 nor 16 bytes, no
// user, or a transport that is empty or holds a comma
// [clientele.ErrInvalidArgument]. On any error nothing changes.
func (s *Store) CreatePasskey(_ context.Context, p clientele.Passkey, change authn.CredentialChange) error {
	const op = "create passkey"
	if err := validPasskey(op, p); err != nil {
		return err
	}
	if err := checkChange(op, change, p.AgencyID, p.UserID, invite.NoticePasskeyAdded); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if u, ok := s.users[p.UserID]; !ok || u.AgencyID != p.AgencyID {
		return fmt.Errorf("memory: agency %s: user %s: create passkey: %w", p.AgencyID, p.UserID, clientele.ErrNotFound)
	}
	if _, ok := s.passkeys[string(p.ID)]; ok {
		return fmt.Errorf("memory: passkey: %w", clientele.ErrDuplicate)
	}
	if err := s.changeFree(change, p.AgencyID); err != nil {
		return err
	}
	if err := s.addPasskey(p); err != nil {
		return err
	}
	s.recordChange(change, p.AgencyID, p.UserID, clientele.AuditPasskeyAdd, "", clientele.AuditPasskey(p))
	return nil
}

// Passkey returns the credential with id, or [clientele.ErrNotFound].
func (s *Store) Passkey(_ context.Context, id []byte) (clientele.Passkey, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	p, ok := s.passkeys[string(id)]
	if !ok {
		return clientele.Passkey{}, fmt.Errorf("memory: passkey: %w", clientele.ErrNotFound)
	}
	return clonePasskey(p), nil
}

// Passkeys lists the credentials of user in agency ordered by
// (CreatedAt, ID); none gives an empty list.
func (s *Store) Passkeys(_ context.Context, agency clientele.AgencyID, user clientele.UserID) ([]clientele.Passkey, error) {
	if agency == "" {
		return nil, missingScope("passkeys", "agency")
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	list := []clientele.Passkey{}
	for _, p := range s.passkeys {
		if p.AgencyID == agency && p.UserID == user {
			list = append(list, clonePasskey(p))
		}
	}
	slices.SortFunc(list, func(a, b clientele.Passkey) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), bytes.Compare(a.ID, b.ID))
	})
	return list, nil
}

// DeletePasskey deletes credential id of user in agency and, under the
// same lock, records change (user.passkey_remove; see
// [authn.CredentialChange]); a missing one, or one of another user or
// agency, answers [clientele.ErrNotFound]. On any error nothing changes.
func (s *Store) DeletePasskey(_ context.Context, agency clientele.AgencyID, user clientele.UserID, id []byte, change authn.CredentialChange) error {
	const op = "delete passkey"
	if agency == "" {
		return missingScope(op, "agency")
	}
	if err := checkChange(op, change, agency, user, invite.NoticePasskeyRemoved); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.passkeys[string(id)]
	if !ok || p.AgencyID != agency || p.UserID != user {
		return fmt.Errorf("memory: agency %s: user %s: delete passkey: %w", agency, user, clientele.ErrNotFound)
	}
	if err := s.changeFree(change, agency); err != nil {
		return err
	}
	delete(s.passkeys, string(id))
	s.recordChange(change, agency, user, clientele.AuditPasskeyRemove, clientele.AuditPasskey(p), "")
	return nil
}

// UsePasskey sets the sign count of credential id to next and its
// LastUsedAt to at if its count is still prev; otherwise it answers
// [authn.ErrCounterMismatch]. A count that does not move forward (next <=
// prev, unless both are 0: an authenticator without a counter) answers
// ErrCounterMismatch too, and changes nothing. A missing credential
// answers [clientele.ErrNotFound].
func (s *Store) UsePasskey(_ context.Context, id []byte, prev, next uint32, at time.Time) error {
	if !authn.SignCountMoves(prev, next) {
		return fmt.Errorf("memory: use passkey: count %d after %d: %w", next, prev, authn.ErrCounterMismatch)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.passkeys[string(id)]
	if !ok {
		return fmt.Errorf("memory: use passkey: %w", clientele.ErrNotFound)
	}
	if p.SignCount != prev {
		return fmt.Errorf("memory: use passkey: stored count %d, expected %d: %w", p.SignCount, prev, authn.ErrCounterMismatch)
	}
	p.SignCount, p.LastUsedAt = next, &at
	s.passkeys[string(id)] = p
	return nil
}

// addPasskey stores a copy of p unless its id is taken. The caller holds
// the write lock and has checked p and its user.
func (s *Store) addPasskey(p clientele.Passkey) error {
	if _, ok := s.passkeys[string(p.ID)]; ok {
		return fmt.Errorf("memory: passkey: %w", clientele.ErrDuplicate)
	}
	s.passkeys[string(p.ID)] = clonePasskey(p)
	return nil
}

// validPasskey checks a new passkey (authn.ValidatePasskey).
func validPasskey(op string, p clientele.Passkey) error {
	if err := authn.ValidatePasskey(p); err != nil {
		return fmt.Errorf("memory: %s: %w", op, err)
	}
	return nil
}

func clonePasskey(p clientele.Passkey) clientele.Passkey {
	p.ID = slices.Clone(p.ID)
	p.PublicKey = slices.Clone(p.PublicKey)
	p.AAGUID = slices.Clone(p.AAGUID)
	p.Transports = slices.Clone(p.Transports)
	p.LastUsedAt = cloneTime(p.LastUsedAt)
	return p
}
