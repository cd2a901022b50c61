package tenancy

import (
	"context"
	"errors"
	"fmt"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/rbac"
)

// ErrUnknownPermission reports a permission name the authorizer's policy
// does not know.
var ErrUnknownPermission = errors.New("tenancy: unknown permission")

// CreateClient creates a client named name, with no permissions, in p's
// agency (agency admin only).
func (s *Service) CreateClient(ctx context.Context, p clientele.Principal, name string) (clientele.Client, error) {
	if err := s.agency(ctx, p, rbac.ActionCreateClient); err != nil {
		return clientele.Client{}, err
	}
	name, err := clientele.NormalizeName(name)
	if err != nil {
		return clientele.Client{}, err
	}
	c := clientele.Client{ID: clientele.ClientID(clientele.NewID("cli")), AgencyID: p.AgencyID, Name: name,
		Permissions: clientele.PermissionSet{}, CreatedAt: s.time()}
	if err := s.store.CreateClient(ctx, c); err != nil {
		return clientele.Client{}, fmt.Errorf("tenancy: create client: %w", err)
	}
	s.log.InfoContext(ctx, "client created", "agency", c.AgencyID, "client", c.ID)
	return c, nil
}

// Client returns client id as p may see it: the agency admin sees every
// client of its agency, a client user only its own.
func (s *Service) Client(ctx context.Context, p clientele.Principal, id clientele.ClientID) (clientele.Client, error) {
	return s.client(ctx, p, id, rbac.ActionViewClient)
}

// ClientPage is one page of clients.
type ClientPage struct {
	Clients []clientele.Client
	// Next is the cursor of the following page, or empty after the last.
	Next string
}

// ListClients lists p's agency's clients by name (agency admin only).
func (s *Service) ListClients(ctx context.Context, p clientele.Principal, page Page) (ClientPage, error) {
	if err := s.agency(ctx, p, rbac.ActionListClients); err != nil {
		return ClientPage{}, err
	}
	after, limit, err := page.parse()
	if err != nil {
		return ClientPage{}, err
	}
	cs, err := s.store.ListClients(ctx, p.AgencyID, after, limit)
	if err != nil {
		return ClientPage{}, fmt.Errorf("tenancy: list clients: %w", err)
	}
	return ClientPage{Clients: cs, Next: next(len(cs), limit, func() Key {
		c := cs[len(cs)-1]
		return Key{Sort: c.Name, ID: string(c.ID)}
	})}, nil
}

// SetPermissions replaces the client's enabled permissions (agency admin
// only). Every name must be known to the authorizer, else
// ErrUnknownPermission and nothing changes. The change holds from the
// client users' next request and is recorded in the client's audit log.
func (s *Service) SetPermissions(ctx context.Context, p clientele.Principal, id clientele.ClientID, perms []clientele.Permission) (clientele.Client, error) {
	c, err := s.client(ctx, p, id, rbac.ActionSetPermissions)
	if err != nil {
		return clientele.Client{}, err
	}
	for _, perm := range perms {
		if _, err := clientele.ParsePermission(string(perm)); err != nil {
			return clientele.Client{}, fmt.Errorf("%w: %q", ErrUnknownPermission, perm)
		}
		if !s.authz.Known(perm) {
			return clientele.Client{}, fmt.Errorf("%w: %q", ErrUnknownPermission, perm)
		}
	}
	c, err = s.store.SetPermissions(ctx, p.AgencyID, c.ID, clientele.NewPermissionSet(perms...), clientele.NewAuditStamp(ctx, p, s.time()))
	if err != nil {
		return clientele.Client{}, fmt.Errorf("tenancy: set permissions: %w", err)
	}
	s.log.InfoContext(ctx, "client permissions changed", "client", c.ID, "permissions", c.Permissions)
	return c, nil
}
