package bunstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/adapters/bunstore/internal/pcache"
	"github.com/clientele/clientele/tenancy"
)

// memberColumns are what a Member is read from: the membership alone
// (it keeps the user's email and name).
const memberColumns = "m.client_id, m.user_id, m.email, m.name, m.role, m.status, m.last_active_at, m.created_at"

// Member returns user's membership in client, or [clientele.ErrNotFound].
func (s *Store) Member(ctx context.Context, client clientele.ClientID, user clientele.UserID) (clientele.Member, error) {
	if client == "" {
		return clientele.Member{}, missingScope("member", "client")
	}
	return member(ctx, s.db, client, user)
}

// ChangeRole sets the role of user in client and returns the member,
// recording ev in the same transaction. With keepAdmin, demoting the
// client's last active admin fails with [tenancy.ErrLastAdmin] and
// changes nothing. Every change to the client's memberships holds the
// lock on the client's row, so the check and the write are atomic against
// them all.
func (s *Store) ChangeRole(ctx context.Context, client clientele.ClientID, user clientele.UserID, role clientele.Role, keepAdmin bool, ev clientele.AuditEvent) (clientele.Member, error) {
	if client == "" {
		return clientele.Member{}, missingScope("change role", "client")
	}
	if !role.Valid() {
		return clientele.Member{}, fmt.Errorf("bunstore: change role: %w: %w: %q", clientele.ErrInvalidArgument, clientele.ErrInvalidRole, role)
	}
	if err := checkStamp("change role", ev); err != nil {
		return clientele.Member{}, err
	}
	var got clientele.Member
	err := s.committed(ctx, func(ctx context.Context, tx bun.Tx) ([]pcache.Change, error) {
		m, agency, err := s.lockMembership(ctx, tx, client, user)
		if err != nil {
			return nil, err
		}
		if keepAdmin && role != clientele.RoleAdmin {
			if err := s.keepsAdmin(ctx, tx, m, "demote"); err != nil {
				return nil, err
			}
		}
		_, err = tx.NewUpdate().Model((*membershipRow)(nil)).Set("role = ?", string(role)).
			Where("client_id = ?", string(client)).Where("user_id = ?", string(user)).Exec(ctx)
		if err != nil {
			return nil, fmt.Errorf("bunstore: client %s: member %s: change role: %w", client, user, err)
		}
		if got, err = member(ctx, tx, client, user); err != nil {
			return nil, err
		}
		return memberChange(agency, client, user), insertMemberAudit(ctx, tx, ev, agency, clientele.AuditMemberRole, m, &got)
	})
	if err != nil {
		return clientele.Member{}, err
	}
	return got, nil
}

// RemoveMember deletes user's membership in client, and with it (by the
// foreign key's cascade, in the same statement) the sessions acting
// through it, recording ev in the same transaction; the user and its other
// memberships stay. keepAdmin as for ChangeRole. A missing membership
// answers [clientele.ErrNotFound].
func (s *Store) RemoveMember(ctx context.Context, client clientele.ClientID, user clientele.UserID, keepAdmin bool, ev clientele.AuditEvent) error {
	if client == "" {
		return missingScope("remove member", "client")
	}
	if err := checkStamp("remove member", ev); err != nil {
		return err
	}
	return s.committed(ctx, func(ctx context.Context, tx bun.Tx) ([]pcache.Change, error) {
		m, agency, err := s.lockMembership(ctx, tx, client, user)
		if err != nil {
			return nil, err
		}
		if keepAdmin {
			if err := s.keepsAdmin(ctx, tx, m, "remove"); err != nil {
				return nil, err
			}
		}
		_, err = tx.NewDelete().Model((*membershipRow)(nil)).
			Where("client_id = ?", string(client)).Where("user_id = ?", string(user)).Exec(ctx)
		if err != nil {
			return nil, fmt.Errorf("bunstore: client %s: member %s: remove: %w", client, user, err)
		}
		return memberChange(agency, client, user), insertMemberAudit(ctx, tx, ev, agency, clientele.AuditMemberRemove, m, nil)
	})
}

// SetMemberStatus sets the membership's status and returns the member,
// recording ev in the same transaction. Deactivating deletes the sessions
// acting through the membership in that transaction, so reactivating
// revives none of them. A status other than active or
// deactivated answers [clientele.ErrInvalidArgument]; a missing
// membership [clientele.ErrNotFound].
func (s *Store) SetMemberStatus(ctx context.Context, client clientele.ClientID, user clientele.UserID, status clientele.MemberStatus, ev clientele.AuditEvent) (clientele.Member, error) {
	if client == "" {
		return clientele.Member{}, missingScope("set member status", "client")
	}
	if status != clientele.StatusActive && status != clientele.StatusDeactivated {
		return clientele.Member{}, invalid("set member status", "status %q", status)
	}
	if err := checkStamp("set member status", ev); err != nil {
		return clientele.Member{}, err
	}
	action := clientele.AuditMemberDeactivate
	if status == clientele.StatusActive {
		action = clientele.AuditMemberReactivate
	}
	var got clientele.Member
	err := s.committed(ctx, func(ctx context.Context, tx bun.Tx) ([]pcache.Change, error) {
		m, agency, err := s.lockMembership(ctx, tx, client, user)
		if err != nil {
			return nil, err
		}
		_, err = tx.NewUpdate().Model((*membershipRow)(nil)).Set("status = ?", string(status)).
			Where("client_id = ?", string(client)).Where("user_id = ?", string(user)).Exec(ctx)
		if err != nil {
			return nil, fmt.Errorf("bunstore: client %s: member %s: set status: %w", client, user, err)
		}
		if status == clientele.StatusDeactivated {
			_, err = tx.NewDelete().Model((*sessionRow)(nil)).
				Where("client_id = ?", string(client)).Where("user_id = ?", string(user)).Exec(ctx)
			if err != nil {
				return nil, fmt.Errorf("bunstore: client %s: member %s: end sessions: %w", client, user, err)
			}
		}
		if got, err = member(ctx, tx, client, user); err != nil {
			return nil, err
		}
		return memberChange(agency, client, user), insertMemberAudit(ctx, tx, ev, agency, action, m, &got)
	})
	if err != nil {
		return clientele.Member{}, err
	}
	return got, nil
}

