package memory

import (
	"context"
	"fmt"
	"time"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/invite"
)

// CreateInvitation stores inv as pending. It fails with
// [invite.ErrAlreadyMember] when inv.Email has a membership in the client,
// with [invite.ErrPendingExists] when the client has another invitation
// for the email pending at now, with [clientele.ErrDuplicate] for an
// existing id or token hash, and with [clientele.ErrNotFound] when the
// client is not one of inv.AgencyID. Pending invitations for the email
// that expired at now are marked expired when inv is stored. A non-nil
// queue is stored with inv (see [invite.CheckQueued]; an existing id
// answers [clientele.ErrDuplicate]), and so is ev; on any error nothing
// is stored.
func (s *Store) CreateInvitation(_ context.Context, inv clientele.Invitation, now time.Time, queue *invite.Delivery, ev clientele.AuditEvent) error {
	if err := clientScope("create invitation", inv.AgencyID, inv.ClientID); err != nil {
		return err
	}
	if err := validInvitation("create invitation", inv); err != nil {
		return err
	}
	if err := validQueue("create invitation", queue, inv); err != nil {
		return err
	}
	if err := checkStamp("create invitation", ev); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.client(inv.AgencyID, inv.ClientID); err != nil {
		return err
	}
	if id, ok := s.emails[userKey{inv.AgencyID, inv.Email}]; ok {
		if _, ok := s.members[inv.ClientID][id]; ok {
			return fmt.Errorf("memory: client %s: invitation %s: %w", inv.ClientID, inv.ID, invite.ErrAlreadyMember)
		}
	}
	var expired []clientele.InvitationID
	for _, id := range s.invited[inv.ClientID] {
		other := s.invitations[id]
		if other.Email != inv.Email || other.Status != clientele.InvitationPending {
			continue
		}
		if other.StatusAt(now) == clientele.InvitationPending {
			return fmt.Errorf("memory: client %s: invitation %s: %w", inv.ClientID, inv.ID, invite.ErrPendingExists)
		}
		expired = append(expired, id)
	}
	if err := s.fresh(inv, queue); err != nil {
		return err
	}
	if err := s.auditFree(ev); err != nil {
		return err
	}
	for _, id := range expired {
		other := s.invitations[id]
		other.Status = clientele.InvitationExpired
		s.invitations[id] = other
	}
	s.insert(inv, queue)
	s.recordInvitation(ev, clientele.AuditInvitationCreate, nil, s.invitations[inv.ID])
	return nil
}

