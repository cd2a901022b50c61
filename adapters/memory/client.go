package memory

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/tenancy"
)

// CreateClient stores c. An existing id answers [clientele.ErrDuplicate];
// an unknown agency answers [clientele.ErrNotFound]; an empty agency
// answers [clientele.ErrMissingScope].
func (s *Store) CreateClient(_ context.Context, c clientele.Client) error {
	if c.AgencyID == "" {
		return missingScope("create client", "agency")
	}
	if c.ID == "" {
		return invalid("create client", "empty id")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.agencies[c.AgencyID]; !ok {
		return fmt.Errorf("memory: agency %s: %w", c.AgencyID, clientele.ErrNotFound)
	}
	if _, ok := s.clients[c.ID]; ok {
		return fmt.Errorf("memory: client %s: %w", c.ID, clientele.ErrDuplicate)
	}
	c.Permissions = clientele.NewPermissionSet(c.Permissions...)
	s.clients[c.ID] = c
	return nil
}

// Client returns client id of agency, or [clientele.ErrNotFound] when it
// does not exist or belongs to another agency.
func (s *Store) Client(_ context.Context, agency clientele.AgencyID, id clientele.ClientID) (clientele.Client, error) {
	if err := clientScope("client", agency, id); err != nil {
		return clientele.Client{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	c, err := s.client(agency, id)
	if err != nil {
		return clientele.Client{}, err
	}
	return cloneClient(c), nil
}

// ListClients returns up to limit clients of agency ordered by (name, id),
// starting after the key after. A limit below 1 answers
// [clientele.ErrInvalidArgument].
func (s *Store) ListClients(_ context.Context, agency clientele.AgencyID, after *tenancy.Key, limit int) ([]clientele.Client, error) {
	if agency == "" {
		return nil, missingScope("list clients", "agency")
	}
	if limit < 1 {
		return nil, invalid("list clients", "limit %d", limit)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var list []clientele.Client
	for _, c := range s.clients {
		if c.AgencyID == agency && (after == nil || afterKey(c.Name, string(c.ID), *after)) {
			list = append(list, c)
		}
	}
	slices.SortFunc(list, func(a, b clientele.Client) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID))
	})
	list = list[:min(limit, len(list))]
	for i := range list {
		list[i] = cloneClient(list[i])
	}
	return list, nil
}

// SetPermissions replaces the client's permissions and returns the client,
// recording ev under the same lock; [clientele.ErrNotFound] as for Client.
func (s *Store) SetPermissions(_ context.Context, agency clientele.AgencyID, id clientele.ClientID, perms clientele.PermissionSet, ev clientele.AuditEvent) (clientele.Client, error) {
	if err := clientScope("set permissions", agency, id); err != nil {
		return clientele.Client{}, err
	}
	if err := checkStamp("set permissions", ev); err != nil {
		return clientele.Client{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.client(agency, id)
	if err != nil {
		return clientele.Client{}, err
	}
	if err := s.auditFree(ev); err != nil {
		return clientele.Client{}, err
	}
	ev.AgencyID, ev.ClientID, ev.Action, ev.Target = agency, id, clientele.AuditClientPermissions, string(id)
	ev.Before, ev.After = clientele.AuditPermissions(c.Permissions), clientele.AuditPermissions(perms)
	s.record(ev)
	c.Permissions = clientele.NewPermissionSet(perms...)
	s.clients[id] = c
	return cloneClient(c), nil
}

// client returns client id of agency. The caller holds the lock.
func (s *Store) client(agency clientele.AgencyID, id clientele.ClientID) (clientele.Client, error) {
	c, ok := s.clients[id]
	if !ok || c.AgencyID != agency {
		return clientele.Client{}, fmt.Errorf("memory: agency %s: client %s: %w", agency, id, clientele.ErrNotFound)
	}
	return c, nil
}

// clientScope checks that both the agency and the client are given.
func clientScope(op string, agency clientele.AgencyID, client clientele.ClientID) error {
	if agency == "" {
		return missingScope(op, "agency")
	}
	if client == "" {
		return missingScope(op, "client")
	}
	return nil
}

// afterKey reports whether (sort, id) comes strictly after k.
func afterKey(sort, id string, k tenancy.Key) bool {
	return sort > k.Sort || sort == k.Sort && id > k.ID
}
