package tenancy

import (
	"context"
	"fmt"
	"time"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/rbac"
)

// auditTimeLayout writes an audit key's time: UTC, fixed microseconds.
const auditTimeLayout = "2006-01-02T15:04:05.000000Z07:00"

// AuditKey returns ev's position in an audit list: its time (RFC 3339 in
// UTC, with microseconds) and its id.
func AuditKey(ev clientele.AuditEvent) Key {
	return Key{Sort: ev.At.UTC().Format(auditTimeLayout), ID: ev.ID}
}

// AuditKeyTime returns the time of an audit key made by AuditKey; any
// other Sort answers clientele.ErrInvalidArgument. Stores call it.
func AuditKeyTime(k Key) (time.Time, error) {
	t, err := time.Parse(auditTimeLayout, k.Sort)
	if err != nil || t.UTC().Format(auditTimeLayout) != k.Sort || !clientele.ValidID(k.ID) {
		return time.Time{}, fmt.Errorf("%w: malformed audit cursor", clientele.ErrInvalidArgument)
	}
	return t.UTC(), nil
}

// AuditPage is one page of an audit log, newest first.
type AuditPage struct {
	Events []clientele.AuditEvent
	// Next is the cursor of the following (older) page, or empty after
	// the last.
	Next string
}

// ListAudit lists the audit log, newest first. With client it is that
// client's log: the agency admin and the client's Admins may read it
// (rbac.ActionViewAudit), a Member never; another client's log is not
// found. With client empty it is the whole agency's log, every client's
// events and the agency-level ones (branding): the agency admin's alone,
// a client user is denied (rbac.ErrDenied).
func (s *Service) ListAudit(ctx context.Context, p clientele.Principal, client clientele.ClientID, page Page) (AuditPage, error) {
	if client == "" {
		if err := s.agency(ctx, p, rbac.ActionViewAudit); err != nil {
			return AuditPage{}, err
		}
		if p.Kind != clientele.KindAgencyAdmin {
			return AuditPage{}, fmt.Errorf("%w: the agency's audit log is the agency admin's", rbac.ErrDenied)
		}
	} else {
		c, err := s.client(ctx, p, client, rbac.ActionViewAudit)
		if err != nil {
			return AuditPage{}, err
		}
		client = c.ID
	}
	after, limit, err := page.parse()
	if err != nil {
		return AuditPage{}, err
	}
	if after != nil {
		if _, err := AuditKeyTime(*after); err != nil {
			return AuditPage{}, err
		}
	}
	evs, err := s.store.ListAudit(ctx, p.AgencyID, client, after, limit)
	if err != nil {
		return AuditPage{}, fmt.Errorf("tenancy: list audit: %w", err)
	}
	return AuditPage{Events: evs, Next: next(len(evs), limit, func() Key { return AuditKey(evs[len(evs)-1]) })}, nil
}
