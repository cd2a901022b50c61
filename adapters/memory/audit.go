package memory

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/tenancy"
)

// ListAudit returns up to limit events of agency, newest first (by At,
// then ID, descending), starting after the key after: with client that
// client's events only, with client empty every event of the agency. An
// empty agency answers [clientele.ErrMissingScope]; a limit below 1 or a
// malformed key [clientele.ErrInvalidArgument].
func (s *Store) ListAudit(_ context.Context, agency clientele.AgencyID, client clientele.ClientID, after *tenancy.Key, limit int) ([]clientele.AuditEvent, error) {
	if agency == "" {
		return nil, missingScope("list audit", "agency")
	}
	if limit < 1 {
		return nil, invalid("list audit", "limit %d", limit)
	}
	var from clientele.AuditEvent // the position after, as an event
	if after != nil {
		at, err := tenancy.AuditKeyTime(*after)
		if err != nil {
			return nil, fmt.Errorf("memory: list audit: %w", err)
		}
		from = clientele.AuditEvent{ID: after.ID, At: at}
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var list []clientele.AuditEvent
	for _, ev := range s.audit {
		if ev.AgencyID != agency || client != "" && ev.ClientID != client {
			continue
		}
		if after != nil && newerFirst(ev, from) <= 0 {
			continue
		}
		list = append(list, ev)
	}
	slices.SortFunc(list, newerFirst)
	return list[:min(limit, len(list))], nil
}

// newerFirst orders events newest first: by At, then ID, descending.
func newerFirst(a, b clientele.AuditEvent) int {
	return cmp.Or(b.At.Compare(a.At), cmp.Compare(b.ID, a.ID))
}

// checkStamp checks the caller's part of an audit event.
func checkStamp(op string, ev clientele.AuditEvent) error {
	if err := ev.CheckStamp(); err != nil {
		return fmt.Errorf("memory: %s: %w", op, err)
	}
	return nil
}

// auditFree reports [clientele.ErrDuplicate] when an event with ev's id
// exists. The caller holds the lock.
func (s *Store) auditFree(ev clientele.AuditEvent) error {
	if _, ok := s.auditIDs[ev.ID]; ok {
		return fmt.Errorf("memory: audit event %s: %w", ev.ID, clientele.ErrDuplicate)
	}
	return nil
}

// record stores ev, its time in UTC to the microsecond as a SQL store
// keeps it. The caller holds the write lock, has checked ev with
// checkStamp and auditFree, and has filled what changed.
func (s *Store) record(ev clientele.AuditEvent) {
	ev.At = ev.At.UTC().Truncate(time.Microsecond)
	s.audit = append(s.audit, ev)
	s.auditIDs[ev.ID] = struct{}{}
}
