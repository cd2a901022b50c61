package bunstore

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/tenancy"
)

// ListAudit returns up to limit events of agency, newest first (by at,
// then id, descending), starting after the key after: with client that
// client's events only, with client empty every event of the agency. One
// indexed statement: (client_id, at, id) for a client, (agency_id, at, id)
// for the agency. An empty agency answers [clientele.ErrMissingScope]; a
// limit below 1 or a malformed key [clientele.ErrInvalidArgument].
func (s *Store) ListAudit(ctx context.Context, agency clientele.AgencyID, client clientele.ClientID, after *tenancy.Key, limit int) ([]clientele.AuditEvent, error) {
	if agency == "" {
		return nil, missingScope("list audit", "agency")
	}
	if limit < 1 {
		return nil, invalid("list audit", "limit %d", limit)
	}
	if hasNUL(string(agency), string(client)) {
		return nil, nil // no such agency or client
	}
	var rows []auditRow
	q := s.db.NewSelect().Model(&rows).Where("au.agency_id = ?", string(agency))
	if client != "" {
		q = q.Where("au.client_id = ?", string(client))
	}
	if after != nil {
		at, err := tenancy.AuditKeyTime(*after)
		if err != nil {
			return nil, fmt.Errorf("bunstore: list audit: %w", err)
		}
		q = q.Where("au.at <= ? AND (au.at < ? OR au.id < ?)", at, at, after.ID)
	}
	if err := q.OrderExpr("au.at DESC, au.id DESC").Limit(int64(limit)).Scan(ctx); err != nil {
		return nil, failed(fmt.Sprintf("agency %s: list audit", agency), err)
	}
	list := make([]clientele.AuditEvent, len(rows))
	for i := range rows {
		list[i] = rows[i].event()
	}
	return list, nil
}

// checkStamp checks the caller's part of an audit event.
func checkStamp(op string, ev clientele.AuditEvent) error {
	if err := ev.CheckStamp(); err != nil {
		return fmt.Errorf("bunstore: %s: %w", op, err)
	}
	return nil
}

// insertAudit stores ev, filled with what changed, in the change's
// transaction. An existing id answers [clientele.ErrDuplicate].
func insertAudit(ctx context.Context, db bun.IDB, ev clientele.AuditEvent) error {
	_, err := db.NewInsert().Model(toAuditRow(ev)).Exec(ctx)
	switch {
	case err == nil:
		return nil
	case isUnique(err):
		return fmt.Errorf("bunstore: audit event %s: %w", ev.ID, clientele.ErrDuplicate)
	}
	return fmt.Errorf("bunstore: audit event %s: %w", ev.ID, err)
}
