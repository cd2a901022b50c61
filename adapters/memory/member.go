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

// ListUsers returns up to q.Limit entries of client: its memberships (any
// status) and its invitations still pending at q.Now, ordered by (email,
// id) and starting after q.After. An unknown client gives an empty list; a
// limit below 1 answers [clientele.ErrInvalidArgument].
func (s *Store) ListUsers(_ context.Context, client clientele.ClientID, q tenancy.ListQuery) ([]tenancy.Entry, error) {
	if client == "" {
		return nil, missingScope("list users", "client")
	}
	if q.Limit < 1 {
		return nil, invalid("list users", "limit %d", q.Limit)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var list []tenancy.Entry
	add := func(e tenancy.Entry) {
		if q.After == nil || afterKey(string(e.Email), e.ID, *q.After) {
			list = append(list, e)
		}
	}
	for id := range s.members[client] {
		m, _ := s.member(client, id)
		add(tenancy.Entry{
			ID:           string(m.UserID),
			Name:         m.Name,
			Email:        m.Email,
			Role:         m.Role,
			Status:       tenancy.EntryStatus(m.Status),
			LastActiveAt: m.LastActiveAt,
		})
	}
	for _, id := range s.invited[client] {
		inv := s.invitations[id]
		if inv.StatusAt(q.Now) != clientele.InvitationPending {
			continue
		}
		add(tenancy.Entry{
			ID:        string(inv.ID),
			Email:     inv.Email,
			Role:      inv.Role,
			Status:    tenancy.EntryPending,
			ExpiresAt: cloneTime(&inv.ExpiresAt),
		})
	}
	slices.SortFunc(list, func(a, b tenancy.Entry) int {
		return cmp.Or(cmp.Compare(a.Email, b.Email), cmp.Compare(a.ID, b.ID))
	})
	return list[:min(q.Limit, len(list))], nil
}

// Member returns user's membership in client, or [clientele.ErrNotFound].
func (s *Store) Member(_ context.Context, client clientele.ClientID, user clientele.UserID) (clientele.Member, error) {
	if client == "" {
		return clientele.Member{}, missingScope("member", "client")
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	m, ok := s.member(client, user)
	if !ok {
		return clientele.Member{}, memberNotFound(client, user)
	}
	return m, nil
}

// ChangeRole sets the role of user in client and returns the member,
// recording ev under the same lock. With keepAdmin, demoting the client's
// last active admin fails with [tenancy.ErrLastAdmin] and changes nothing.
func (s *Store) ChangeRole(_ context.Context, client clientele.ClientID, user clientele.UserID, role clientele.Role, keepAdmin bool, ev clientele.AuditEvent) (clientele.Member, error) {
	if client == "" {
		return clientele.Member{}, missingScope("change role", "client")
	}
	if !role.Valid() {
		return clientele.Member{}, fmt.Errorf("memory: change role: %w: %w: %q", clientele.ErrInvalidArgument, clientele.ErrInvalidRole, role)
	}
	if err := checkStamp("change role", ev); err != nil {
		return clientele.Member{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	before, ok := s.member(client, user)
	if !ok {
		return clientele.Member{}, memberNotFound(client, user)
	}
	if keepAdmin && role != clientele.RoleAdmin && s.lastActiveAdmin(client, user) {
		return clientele.Member{}, fmt.Errorf("memory: client %s: demote %s: %w", client, user, tenancy.ErrLastAdmin)
	}
	if err := s.auditFree(ev); err != nil {
		return clientele.Member{}, err
	}
	m := s.members[client][user]
	m.Role = role
	s.members[client][user] = m
	got, _ := s.member(client, user)
	s.recordMember(ev, clientele.AuditMemberRole, before, &got)
	return got, nil
}

// RemoveMember deletes user's membership in client and, under the same
// lock, the sessions acting through it, and records ev; the user and its
// other memberships stay. keepAdmin as for ChangeRole. A missing
// membership answers [clientele.ErrNotFound].
func (s *Store) RemoveMember(_ context.Context, client clientele.ClientID, user clientele.UserID, keepAdmin bool, ev clientele.AuditEvent) error {
	if client == "" {
		return missingScope("remove member", "client")
	}
	if err := checkStamp("remove member", ev); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	before, ok := s.member(client, user)
	if !ok {
		return memberNotFound(client, user)
	}
	if keepAdmin && s.lastActiveAdmin(client, user) {
		return fmt.Errorf("memory: client %s: remove %s: %w", client, user, tenancy.ErrLastAdmin)
	}
	if err := s.auditFree(ev); err != nil {
		return err
	}
	delete(s.members[client], user)
	s.endSessions(client, user)
	s.recordMember(ev, clientele.AuditMemberRemove, before, nil)
	return nil
}

// SetMemberStatus sets the membership's status and returns the member,
// recording ev under the same lock. Deactivating ends the sessions acting
// through the membership, so reactivating revives none of them.
func (s *Store) SetMemberStatus(_ context.Context, client clientele.ClientID, user clientele.UserID, status clientele.MemberStatus, ev clientele.AuditEvent) (clientele.Member, error) {
	if client == "" {
		return clientele.Member{}, missingScope("set member status", "client")
	}
	if status != clientele.StatusActive && status != clientele.StatusDeactivated {
		return clientele.Member{}, invalid("set member status", "status %q", status)
	}
	if err := checkStamp("set member status", ev); err != nil {
		return clientele.Member{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	before, ok := s.member(client, user)
	if !ok {
		return clientele.Member{}, memberNotFound(client, user)
	}
	if err := s.auditFree(ev); err != nil {
		return clientele.Member{}, err
	}
	m := s.members[client][user]
	m.Status = status
	s.members[client][user] = m
	if status == clientele.StatusDeactivated {
		s.endSessions(client, user)
	}
	got, _ := s.member(client, user)
	action := clientele.AuditMemberDeactivate
	if status == clientele.StatusActive {
		action = clientele.AuditMemberReactivate
	}
	s.recordMember(ev, action, before, &got)
	return got, nil
}

// recordMember records ev, the change action of member before (after is
// nil for a removal). The caller holds the write lock.
func (s *Store) recordMember(ev clientele.AuditEvent, action string, before clientele.Member, after *clientele.Member) {
	ev.AgencyID, ev.ClientID = s.clients[before.ClientID].AgencyID, before.ClientID
	ev.Action, ev.Target = action, string(before.UserID)
	ev.Before, ev.After = clientele.AuditMember(action, before.Membership), ""
	if after != nil {
		ev.After = clientele.AuditMember(action, after.Membership)
	}
	s.record(ev)
}

// RecordActivity sets the membership's last-active time to at.
func (s *Store) RecordActivity(_ context.Context, client clientele.ClientID, user clientele.UserID, at time.Time) error {
	if client == "" {
		return missingScope("record activity", "client")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.members[client][user]
	if !ok {
		return memberNotFound(client, user)
	}
	m.LastActiveAt = &at
	s.members[client][user] = m
	return nil
}

// lastActiveAdmin reports whether user is the only active admin of client,
// so that demoting or removing it leaves the client without one. A change
// to anyone else never does. The caller holds the lock.
func (s *Store) lastActiveAdmin(client clientele.ClientID, user clientele.UserID) bool {
	if !activeAdmin(s.members[client][user]) {
		return false
	}
	for id, m := range s.members[client] {
		if id != user && activeAdmin(m) {
			return false
		}
	}
	return true
}

func activeAdmin(m clientele.Membership) bool {
	return m.Role == clientele.RoleAdmin && m.Status == clientele.StatusActive
}

func memberNotFound(client clientele.ClientID, user clientele.UserID) error {
	return fmt.Errorf("memory: client %s: member %s: %w", client, user, clientele.ErrNotFound)
}