// RecordActivity sets the membership's last-active time to at; a missing
// membership answers [clientele.ErrNotFound].
func (s *Store) RecordActivity(ctx context.Context, client clientele.ClientID, user clientele.UserID, at time.Time) error {
	if client == "" {
		return missingScope("record activity", "client")
	}
	op := fmt.Sprintf("client %s: member %s", client, user)
	if hasNUL(string(client), string(user)) {
		return notFound(op, sql.ErrNoRows)
	}
	var missing bool
	err := s.committed(ctx, func(ctx context.Context, tx bun.Tx) ([]pcache.Change, error) {
		res, err := tx.NewUpdate().Model((*membershipRow)(nil)).Set("last_active_at = ?", at.UTC()).
			Where("client_id = ?", string(client)).Where("user_id = ?", string(user)).Exec(ctx)
		if err != nil {
			return nil, fmt.Errorf("bunstore: %s: record activity: %w", op, err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			missing = true
			return nil, nil
		}
		// The time shows in the member a session resolves to.
		return memberChange("", client, user), nil
	})
	if err == nil && missing {
		// MySQL counts changed rows, not matched ones: an unchanged time
		// also gives 0, so look before reporting it missing.
		_, err = member(ctx, s.db, client, user)
	}
	return err
}

// memberChange is the published change of a membership.
func memberChange(agency clientele.AgencyID, client clientele.ClientID, user clientele.UserID) []pcache.Change {
	return []pcache.Change{{Kind: pcache.Member, AgencyID: agency, ClientID: client, UserID: user}}
}

// lockMembership locks client's row, then reads and locks user's
// membership in it and returns it with the client's agency, or answers
// [clientele.ErrNotFound].
func (s *Store) lockMembership(ctx context.Context, tx bun.IDB, client clientele.ClientID, user clientele.UserID) (*membershipRow, clientele.AgencyID, error) {
	op := fmt.Sprintf("client %s: member %s", client, user)
	if hasNUL(string(client), string(user)) {
		return nil, "", notFound(op, sql.ErrNoRows)
	}
	agency, err := s.lockClient(ctx, tx, client)
	if err != nil {
		return nil, "", err
	}
	if agency == "" {
		return nil, "", notFound(op, sql.ErrNoRows)
	}
	m := new(membershipRow)
	err = s.forUpdate(tx.NewSelect().Model(m).
		Where("m.client_id = ?", string(client)).Where("m.user_id = ?", string(user))).Scan(ctx)
	if err != nil {
		return nil, "", notFound(op, err)
	}
	return m, agency, nil
}

// insertMemberAudit stores ev, the change action of the membership before
// of agency's client (after is nil for a removal).
func insertMemberAudit(ctx context.Context, tx bun.IDB, ev clientele.AuditEvent, agency clientele.AgencyID, action string, before *membershipRow, after *clientele.Member) error {
	ev.AgencyID, ev.ClientID = agency, clientele.ClientID(before.ClientID)
	ev.Action, ev.Target = action, before.UserID
	ev.Before, ev.After = clientele.AuditMember(action, before.membership()), ""
	if after != nil {
		ev.After = clientele.AuditMember(action, after.Membership)
	}
	return insertAudit(ctx, tx, ev)
}

// keepsAdmin answers [tenancy.ErrLastAdmin] when m is its client's only
// active admin, so that demoting or removing it (op) would leave the client
// without one. The caller holds the client's lock.
func (s *Store) keepsAdmin(ctx context.Context, tx bun.IDB, m *membershipRow, op string) error {
	if m.Role != string(clientele.RoleAdmin) || m.Status != string(clientele.StatusActive) {
		return nil
	}
	var others []string
	err := s.forUpdate(tx.NewSelect().Model((*membershipRow)(nil)).Column("m.user_id").
		Where("m.client_id = ?", m.ClientID).Where("m.role = ?", string(clientele.RoleAdmin)).
		Where("m.status = ?", string(clientele.StatusActive)).Where("m.user_id <> ?", m.UserID).
		Limit(1)).Scan(ctx, &others)
	if err != nil {
		return fmt.Errorf("bunstore: client %s: %s %s: count admins: %w", m.ClientID, op, m.UserID, err)
	}
	if len(others) == 0 {
		return fmt.Errorf("bunstore: client %s: %s %s: %w", m.ClientID, op, m.UserID, tenancy.ErrLastAdmin)
	}
	return nil
}

// member reads user's membership in client, with the user's name, through
// db.
func member(ctx context.Context, db bun.IDB, client clientele.ClientID, user clientele.UserID) (clientele.Member, error) {
	op := fmt.Sprintf("client %s: member %s", client, user)
	if hasNUL(string(client), string(user)) {
		return clientele.Member{}, notFound(op, sql.ErrNoRows)
	}
	var r memberRow
	err := db.NewSelect().Model(&r).ColumnExpr(memberColumns).
		Where("m.client_id = ?", string(client)).Where("m.user_id = ?", string(user)).Scan(ctx)
	if err != nil {
		return clientele.Member{}, notFound(op, err)
	}
	return r.member(), nil
}
