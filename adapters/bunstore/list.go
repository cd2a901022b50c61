package bunstore

import (
	"cmp"
	"context"
	"fmt"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/tenancy"
)

// ListUsers returns up to q.Limit entries of client: its memberships (any
// status) and its invitations still pending at q.Now, ordered by (email,
// id) and starting after q.After. An unknown client gives an empty list; a
// limit below 1 answers [clientele.ErrInvalidArgument]. Members and
// invitations are read by two indexed statements, each keyset-paginated
// and limited, and merged; they are not one snapshot.
func (s *Store) ListUsers(ctx context.Context, client clientele.ClientID, q tenancy.ListQuery) ([]tenancy.Entry, error) {
	if client == "" {
		return nil, missingScope("list users", "client")
	}
	if q.Limit < 1 {
		return nil, invalid("list users", "limit %d", q.Limit)
	}
	if q.After != nil && hasNUL(q.After.Sort, q.After.ID) {
		return nil, nulArgument("list users")
	}
	if hasNUL(string(client)) {
		return nil, nil // no such client
	}
	// Invitations first: one accepted between the two reads then shows
	// twice (pending and member) in this page rather than not at all.
	pending, err := s.listPending(ctx, client, q)
	if err != nil {
		return nil, err
	}
	members, err := s.listMembers(ctx, client, q)
	if err != nil {
		return nil, err
	}
	return mergeEntries(members, pending, q.Limit), nil
}

// listMembers returns the first q.Limit memberships of client after
// q.After, ordered by (email, user id).
func (s *Store) listMembers(ctx context.Context, client clientele.ClientID, q tenancy.ListQuery) ([]tenancy.Entry, error) {
	var rows []memberRow
	sel := s.db.NewSelect().Model(&rows).ColumnExpr(memberColumns).
		Where("m.client_id = ?", string(client))
	if k := q.After; k != nil {
		sel = sel.Where("m.email >= ? AND (m.email > ? OR m.user_id > ?)", k.Sort, k.Sort, k.ID)
	}
	if err := sel.OrderExpr("m.email, m.user_id").Limit(int64(q.Limit)).Scan(ctx); err != nil {
		return nil, failed(fmt.Sprintf("client %s: list members", client), err)
	}
	list := make([]tenancy.Entry, len(rows))
	for i := range rows {
		m := rows[i].member()
		list[i] = tenancy.Entry{ID: string(m.UserID), Name: m.Name, Email: m.Email, Role: m.Role,
			Status: tenancy.EntryStatus(m.Status), LastActiveAt: m.LastActiveAt}
	}
	return list, nil
}

// listPending returns the first q.Limit invitations of client pending at
// q.Now after q.After, ordered by (email, id).
func (s *Store) listPending(ctx context.Context, client clientele.ClientID, q tenancy.ListQuery) ([]tenancy.Entry, error) {
	var rows []invitationRow
	// Only what an entry shows, which the partial index
	// clientele_invitations_pending_list holds (an index-only scan).
	sel := s.db.NewSelect().Model(&rows).ColumnExpr("i.id, i.email, i.role, i.expires_at").Where("i.client_id = ?", string(client)).
		Where("i.status = ?", string(clientele.InvitationPending)).Where("i.expires_at > ?", q.Now.UTC())
	if k := q.After; k != nil {
		sel = sel.Where("i.email >= ? AND (i.email > ? OR i.id > ?)", k.Sort, k.Sort, k.ID)
	}
	if err := sel.OrderExpr("i.email, i.id").Limit(int64(q.Limit)).Scan(ctx); err != nil {
		return nil, failed(fmt.Sprintf("client %s: list invitations", client), err)
	}
	list := make([]tenancy.Entry, len(rows))
	for i := range rows {
		inv := rows[i].invitation()
		list[i] = tenancy.Entry{ID: string(inv.ID), Email: inv.Email, Role: inv.Role,
			Status: tenancy.EntryPending, ExpiresAt: &inv.ExpiresAt}
	}
	return list, nil
}

// mergeEntries merges two lists ordered by (email, id) and keeps the first
// limit entries.
func mergeEntries(a, b []tenancy.Entry, limit int) []tenancy.Entry {
	out := make([]tenancy.Entry, 0, min(limit, len(a)+len(b)))
	for len(out) < limit && (len(a) > 0 || len(b) > 0) {
		if len(b) == 0 || len(a) > 0 && cmp.Or(cmp.Compare(a[0].Email, b[0].Email), cmp.Compare(a[0].ID, b[0].ID)) < 0 {
			out, a = append(out, a[0]), a[1:]
		} else {
			out, b = append(out, b[0]), b[1:]
		}
	}
	return out
}
