package tenancy

import (
	"context"
	"fmt"
	"net"
	"strings"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/rbac"
)

// CreateAgency creates an agency with branding b. It is the host
// platform's own operation and takes no principal.
func (s *Service) CreateAgency(ctx context.Context, b clientele.Branding) (clientele.Agency, error) {
	b, err := b.Normalize()
	if err != nil {
		return clientele.Agency{}, err
	}
	a := clientele.Agency{ID: clientele.AgencyID(clientele.NewID("agy")), Branding: b, CreatedAt: s.time()}
	if err := s.store.CreateAgency(ctx, a); err != nil {
		return clientele.Agency{}, fmt.Errorf("tenancy: create agency: %w", err)
	}
	return a, nil
}

// Agency returns p's agency; any principal may read its own agency's
// branding.
func (s *Service) Agency(ctx context.Context, p clientele.Principal) (clientele.Agency, error) {
	if err := p.Validate(); err != nil {
		return clientele.Agency{}, err
	}
	a, err := s.store.Agency(ctx, p.AgencyID)
	if err != nil {
		return clientele.Agency{}, fmt.Errorf("tenancy: %w", err)
	}
	return a, nil
}

// SetBranding replaces the branding of p's agency (agency admin only) and
// records it in the agency's audit log. A custom domain held by another
// agency answers clientele.ErrDuplicate.
func (s *Service) SetBranding(ctx context.Context, p clientele.Principal, b clientele.Branding) (clientele.Agency, error) {
	if err := s.agency(ctx, p, rbac.ActionSetBranding); err != nil {
		return clientele.Agency{}, err
	}
	b, err := b.Normalize()
	if err != nil {
		return clientele.Agency{}, err
	}
	a, err := s.store.SetBranding(ctx, p.AgencyID, b, clientele.NewAuditStamp(ctx, p, s.time()))
	if err != nil {
		return clientele.Agency{}, fmt.Errorf("tenancy: set branding: %w", err)
	}
	s.log.InfoContext(ctx, "branding changed", "agency", a.ID)
	return a, nil
}

// PortalByHost resolves the agency whose custom domain serves host (a
// request's Host, with or without port, any case). A host that is not a
// valid name or that no agency claims answers clientele.ErrNotFound; the
// caller then falls back to its configured base URL's agency.
func (s *Service) PortalByHost(ctx context.Context, host string) (clientele.Agency, error) {
	name, err := HostName(host)
	if err != nil {
		return clientele.Agency{}, err
	}
	a, err := s.store.AgencyByDomain(ctx, name)
	if err != nil {
		return clientele.Agency{}, fmt.Errorf("tenancy: portal %q: %w", name, err)
	}
	return a, nil
}

// HostName normalizes a Host header value to a lower-case host name
// without port or trailing dot. IP literals, empty or malformed values
// answer clientele.ErrNotFound.
func HostName(host string) (string, error) {
	h := host
	if strings.Contains(h, ":") {
		var err error
		if h, _, err = net.SplitHostPort(host); err != nil {
			return "", fmt.Errorf("tenancy: host %q: %w", host, clientele.ErrNotFound)
		}
	}
	b, err := clientele.Branding{Name: "host", CustomDomain: h}.Normalize()
	if err != nil || b.CustomDomain == "" || net.ParseIP(h) != nil {
		return "", fmt.Errorf("tenancy: host %q: %w", host, clientele.ErrNotFound)
	}
	return b.CustomDomain, nil
}
