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

// CreateInvitation stores inv as pending. It fails with
// [invite.ErrAlreadyMember] when inv.Email has a membership in the client,
// with [invite.ErrPendingExists] when the client has another invitation
// for the email pending at now, with [clientele.ErrDuplicate] for an
// existing id or token hash, and with [clientele.ErrNotFound] when the
// client is not one of inv.AgencyID. Pending invitations for the email
// that expired at now are marked expired when inv is stored. A non-nil
// queue is stored with inv (see [invite.CheckQueued]; an existing id
// answers [clientele.ErrDuplicate]), and so is ev. It runs in one
// transaction holding the client's lock: on any error nothing is stored.
func (s *Store) CreateInvitation(ctx context.Context, inv clientele.Invitation, now time.Time, queue *invite.Delivery, ev clientele.AuditEvent) error {
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
	op := fmt.Sprintf("client %s: invitation %s", inv.ClientID, inv.ID)
	return s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var agency string
		err := s.forUpdate(tx.NewSelect().Model((*clientRow)(nil)).Column("c.agency_id").
			Where("c.id = ?", string(inv.ClientID)).Where("c.agency_id = ?", string(inv.AgencyID))).Scan(ctx, &agency)
		if err != nil {
			return notFound(fmt.Sprintf("agency %s: client %s", inv.AgencyID, inv.ClientID), err)
		}
		member, err := tx.NewSelect().Model((*membershipRow)(nil)).
			Where("m.client_id = ?", string(inv.ClientID)).Where("m.email = ?", string(inv.Email)).Exists(ctx)
		if err != nil {
			return fmt.Errorf("bunstore: %s: membership: %w", op, err)
		}
		if member {
			return fmt.Errorf("bunstore: %s: %w", op, invite.ErrAlreadyMember)
		}
		_, err = tx.NewUpdate().Model((*invitationRow)(nil)).Set("status = ?", string(clientele.InvitationExpired)).
			Where("client_id = ?", string(inv.ClientID)).Where("email = ?", string(inv.Email)).
			Where("status = ?", string(clientele.InvitationPending)).Where("expires_at <= ?", now.UTC()).Exec(ctx)
		if err != nil {
			return fmt.Errorf("bunstore: %s: expire: %w", op, err)
		}
		pending, err := tx.NewSelect().Model((*invitationRow)(nil)).
			Where("i.client_id = ?", string(inv.ClientID)).Where("i.email = ?", string(inv.Email)).
			Where("i.status = ?", string(clientele.InvitationPending)).Exists(ctx)
		if err != nil {
			return fmt.Errorf("bunstore: %s: pending: %w", op, err)
		}
		if pending {
			return fmt.Errorf("bunstore: %s: %w", op, invite.ErrPendingExists)
		}
		if err := insertInvitation(ctx, tx, inv); err != nil {
			return err
		}
		if err := insertDelivery(ctx, tx, queue); err != nil {
			return err
		}
		return insertInvitationAudit(ctx, tx, ev, clientele.AuditInvitationCreate, nil, toInvitationRow(inv).invitation())
	})
}

// Invitation returns invitation id of client, whatever its status, or
// [clientele.ErrNotFound].
func (s *Store) Invitation(ctx context.Context, client clientele.ClientID, id clientele.InvitationID) (clientele.Invitation, error) {
	if client == "" {
		return clientele.Invitation{}, missingScope("invitation", "client")
	}
	r, err := s.invitation(ctx, s.db, client, id, false)
	if err != nil {
		return clientele.Invitation{}, err
	}
	return r.invitation(), nil
}

// InvitationByTokenHash returns the invitation whose token hash is hash,
// whatever its status, or [clientele.ErrNotFound]; an empty hash matches
// none. It changes nothing.
func (s *Store) InvitationByTokenHash(ctx context.Context, hash []byte) (clientele.Invitation, error) {
	r, err := s.byHash(ctx, s.db, hash, false)
	if err != nil {
		return clientele.Invitation{}, err
	}
	return r.invitation(), nil
}

// ReplaceInvitation marks invitation old of client replaced by next and
// stores next, which must be for the same agency, client and email (else
// [clientele.ErrInvalidArgument]), with the delivery queue when it is not
// nil, and ev, in one transaction. old's stored status must be pending;
// otherwise it answers [invite.StatusError] of it. On any error nothing
// changes.
func (s *Store) ReplaceInvitation(ctx context.Context, client clientele.ClientID, old clientele.InvitationID, next clientele.Invitation, queue *invite.Delivery, ev clientele.AuditEvent) error {
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
	return s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		prev, err := s.invitation(ctx, tx, client, old, true)
		if err != nil {
			return err
		}
		if next.ClientID != client || string(next.AgencyID) != prev.AgencyID || string(next.Email) != prev.Email {
			return invalid("replace invitation", "the new invitation must be for the same agency, client and email")
		}
		if err := invite.StatusError(clientele.InvitationStatus(prev.Status)); err != nil {
			return fmt.Errorf("bunstore: client %s: invitation %s: %w", client, old, err)
		}
		_, err = tx.NewUpdate().Model((*invitationRow)(nil)).
			Set("status = ?", string(clientele.InvitationReplaced)).Set("replaced_by = ?", string(next.ID)).
			Where("id = ?", string(old)).Where("client_id = ?", string(client)).Exec(ctx)
		if err != nil {
			return fmt.Errorf("bunstore: client %s: invitation %s: replace: %w", client, old, err)
		}
		if err := insertInvitation(ctx, tx, next); err != nil {
			return err
		}
		if err := insertDelivery(ctx, tx, queue); err != nil {
			return err
		}
		before := prev.invitation()
		after := before
		after.Status, after.ReplacedBy = clientele.InvitationReplaced, next.ID
		return insertInvitationAudit(ctx, tx, ev, clientele.AuditInvitationResend, &before, after)
	})
}

