package memory

import (
	"context"
	"fmt"

	"github.com/clientele/clientele"
)

// CreateAgency stores a. An existing id, or a custom domain another agency
// holds, answers [clientele.ErrDuplicate]; an empty id answers
// [clientele.ErrInvalidArgument].
func (s *Store) CreateAgency(_ context.Context, a clientele.Agency) error {
	if a.ID == "" {
		return invalid("create agency", "empty id")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.agencies[a.ID]; ok {
		return fmt.Errorf("memory: agency %s: %w", a.ID, clientele.ErrDuplicate)
	}
	if err := s.domainFree(a.ID, a.Branding.CustomDomain); err != nil {
		return err
	}
	s.agencies[a.ID] = a
	if d := a.Branding.CustomDomain; d != "" {
		s.domains[d] = a.ID
	}
	return nil
}

// Agency returns the agency id, or [clientele.ErrNotFound]. An empty id
// answers [clientele.ErrMissingScope].
func (s *Store) Agency(_ context.Context, id clientele.AgencyID) (clientele.Agency, error) {
	if id == "" {
		return clientele.Agency{}, missingScope("agency", "agency")
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, ok := s.agencies[id]
	if !ok {
		return clientele.Agency{}, fmt.Errorf("memory: agency %s: %w", id, clientele.ErrNotFound)
	}
	return a, nil
}

// AgencyByDomain returns the agency whose custom domain is domain, or
// [clientele.ErrNotFound]; the empty domain matches no agency.
func (s *Store) AgencyByDomain(_ context.Context, domain string) (clientele.Agency, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	id, ok := s.domains[domain]
	if !ok || domain == "" {
		return clientele.Agency{}, fmt.Errorf("memory: agency by domain: %w", clientele.ErrNotFound)
	}
	return s.agencies[id], nil
}

// SetBranding replaces the agency's branding and returns the agency,
// recording ev under the same lock. A missing agency answers
// [clientele.ErrNotFound]; a custom domain another agency holds answers
// [clientele.ErrDuplicate] and changes nothing.
func (s *Store) SetBranding(_ context.Context, id clientele.AgencyID, b clientele.Branding, ev clientele.AuditEvent) (clientele.Agency, error) {
	if id == "" {
		return clientele.Agency{}, missingScope("set branding", "agency")
	}
	if err := checkStamp("set branding", ev); err != nil {
		return clientele.Agency{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.agencies[id]
	if !ok {
		return clientele.Agency{}, fmt.Errorf("memory: agency %s: %w", id, clientele.ErrNotFound)
	}
	if err := s.domainFree(id, b.CustomDomain); err != nil {
		return clientele.Agency{}, err
	}
	if err := s.auditFree(ev); err != nil {
		return clientele.Agency{}, err
	}
	ev.AgencyID, ev.ClientID, ev.Action, ev.Target = id, "", clientele.AuditAgencyBranding, string(id)
	ev.Before, ev.After = clientele.AuditBranding(a.Branding), clientele.AuditBranding(b)
	s.record(ev)
	if old := a.Branding.CustomDomain; old != "" {
		delete(s.domains, old)
	}
	if b.CustomDomain != "" {
		s.domains[b.CustomDomain] = id
	}
	a.Branding = b
	s.agencies[id] = a
	return a, nil
}

// domainFree reports [clientele.ErrDuplicate] when an agency other than id
// holds domain. The caller holds the lock.
func (s *Store) domainFree(id clientele.AgencyID, domain string) error {
	if domain == "" {
		return nil
	}
	if holder, ok := s.domains[domain]; ok && holder != id {
		return fmt.Errorf("memory: custom domain %q: %w", domain, clientele.ErrDuplicate)
	}
	return nil
}
