package memory

import (
	"context"
	"fmt"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/invite"
)

// AcceptInvitation carries out a under the write lock: the invitation with
// a.TokenHash, pending and unexpired at a.Now, becomes accepted; the
// agency's user with its email must be a.Account when it exists (its name
// and password stay), and is created from a.NewUser and a.PasswordHash
// when it does not, with a.Passkey (if set) as its first passkey, stored
// under the invitation's agency and the new user's id; and an active
// membership with the invited role is created. An unknown hash answers
// [clientele.ErrNotFound], an invitation no longer pending
// [invite.StatusError] of its status at a.Now, an email whose user is not
// a.Account [invite.ErrSignInRequired], a passkey for an existing user
// [invite.ErrHasAccount], an existing membership
// [invite.ErrAlreadyMember], a new user without an id or an invalid
// passkey [clientele.ErrInvalidArgument], and a new user id or credential
// id that is taken [clientele.ErrDuplicate]. a.Audit is recorded under the
// same lock, its Actor the accepting user. On any error nothing changes.
func (s *Store) AcceptInvitation(_ context.Context, a invite.Acceptance) (clientele.Member, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	inv, err := s.byHash(a.TokenHash)
	if err != nil {
		return clientele.Member{}, err
	}
	op := fmt.Sprintf("memory: client %s: accept invitation %s", inv.ClientID, inv.ID)
	if err := invite.StatusError(inv.StatusAt(a.Now)); err != nil {
		return clientele.Member{}, fmt.Errorf("%s: %w", op, err)
	}
	key := userKey{inv.AgencyID, inv.Email}
	id, exists := s.emails[key]
	switch {
	case exists != (a.Account != "") || exists && id != a.Account:
		return clientele.Member{}, fmt.Errorf("%s: %w", op, invite.ErrSignInRequired)
	case exists && a.Passkey != nil:
		return clientele.Member{}, fmt.Errorf("%s: %w", op, invite.ErrHasAccount)
	case exists:
		if _, ok := s.members[inv.ClientID][id]; ok {
			return clientele.Member{}, fmt.Errorf("%s: %w", op, invite.ErrAlreadyMember)
		}
	default:
		id = a.NewUser.ID
		if id == "" {
			return clientele.Member{}, invalid("accept invitation", "new user without id")
		}
		if _, taken := s.users[id]; taken {
			return clientele.Member{}, fmt.Errorf("memory: accept invitation %s: user %s: %w", inv.ID, id, clientele.ErrDuplicate)
		}
	}
	var pk clientele.Passkey
	if a.Passkey != nil {
		pk = *a.Passkey
		pk.AgencyID, pk.UserID = inv.AgencyID, id
		if err := validPasskey("accept invitation", pk); err != nil {
			return clientele.Member{}, err
		}
		if _, taken := s.passkeys[string(pk.ID)]; taken {
			return clientele.Member{}, fmt.Errorf("memory: accept invitation %s: passkey: %w", inv.ID, clientele.ErrDuplicate)
		}
	}
	ev := a.Audit
	ev.Actor = string(id)
	if err := checkStamp("accept invitation", ev); err != nil {
		return clientele.Member{}, err
	}
	if err := s.auditFree(ev); err != nil {
		return clientele.Member{}, err
	}

	// Every check passed: from here on nothing fails.
	if !exists {
		u := a.NewUser
		u.AgencyID, u.Email = inv.AgencyID, inv.Email
		s.users[id] = user{User: u, passwordHash: a.PasswordHash}
		s.emails[key] = id
	}
	if a.Passkey != nil {
		s.passkeys[string(pk.ID)] = clonePasskey(pk)
	}
	before := inv
	inv.Status, inv.AcceptedBy = clientele.InvitationAccepted, id
	s.invitations[inv.ID] = inv
	s.recordInvitation(ev, clientele.AuditInvitationAccept, &before, inv)
	if s.members[inv.ClientID] == nil {
		s.members[inv.ClientID] = make(map[clientele.UserID]clientele.Membership)
	}
	s.members[inv.ClientID][id] = clientele.Membership{
		ClientID:  inv.ClientID,
		UserID:    id,
		Role:      inv.Role,
		Status:    clientele.StatusActive,
		CreatedAt: a.Now,
	}
	m, _ := s.member(inv.ClientID, id)
	return m, nil
}