// CancelInvitation marks the pending invitation id of client cancelled
// and records ev, in one transaction; otherwise it answers
// [invite.StatusError] of its stored status and changes nothing.
func (s *Store) CancelInvitation(ctx context.Context, client clientele.ClientID, id clientele.InvitationID, ev clientele.AuditEvent) error {
	if client == "" {
		return missingScope("cancel invitation", "client")
	}
	if err := checkStamp("cancel invitation", ev); err != nil {
		return err
	}
	return s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		inv, err := s.invitation(ctx, tx, client, id, true)
		if err != nil {
			return err
		}
		if err := invite.StatusError(clientele.InvitationStatus(inv.Status)); err != nil {
			return fmt.Errorf("bunstore: client %s: invitation %s: %w", client, id, err)
		}
		_, err = tx.NewUpdate().Model((*invitationRow)(nil)).Set("status = ?", string(clientele.InvitationCancelled)).
			Where("id = ?", string(id)).Where("client_id = ?", string(client)).Exec(ctx)
		if err != nil {
			return fmt.Errorf("bunstore: client %s: invitation %s: cancel: %w", client, id, err)
		}
		before := inv.invitation()
		after := before
		after.Status = clientele.InvitationCancelled
		return insertInvitationAudit(ctx, tx, ev, clientele.AuditInvitationCancel, &before, after)
	})
}

// insertInvitationAudit stores ev, the change action of an invitation from
// before (nil for a new one) to after.
func insertInvitationAudit(ctx context.Context, tx bun.IDB, ev clientele.AuditEvent, action string, before *clientele.Invitation, after clientele.Invitation) error {
	ev.AgencyID, ev.ClientID, ev.Action, ev.Target = after.AgencyID, after.ClientID, action, string(after.ID)
	ev.Before, ev.After = "", clientele.AuditInvitation(after)
	if before != nil {
		ev.Before = clientele.AuditInvitation(*before)
	}
	return insertAudit(ctx, tx, ev)
}

// insertInvitation stores inv as pending. The one-pending index answers
// [invite.ErrPendingExists], another unique key [clientele.ErrDuplicate]
// and a missing agency or client [clientele.ErrNotFound].
func insertInvitation(ctx context.Context, db bun.IDB, inv clientele.Invitation) error {
	_, err := db.NewInsert().Model(toInvitationRow(inv)).Exec(ctx)
	switch {
	case err == nil:
		return nil
	case isPendingConflict(err):
		return fmt.Errorf("bunstore: client %s: invitation %s: %w", inv.ClientID, inv.ID, invite.ErrPendingExists)
	case isUnique(err):
		return fmt.Errorf("bunstore: client %s: invitation %s: %w", inv.ClientID, inv.ID, clientele.ErrDuplicate)
	case isForeignKey(err):
		return fmt.Errorf("bunstore: agency %s: client %s: %w", inv.AgencyID, inv.ClientID, clientele.ErrNotFound)
	}
	return fmt.Errorf("bunstore: client %s: invitation %s: insert: %w", inv.ClientID, inv.ID, err)
}

// invitation reads invitation id of client through db, locking it when
// lock is set.
func (s *Store) invitation(ctx context.Context, db bun.IDB, client clientele.ClientID, id clientele.InvitationID, lock bool) (*invitationRow, error) {
	op := fmt.Sprintf("client %s: invitation %s", client, id)
	if hasNUL(string(client), string(id)) {
		return nil, notFound(op, sql.ErrNoRows)
	}
	r := new(invitationRow)
	q := db.NewSelect().Model(r).Where("i.id = ?", string(id)).Where("i.client_id = ?", string(client))
	if lock {
		q = s.forUpdate(q)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, notFound(op, err)
	}
	return r, nil
}

// byHash reads the invitation with token hash through db, locking it when
// lock is set. An empty hash matches none.
func (s *Store) byHash(ctx context.Context, db bun.IDB, hash []byte, lock bool) (*invitationRow, error) {
	const op = "invitation by token hash"
	if len(hash) == 0 {
		return nil, notFound(op, sql.ErrNoRows)
	}
	r := new(invitationRow)
	q := db.NewSelect().Model(r).Where("i.token_hash = ?", hash)
	if lock {
		q = s.forUpdate(q)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, notFound(op, err)
	}
	return r, nil
}

// validInvitation checks a new invitation (invite.ValidateNew), and that
// its text holds no NUL byte.
func validInvitation(op string, inv clientele.Invitation) error {
	if err := invite.ValidateNew(inv); err != nil {
		return fmt.Errorf("bunstore: %s: %w", op, err)
	}
	if hasNUL(string(inv.ID), string(inv.AgencyID), string(inv.ClientID), string(inv.Email), string(inv.InvitedBy)) {
		return nulArgument(op)
	}
	return nil
}
