package memory

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/invite"
)

// Delivery returns delivery id of client, whatever its state, or
// [clientele.ErrNotFound].
func (s *Store) Delivery(_ context.Context, client clientele.ClientID, id invite.DeliveryID) (invite.Delivery, error) {
	if client == "" {
		return invite.Delivery{}, missingScope("delivery", "client")
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	d, err := s.delivery(client, id)
	if err != nil {
		return invite.Delivery{}, err
	}
	return cloneDelivery(d), nil
}

// DueDeliveries returns up to limit (1 to 1000) unsent deliveries due at
// now, earliest first, ties by id, of every client. It scans them all:
// this store is for tests and prototypes.
func (s *Store) DueDeliveries(_ context.Context, now time.Time, limit int) ([]invite.Delivery, error) {
	if limit < 1 || limit > 1000 {
		return nil, invalid("due deliveries", "limit %d outside 1..1000", limit)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var due []invite.Delivery
	for _, d := range s.deliveries {
		if d.SentAt == nil && !d.NextAttemptAt.After(now) {
			due = append(due, cloneDelivery(d))
		}
	}
	slices.SortFunc(due, func(a, b invite.Delivery) int {
		return cmp.Or(a.NextAttemptAt.Compare(b.NextAttemptAt), cmp.Compare(a.ID, b.ID))
	})
	return due[:min(limit, len(due))], nil
}

// ClaimDelivery sets NextAttemptAt of d to until when the stored delivery
// is unsent, due at now and unchanged since d was read; otherwise it
// answers [invite.ErrLeaseLost], or [clientele.ErrNotFound] for an
// unknown one.
func (s *Store) ClaimDelivery(_ context.Context, d invite.Delivery, now, until time.Time) (invite.Delivery, error) {
	if d.ClientID == "" {
		return invite.Delivery{}, missingScope("claim delivery", "client")
	}
	if !until.After(now) {
		return invite.Delivery{}, invalid("claim delivery", "lease ends at or before now")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, err := s.leased("claim delivery", d)
	if err != nil {
		return invite.Delivery{}, err
	}
	if cur.NextAttemptAt.After(now) {
		return invite.Delivery{}, fmt.Errorf("memory: claim delivery %s: not due: %w", d.ID, invite.ErrLeaseLost)
	}
	cur.NextAttemptAt = until
	s.deliveries[d.ID] = cur
	return cloneDelivery(cur), nil
}

// CompleteDelivery ends the claimed delivery d at at with note; see
// [invite.OutboxStore].
func (s *Store) CompleteDelivery(_ context.Context, d invite.Delivery, at time.Time, note string) error {
	return s.finish("complete delivery", d, note, func(cur *invite.Delivery) { cur.SentAt = &at })
}

// RetryDelivery records a failed attempt of the claimed delivery d; see
// [invite.OutboxStore].
func (s *Store) RetryDelivery(_ context.Context, d invite.Delivery, next time.Time, lastError string) error {
	return s.finish("retry delivery", d, lastError, func(cur *invite.Delivery) {
		cur.Attempts++
		cur.NextAttemptAt = next
	})
}

// finish applies change to the claimed delivery d and sets its LastError
// to note, while d's lease is held.
func (s *Store) finish(op string, d invite.Delivery, note string, change func(*invite.Delivery)) error {
	if d.ClientID == "" {
		return missingScope(op, "client")
	}
	if len(note) > invite.MaxLastError {
		return invalid(op, "last error longer than %d bytes", invite.MaxLastError)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, err := s.leased(op, d)
	if err != nil {
		return err
	}
	change(&cur)
	cur.LastError = note
	s.deliveries[d.ID] = cur
	return nil
}

// leased returns the stored delivery d when it is unsent with d's Attempts
// and NextAttemptAt. The caller holds the lock.
func (s *Store) leased(op string, d invite.Delivery) (invite.Delivery, error) {
	cur, err := s.delivery(d.ClientID, d.ID)
	if err != nil {
		return invite.Delivery{}, err
	}
	if cur.SentAt != nil || cur.Attempts != d.Attempts || !cur.NextAttemptAt.Equal(d.NextAttemptAt) {
		return invite.Delivery{}, fmt.Errorf("memory: %s %s: %w", op, d.ID, invite.ErrLeaseLost)
	}
	return cur, nil
}

// RotateInvitationToken sets the token hash of invitation id of client to
// hash while it is pending and unexpired at now; otherwise it answers
// [invite.StatusError] of its status at now, or [clientele.ErrNotFound].
func (s *Store) RotateInvitationToken(_ context.Context, client clientele.ClientID, id clientele.InvitationID, hash []byte, now time.Time) (clientele.Invitation, error) {
	if client == "" {
		return clientele.Invitation{}, missingScope("rotate invitation token", "client")
	}
	if len(hash) == 0 {
		return clientele.Invitation{}, invalid("rotate invitation token", "empty token hash")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	inv, err := s.invitation(client, id)
	if err != nil {
		return clientele.Invitation{}, err
	}
	if err := invite.StatusError(inv.StatusAt(now)); err != nil {
		return clientele.Invitation{}, fmt.Errorf("memory: client %s: rotate invitation %s: %w", client, id, err)
	}
	if _, ok := s.hashes[string(hash)]; ok {
		return clientele.Invitation{}, fmt.Errorf("memory: rotate invitation %s: token hash: %w", id, clientele.ErrDuplicate)
	}
	delete(s.hashes, string(inv.TokenHash))
	inv.TokenHash = slices.Clone(hash)
	s.hashes[string(hash)] = id
	s.invitations[id] = inv
	return cloneInvitation(inv), nil
}

// delivery returns delivery id of client. The caller holds the lock.
func (s *Store) delivery(client clientele.ClientID, id invite.DeliveryID) (invite.Delivery, error) {
	d, ok := s.deliveries[id]
	if !ok || d.ClientID != client {
		return invite.Delivery{}, fmt.Errorf("memory: client %s: delivery %s: %w", client, id, clientele.ErrNotFound)
	}
	return d, nil
}

// validQueue checks the delivery to store with inv, if any.
func validQueue(op string, queue *invite.Delivery, inv clientele.Invitation) error {
	if queue == nil {
		return nil
	}
	if err := invite.CheckQueued(*queue, inv); err != nil {
		return fmt.Errorf("memory: %s: %w", op, err)
	}
	return nil
}

func cloneDelivery(d invite.Delivery) invite.Delivery {
	d.SentAt = cloneTime(d.SentAt)
	return d
}
