package bunstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/invite"
)

// Delivery returns delivery id of client, whatever its state, or
// [clientele.ErrNotFound].
func (s *Store) Delivery(ctx context.Context, client clientele.ClientID, id invite.DeliveryID) (invite.Delivery, error) {
	if client == "" {
		return invite.Delivery{}, missingScope("delivery", "client")
	}
	op := fmt.Sprintf("client %s: delivery %s", client, id)
	if hasNUL(string(client), string(id)) {
		return invite.Delivery{}, notFound(op, sql.ErrNoRows)
	}
	r := new(deliveryRow)
	if err := s.db.NewSelect().Model(r).Where("o.id = ?", string(id)).Where("o.client_id = ?", string(client)).Scan(ctx); err != nil {
		return invite.Delivery{}, notFound(op, err)
	}
	return r.delivery(), nil
}

// DueDeliveries returns up to limit (1 to 1000) unsent deliveries due at
// now, earliest first, ties by id, of every client, through the index
// clientele_outbox_due.
func (s *Store) DueDeliveries(ctx context.Context, now time.Time, limit int) ([]invite.Delivery, error) {
	if limit < 1 || limit > 1000 {
		return nil, invalid("due deliveries", "limit %d outside 1..1000", limit)
	}
	var rows []deliveryRow
	err := s.db.NewSelect().Model(&rows).Where("o.sent_at IS NULL").Where("o.next_attempt_at <= ?", now.UTC()).
		OrderExpr("o.next_attempt_at, o.id").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, failed("due deliveries", err)
	}
	out := make([]invite.Delivery, len(rows))
	for i := range rows {
		out[i] = rows[i].delivery()
	}
	return out, nil
}

// ClaimDelivery sets NextAttemptAt of d to until in one compare-and-swap
// update that requires the stored delivery to be unsent, due at now and
// unchanged since d was read; otherwise it answers [invite.ErrLeaseLost],
// or [clientele.ErrNotFound] for an unknown one.
func (s *Store) ClaimDelivery(ctx context.Context, d invite.Delivery, now, until time.Time) (invite.Delivery, error) {
	const op = "claim delivery"
	if d.ClientID == "" {
		return invite.Delivery{}, missingScope(op, "client")
	}
	if !until.After(now) {
		return invite.Delivery{}, invalid(op, "lease ends at or before now")
	}
	q := s.db.NewUpdate().Model((*deliveryRow)(nil)).Set("next_attempt_at = ?", until.UTC()).
		Where("next_attempt_at <= ?", now.UTC())
	if err := s.swapDelivery(ctx, op, d, q); err != nil {
		return invite.Delivery{}, err
	}
	d.NextAttemptAt = until.UTC()
	return d, nil
}

// CompleteDelivery ends the claimed delivery d at at with note; see
// [invite.OutboxStore].
func (s *Store) CompleteDelivery(ctx context.Context, d invite.Delivery, at time.Time, note string) error {
	const op = "complete delivery"
	if len(note) > invite.MaxLastError || hasNUL(note) {
		return invalid(op, "note longer than %d bytes or with a NUL", invite.MaxLastError)
	}
	q := s.db.NewUpdate().Model((*deliveryRow)(nil)).Set("sent_at = ?", at.UTC()).Set("last_error = ?", note)
	return s.swapDelivery(ctx, op, d, q)
}

// RetryDelivery records a failed attempt of the claimed delivery d; see
// [invite.OutboxStore].
func (s *Store) RetryDelivery(ctx context.Context, d invite.Delivery, next time.Time, lastError string) error {
	const op = "retry delivery"
	if len(lastError) > invite.MaxLastError || hasNUL(lastError) {
		return invalid(op, "last error longer than %d bytes or with a NUL", invite.MaxLastError)
	}
	q := s.db.NewUpdate().Model((*deliveryRow)(nil)).Set("attempts = attempts + 1").
		Set("next_attempt_at = ?", next.UTC()).Set("last_error = ?", lastError)
	return s.swapDelivery(ctx, op, d, q)
}