// Invitation returns invitation id of client, whatever its status, or
// [clientele.ErrNotFound].
func (s *Store) Invitation(_ context.Context, client clientele.ClientID, id clientele.InvitationID) (clientele.Invitation, error) {
	if client == "" {
		return clientele.Invitation{}, missingScope("invitation", "client")
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	inv, err := s.invitation(client, id)
	if err != nil {
		return clientele.Invitation{}, err
	}
	return cloneInvitation(inv), nil
}

// InvitationByTokenHash returns the invitation whose token hash is hash,
// whatever its status, or [clientele.ErrNotFound]; an empty hash matches
// none.
func (s *Store) InvitationByTokenHash(_ context.Context, hash []byte) (clientele.Invitation, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	inv, err := s.byHash(hash)
	if err != nil {
		return clientele.Invitation{}, err
	}
	return cloneInvitation(inv), nil
}

// ReplaceInvitation marks invitation old of client replaced by next and
// stores next, which must be for the same agency, client and email, with
// the delivery queue when it is not nil, as CreateInvitation does. old's
// stored status must be pending; otherwise it answers
// [invite.StatusError] of it. ev is recorded with the change. On any
// error nothing changes.
func (s *Store) ReplaceInvitation(_ context.Context, client clientele.ClientID, old clientele.InvitationID, next clientele.Invitation, queue *invite.Delivery, ev clientele.AuditEvent) error {
	if client == "" {
		return missingScope("replace invitation", "client")
	}
	if err := validInvitation("replace invitation", next); err != nil {
		return err
	}
	if err := validQueue("replace invitation", queue, next); err != nil {
		return err
	}
	if err := checkStamp("replace invitation", ev); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	prev, err := s.invitation(client, old)
	if err != nil {
		return err
	}
	if next.ClientID != prev.ClientID || next.AgencyID != prev.AgencyID || next.Email != prev.Email {
		return invalid("replace invitation", "the new invitation must be for the same agency, client and email")
	}
	if err := invite.StatusError(prev.Status); err != nil {
		return fmt.Errorf("memory: client %s: invitation %s: %w", client, old, err)
	}
	if err := s.fresh(next, queue); err != nil {
		return err
	}
	if err := s.auditFree(ev); err != nil {
		return err
	}
	before := prev
	prev.Status = clientele.InvitationReplaced
	prev.ReplacedBy = next.ID
	s.invitations[old] = prev
	s.insert(next, queue)
	s.recordInvitation(ev, clientele.AuditInvitationResend, &before, prev)
	return nil
}

// CancelInvitation marks the pending invitation id of client cancelled
// and records ev; otherwise it answers [invite.StatusError] of its stored
// status and changes nothing.
func (s *Store) CancelInvitation(_ context.Context, client clientele.ClientID, id clientele.InvitationID, ev clientele.AuditEvent) error {
	if client == "" {
		return missingScope("cancel invitation", "client")
	}
	if err := checkStamp("cancel invitation", ev); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	inv, err := s.invitation(client, id)
	if err != nil {
		return err
	}
	if err := invite.StatusError(inv.Status); err != nil {
		return fmt.Errorf("memory: client %s: invitation %s: %w", client, id, err)
	}
	if err := s.auditFree(ev); err != nil {
		return err
	}
	before := inv
	inv.Status = clientele.InvitationCancelled
	s.invitations[id] = inv
	s.recordInvitation(ev, clientele.AuditInvitationCancel, &before, inv)
	return nil
}

// recordInvitation records ev, the change action of an invitation from
// before (nil for a new one) to after. The caller holds the write lock.
func (s *Store) recordInvitation(ev clientele.AuditEvent, action string, before *clientele.Invitation, after clientele.Invitation) {
	ev.AgencyID, ev.ClientID, ev.Action, ev.Target = after.AgencyID, after.ClientID, action, string(after.ID)
	ev.Before, ev.After = "", clientele.AuditInvitation(after)
	if before != nil {
		ev.Before = clientele.AuditInvitation(*before)
	}
	s.record(ev)
}

// validInvitation checks a new invitation (invite.ValidateNew).
func validInvitation(op string, inv clientele.Invitation) error {
	if err := invite.ValidateNew(inv); err != nil {
		return fmt.Errorf("memory: %s: %w", op, err)
	}
	return nil
}

// fresh reports [clientele.ErrDuplicate] when inv's id or token hash, or
// the id of queue (if any), is taken. The caller holds the lock.
func (s *Store) fresh(inv clientele.Invitation, queue *invite.Delivery) error {
	if _, ok := s.invitations[inv.ID]; ok {
		return fmt.Errorf("memory: invitation %s: %w", inv.ID, clientele.ErrDuplicate)
	}
	if _, ok := s.hashes[string(inv.TokenHash)]; ok {
		return fmt.Errorf("memory: invitation %s: token hash: %w", inv.ID, clientele.ErrDuplicate)
	}
	if queue != nil {
		if _, ok := s.deliveries[queue.ID]; ok {
			return fmt.Errorf("memory: delivery %s: %w", queue.ID, clientele.ErrDuplicate)
		}
	}
	return nil
}

// insert stores a copy of inv as pending, and of queue unless nil. The
// caller holds the lock.
func (s *Store) insert(inv clientele.Invitation, queue *invite.Delivery) {
	inv = cloneInvitation(inv)
	inv.Status = clientele.InvitationPending
	inv.ReplacedBy, inv.AcceptedBy = "", ""
	s.invitations[inv.ID] = inv
	s.hashes[string(inv.TokenHash)] = inv.ID
	s.invited[inv.ClientID] = append(s.invited[inv.ClientID], inv.ID)
	if queue != nil {
		s.deliveries[queue.ID] = *queue
	}
}

// invitation returns invitation id of client. The caller holds the lock.
func (s *Store) invitation(client clientele.ClientID, id clientele.InvitationID) (clientele.Invitation, error) {
	inv, ok := s.invitations[id]
	if !ok || inv.ClientID != client {
		return clientele.Invitation{}, fmt.Errorf("memory: client %s: invitation %s: %w", client, id, clientele.ErrNotFound)
	}
	return inv, nil
}

// byHash returns the invitation with token hash. The caller holds the lock.
func (s *Store) byHash(hash []byte) (clientele.Invitation, error) {
	id, ok := s.hashes[string(hash)]
	if !ok || len(hash) == 0 {
		return clientele.Invitation{}, fmt.Errorf("memory: invitation by token hash: %w", clientele.ErrNotFound)
	}
	return s.invitations[id], nil
}
