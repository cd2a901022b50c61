package tenancy

import (
	"context"
	"fmt"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/rbac"
)

// UserPage is one page of a client's user list.
type UserPage struct {
	Users []Entry
	// Next is the cursor of the following page, or empty after the last.
	Next string
}

// ListUsers lists the client's members and pending invitations together,
// ordered by email.
func (s *Service) ListUsers(ctx context.Context, p clientele.Principal, client clientele.ClientID, page Page) (UserPage, error) {
	c, err := s.client(ctx, p, client, rbac.ActionListUsers)
	if err != nil {
		return UserPage{}, err
	}
	after, limit, err := page.parse()
	if err != nil {
		return UserPage{}, err
	}
	es, err := s.store.ListUsers(ctx, c.ID, ListQuery{Now: s.time(), After: after, Limit: limit})
	if err != nil {
		return UserPage{}, fmt.Errorf("tenancy: list users: %w", err)
	}
	return UserPage{Users: es, Next: next(len(es), limit, func() Key { return es[len(es)-1].Key() })}, nil
}

// Member returns a member of the client as p may see it.
func (s *Service) Member(ctx context.Context, p clientele.Principal, client clientele.ClientID, user clientele.UserID) (clientele.Member, error) {
	c, err := s.client(ctx, p, client, rbac.ActionListUsers)
	if err != nil {
		return clientele.Member{}, err
	}
	if err := checkUser(user); err != nil {
		return clientele.Member{}, err
	}
	m, err := s.store.Member(ctx, c.ID, user)
	if err != nil {
		return clientele.Member{}, fmt.Errorf("tenancy: %w", err)
	}
	return m, nil
}

// ChangeRole sets user's role in the client. A client Admin cannot demote
// the client's last active Admin (ErrLastAdmin); the agency admin can. The
// new role holds from the user's next request. Role changes, removals,
// deactivations and reactivations are recorded in the client's audit log
// (see ListAudit).
func (s *Service) ChangeRole(ctx context.Context, p clientele.Principal, client clientele.ClientID, user clientele.UserID, role clientele.Role) (clientele.Member, error) {
	c, err := s.client(ctx, p, client, rbac.ActionChangeRole)
	if err != nil {
		return clientele.Member{}, err
	}
	if err := checkUser(user); err != nil {
		return clientele.Member{}, err
	}
	if !role.Valid() {
		return clientele.Member{}, fmt.Errorf("%w: %q", clientele.ErrInvalidRole, role)
	}
	m, err := s.store.ChangeRole(ctx, c.ID, user, role, keepAdmin(p), clientele.NewAuditStamp(ctx, p, s.time()))
	if err != nil {
		return clientele.Member{}, fmt.Errorf("tenancy: change role: %w", err)
	}
	s.log.InfoContext(ctx, "role changed", "client", c.ID, "user", user, "role", role)
	return m, nil
}

// Remove deletes user's membership in the client at once, notifying
// nobody. A client Admin cannot remove the last active Admin (ErrLastAdmin).
func (s *Service) Remove(ctx context.Context, p clientele.Principal, client clientele.ClientID, user clientele.UserID) error {
	c, err := s.client(ctx, p, client, rbac.ActionRemoveUser)
	if err != nil {
		return err
	}
	if err := checkUser(user); err != nil {
		return err
	}
	if err := s.store.RemoveMember(ctx, c.ID, user, keepAdmin(p), clientele.NewAuditStamp(ctx, p, s.time())); err != nil {
		return fmt.Errorf("tenancy: remove: %w", err)
	}
	s.log.InfoContext(ctx, "member removed", "client", c.ID, "user", user)
	return nil
}

// Deactivate suspends user's membership (agency admin only); a deactivated
// user keeps its place in the list but may do nothing, and its sessions in
// the client end (reactivation revives none: the user signs in again).
func (s *Service) Deactivate(ctx context.Context, p clientele.Principal, client clientele.ClientID, user clientele.UserID) (clientele.Member, error) {
	return s.setStatus(ctx, p, client, user, rbac.ActionDeactivateUser, clientele.StatusDeactivated)
}

// Reactivate restores a deactivated membership (agency admin only).
func (s *Service) Reactivate(ctx context.Context, p clientele.Principal, client clientele.ClientID, user clientele.UserID) (clientele.Member, error) {
	return s.setStatus(ctx, p, client, user, rbac.ActionReactivateUser, clientele.StatusActive)
}

func (s *Service) setStatus(ctx context.Context, p clientele.Principal, client clientele.ClientID, user clientele.UserID, act rbac.Action, st clientele.MemberStatus) (clientele.Member, error) {
	c, err := s.client(ctx, p, client, act)
	if err != nil {
		return clientele.Member{}, err
	}
	if err := checkUser(user); err != nil {
		return clientele.Member{}, err
	}
	m, err := s.store.SetMemberStatus(ctx, c.ID, user, st, clientele.NewAuditStamp(ctx, p, s.time()))
	if err != nil {
		return clientele.Member{}, fmt.Errorf("tenancy: set status: %w", err)
	}
	s.log.InfoContext(ctx, "member status changed", "client", c.ID, "user", user, "status", st)
	return m, nil
}

// RecordActivity marks the member active now; the host calls it at
// sign-in. It is confined to client like every other operation.
func (s *Service) RecordActivity(ctx context.Context, client clientele.ClientID, user clientele.UserID) error {
	if client == "" || user == "" {
		return clientele.ErrMissingScope
	}
	if !clientele.ValidID(string(client)) {
		return fmt.Errorf("tenancy: client %q: %w", client, clientele.ErrNotFound)
	}
	if err := checkUser(user); err != nil {
		return err
	}
	if err := s.store.RecordActivity(ctx, client, user, s.time()); err != nil {
		return fmt.Errorf("tenancy: record activity: %w", err)
	}
	return nil
}

// keepAdmin tells whether the last-Admin rule binds p: it binds client
// users, not the agency admin.
func keepAdmin(p clientele.Principal) bool { return p.Kind != clientele.KindAgencyAdmin }

func checkUser(u clientele.UserID) error {
	if !clientele.ValidID(string(u)) {
		return fmt.Errorf("tenancy: user %q: %w", u, clientele.ErrNotFound)
	}
	return nil
}