// swapDelivery runs the update q on delivery d as a compare-and-swap on
// what d holds: unsent, with d's Attempts and NextAttemptAt. No row
// changed answers [invite.ErrLeaseLost], or [clientele.ErrNotFound] when
// there is no such delivery.
func (s *Store) swapDelivery(ctx context.Context, op string, d invite.Delivery, q *bun.UpdateQuery) error {
	if d.ClientID == "" {
		return missingScope(op, "client")
	}
	label := fmt.Sprintf("client %s: %s %s", d.ClientID, op, d.ID)
	if hasNUL(string(d.ClientID), string(d.ID)) {
		return notFound(label, sql.ErrNoRows)
	}
	res, err := q.Where("id = ?", string(d.ID)).Where("client_id = ?", string(d.ClientID)).Where("sent_at IS NULL").
		Where("attempts = ?", d.Attempts).Where("next_attempt_at = ?", d.NextAttemptAt.UTC()).Exec(ctx)
	if err != nil {
		return failed(label, err)
	}
	switch n, err := res.RowsAffected(); {
	case err != nil:
		return failed(label, err)
	case n == 1:
		return nil
	}
	exists, err := s.db.NewSelect().Model((*deliveryRow)(nil)).Where("o.id = ?", string(d.ID)).
		Where("o.client_id = ?", string(d.ClientID)).Exists(ctx)
	switch {
	case err != nil:
		return failed(label, err)
	case !exists:
		return notFound(label, sql.ErrNoRows)
	}
	return fmt.Errorf("bunstore: %s: %w", label, invite.ErrLeaseLost)
}

// RotateInvitationToken sets the token hash of invitation id of client to
// hash in one compare-and-swap update that requires it to be pending and
// unexpired at now; otherwise it answers [invite.StatusError] of its
// status at now, or [clientele.ErrNotFound]. A taken hash answers
// [clientele.ErrDuplicate].
func (s *Store) RotateInvitationToken(ctx context.Context, client clientele.ClientID, id clientele.InvitationID, hash []byte, now time.Time) (clientele.Invitation, error) {
	if client == "" {
		return clientele.Invitation{}, missingScope("rotate invitation token", "client")
	}
	if len(hash) == 0 {
		return clientele.Invitation{}, invalid("rotate invitation token", "empty token hash")
	}
	label := fmt.Sprintf("client %s: rotate invitation %s", client, id)
	var inv clientele.Invitation
	err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if hasNUL(string(client), string(id)) {
			return notFound(label, sql.ErrNoRows)
		}
		res, err := tx.NewUpdate().Model((*invitationRow)(nil)).Set("token_hash = ?", hash).
			Where("id = ?", string(id)).Where("client_id = ?", string(client)).
			Where("status = ?", string(clientele.InvitationPending)).Where("expires_at > ?", now.UTC()).Exec(ctx)
		switch {
		case isUnique(err):
			return fmt.Errorf("bunstore: %s: token hash: %w", label, clientele.ErrDuplicate)
		case err != nil:
			return fmt.Errorf("bunstore: %s: %w", label, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("bunstore: %s: %w", label, err)
		}
		r, err := s.invitation(ctx, tx, client, id, false)
		if err != nil {
			return err
		}
		inv = r.invitation()
		if n == 1 {
			return nil
		}
		if err := invite.StatusError(inv.StatusAt(now)); err != nil {
			return fmt.Errorf("bunstore: %s: %w", label, err)
		}
		return fmt.Errorf("bunstore: %s: changed concurrently", label)
	})
	if err != nil {
		return clientele.Invitation{}, err
	}
	return inv, nil
}

// insertDelivery stores queue unless it is nil. An existing id answers
// [clientele.ErrDuplicate].
func insertDelivery(ctx context.Context, db bun.IDB, queue *invite.Delivery) error {
	if queue == nil {
		return nil
	}
	_, err := db.NewInsert().Model(toDeliveryRow(*queue)).Exec(ctx)
	switch {
	case err == nil:
		return nil
	case isUnique(err):
		return fmt.Errorf("bunstore: client %s: delivery %s: %w", queue.ClientID, queue.ID, clientele.ErrDuplicate)
	}
	return fmt.Errorf("bunstore: client %s: delivery %s: insert: %w", queue.ClientID, queue.ID, err)
}

// validQueue checks the delivery to store with inv, if any.
func validQueue(op string, queue *invite.Delivery, inv clientele.Invitation) error {
	if queue == nil {
		return nil
	}
	if err := invite.CheckQueued(*queue, inv); err != nil {
		return fmt.Errorf("bunstore: %s: %w", op, err)
	}
	if hasNUL(string(queue.ID)) {
		return nulArgument(op)
	}
	return nil
}
