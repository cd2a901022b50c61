package conformance

import (
	"context"
	"fmt"
	"strings"

	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/invite"
	"github.com/clientele/clientele/rbac"
	"github.com/clientele/clientele/tenancy"
)

// The operations of RunIsolation. Each computes the model's answer first,
// calls the service, checks the outcome, then applies the change to the
// model and checks what the store now holds for the client it named.

func (w *isoWorld) opInvite() {
	a := w.actor()
	w.invite(a, w.target(a), isoEmail(w.rng.IntN(isoEmails)), w.role())
}

// invite runs invite.Service.Create and returns the model's new
// invitation, or nil when it was refused.
func (w *isoWorld) invite(a isoActor, t isoTarget, email clientele.Email, role clientele.Role) *isoInv {
	w.describe("invite", a, t, "%s as %s", email, role)
	want := w.m.gate(a.p, t, rbac.ActionInvite)
	var lapsed []*isoInv
	if want == nil {
		if u := t.c.agency.users[email]; u != nil && t.c.member(u.id) != nil {
			want = invite.ErrAlreadyMember
		}
		for _, inv := range t.c.open {
			if want == nil && inv.email == email {
				if w.m.now.Before(inv.expires) {
					want = invite.ErrPendingExists
				} else {
					lapsed = append(lapsed, inv)
				}
			}
		}
	}
	before, _ := w.mail.sent()
	got, err := w.invites.Create(w.ctx, a.p, t.id, string(email), role)
	w.expect("invite", a, &t, want, err)
	if want != nil {
		w.noMail(before)
		w.afterWrite(t.c)
		return nil
	}
	for _, inv := range lapsed {
		inv.setStatus(clientele.InvitationExpired)
		w.lapsed++
	}
	inv := w.newInvitation(a, t.c, got.ID, email, role, before)
	require.Equal(w.t, normInvitation(inv.invitation()), normInvitation(got), "%v", w)
	w.m.record(t.c, clientele.AuditInvitationCreate, string(inv.id), a.p.AuditActor())
	w.checkInvitations(append(lapsed, inv)...)
	w.afterWrite(t.c)
	return inv
}

// newInvitation adds a pending invitation to the model, with the token of
// the one email the service must have sent for it.
func (w *isoWorld) newInvitation(a isoActor, c *isoClient, id clientele.InvitationID, email clientele.Email, role clientele.Role, sentBefore int) *isoInv {
	n, msg := w.mail.sent()
	require.Equal(w.t, sentBefore+1, n, "%v: one email per invitation", w)
	require.Equal(w.t, email, msg.To, "%v: the email's recipient", w)
	tok, ok := strings.CutPrefix(msg.Link, isoBaseURL+"/invite/")
	require.True(w.t, ok, "%v: link %q", w, msg.Link)
	hash, err := invite.HashToken(tok)
	require.NoError(w.t, err, "%v: link %q", w, msg.Link)
	require.Nil(w.t, w.m.byToken[tok], "%v: a token mailed twice", w)
	inv := &isoInv{id: id, label: fmt.Sprintf("inv#%d", len(w.m.invs)+1), client: c, email: email, role: role,
		status: clientele.InvitationPending, invitedBy: a.p.UserID, created: w.m.now,
		expires: w.m.now.Add(invite.DefaultTTL), token: tok, hash: hash}
	c.invs = append(c.invs, inv)
	c.open = append(c.open, inv)
	w.m.invs = append(w.m.invs, inv)
	w.m.tokens = append(w.m.tokens, tok)
	w.m.byToken[tok] = inv
	return inv
}

func (w *isoWorld) noMail(before int) {
	n, _ := w.mail.sent()
	require.Equal(w.t, before, n, "%v: a refused operation sent an email", w)
}

func (w *isoWorld) opAccept() {
	tok, _, label := w.token()
	w.accept(tok, label)
}

// proof returns the user an acceptance's caller proves to be: mostly u,
// the invited email's user (none for a new account), sometimes nobody or
// another user, which must be refused. The setup always proves u.
func (w *isoWorld) proof(u *isoUser) clientele.UserID {
	if w.step < 0 { // the setup
		if u == nil {
			return ""
		}
		return u.id
	}
	switch n := w.rng.IntN(8); {
	case n == 0 && len(w.m.users) > 0:
		return w.m.users[w.rng.IntN(len(w.m.users))].id
	case n == 1 || u == nil:
		return ""
	}
	return u.id
}

// accept runs invite.Service.Accept and returns the new member, or nil
// when it was refused.
func (w *isoWorld) accept(tok, label string) *isoMember {
	inv := w.m.byToken[tok]
	a := isoActor{kind: "token", label: "holder of " + label}
	name := fmt.Sprintf("Person %d", w.step+2)
	t := isoTarget{label: "no client"}
	var want error = invite.ErrUnknownToken
	var u *isoUser
	var account clientele.UserID // the user the caller proved to be
	if inv != nil {
		t = isoTarget{id: inv.client.id, c: inv.client, label: inv.client.label}
		want = invite.StatusError(inv.statusAt(w.m.now))
		u = inv.client.agency.users[inv.email]
		account = w.proof(u)
		switch {
		case want != nil:
		case u == nil && account != "", u != nil && account != u.id:
			want = invite.ErrSignInRequired
		case u != nil && inv.client.member(u.id) != nil:
			want = invite.ErrAlreadyMember
		}
	}
	w.describe("accept", a, t, "as %q proving %q", name, account)
	got, err := w.invites.Accept(w.ctx, invite.AcceptRequest{Token: tok, Name: name, Password: isoPassword, Account: account})
	w.expect("accept", a, nil, want, err)
	if want != nil {
		w.afterWrite(t.c)
		return nil
	}
	c := inv.client
	if u == nil {
		require.NotEmpty(w.t, got.UserID, "%v", w)
		for _, o := range w.m.users {
			require.NotEqual(w.t, o.id, got.UserID, "%v: a new user with %s's id", w, o.label)
		}
		u = &isoUser{id: got.UserID, agency: c.agency, email: inv.email, name: name,
			label: c.agency.label + ":" + strings.TrimSuffix(string(inv.email), "@example.com")}
		c.agency.users[inv.email] = u
		w.m.users = append(w.m.users, u)
	}
	m := &isoMember{user: u, role: inv.role, status: clientele.StatusActive, created: w.m.now}
	c.members = append(c.members, m)
	inv.setStatus(clientele.InvitationAccepted)
	inv.acceptedBy = u.id
	require.Equal(w.t, normMember(m.member(c)), normMember(got), "%v", w)
	w.m.record(c, clientele.AuditInvitationAccept, string(inv.id), string(u.id))
	w.history = append(w.history, clientele.ClientUser(c.agency.id, c.id, u.id, m.role))
	w.checkInvitations(inv)
	w.afterWrite(c)
	return m
}

func (w *isoWorld) opResend() {
	a := w.actor()
	t := w.target(a)
	ref := w.invitation(t)
	w.describe("resend", a, t, "%s", ref.label)
	want := w.m.gate(a.p, t, rbac.ActionResendInvitation)
	if want == nil {
		want = w.ownInvitation(t, ref)
	}
	before, _ := w.mail.sent()
	got, err := w.invites.Resend(w.ctx, a.p, t.id, ref.id)
	w.expect("resend", a, &t, want, err)
	if want != nil {
		w.noMail(before)
		w.afterWrite(t.c)
		return
	}
	old := ref.inv
	if !w.m.now.Before(old.expires) {
		w.revived++
	}
	old.setStatus(clientele.InvitationReplaced)
	old.replacedBy = got.ID
	inv := w.newInvitation(a, t.c, got.ID, old.email, old.role, before)
	require.Equal(w.t, normInvitation(inv.invitation()), normInvitation(got), "%v", w)
	w.m.record(t.c, clientele.AuditInvitationResend, string(old.id), a.p.AuditActor())
	w.checkInvitations(old, inv)
	w.afterWrite(t.c)
}

// ownInvitation is what a resend or a cancel answers past the gate: an
// invitation of another client (or of none) is not found; one no longer
// pending by its stored status answers its status error.
func (w *isoWorld) ownInvitation(t isoTarget, ref isoInvRef) error {
	if ref.inv == nil || ref.inv.client != t.c {
		return clientele.ErrNotFound
	}
	return invite.StatusError(ref.inv.status)
}

func (w *isoWorld) opCancel() {
	a := w.actor()
	t := w.target(a)
	ref := w.invitation(t)
	w.describe("cancel", a, t, "%s", ref.label)
	want := w.m.gate(a.p, t, rbac.ActionCancelInvitation)
	if want == nil {
		want = w.ownInvitation(t, ref)
	}
	err := w.invites.Cancel(w.ctx, a.p, t.id, ref.id)
	w.expect("cancel", a, &t, want, err)
	if want == nil {
		ref.inv.setStatus(clientele.InvitationCancelled)
		w.m.record(t.c, clientele.AuditInvitationCancel, string(ref.id), a.p.AuditActor())
		w.checkInvitations(ref.inv)
	}
	w.afterWrite(t.c)
}

// memberOp names a member of a client in an operation and returns the
// model's membership, or the error the operation answers for the name.
func (w *isoWorld) memberOp(op string, act rbac.Action, format string, args ...any) (isoActor, isoTarget, isoUserRef, *isoMember, error) {
	a := w.actor()
	t := w.target(a)
	u := w.user(t)
	w.describe(op, a, t, "%s"+format, append([]any{u.label}, args...)...)
	if err := w.m.gate(a.p, t, act); err != nil {
		return a, t, u, nil, err
	}
	m := t.c.member(u.id)
	if m == nil {
		return a, t, u, nil, clientele.ErrNotFound
	}
	return a, t, u, m, nil
}

func (w *isoWorld) opChangeRole() {
	role := w.role()
	a, t, u, m, want := w.memberOp("change_role", rbac.ActionChangeRole, " to %s", role)
	if want == nil && a.p.Kind != clientele.KindAgencyAdmin && role != clientele.RoleAdmin && t.c.lastActiveAdmin(m) {
		want = tenancy.ErrLastAdmin
	}
	got, err := w.tenancy.ChangeRole(w.ctx, a.p, t.id, u.id, role)
	w.expect("change_role", a, &t, want, err)
	if want == nil {
		m.role = role
		require.Equal(w.t, normMember(m.member(t.c)), normMember(got), "%v", w)
		w.m.record(t.c, clientele.AuditMemberRole, string(u.id), a.p.AuditActor())
		w.history = append(w.history, clientele.ClientUser(t.c.agency.id, t.c.id, u.id, role))
	}
	w.afterWrite(t.c)
}

func (w *isoWorld) opRemove() {
	a, t, u, m, want := w.memberOp("remove", rbac.ActionRemoveUser, "")
	if want == nil && a.p.Kind != clientele.KindAgencyAdmin && t.c.lastActiveAdmin(m) {
		want = tenancy.ErrLastAdmin
	}
	err := w.tenancy.Remove(w.ctx, a.p, t.id, u.id)
	w.expect("remove", a, &t, want, err)
	if want == nil {
		t.c.remove(m)
		w.m.record(t.c, clientele.AuditMemberRemove, string(u.id), a.p.AuditActor())
		_, err := w.store.Member(w.ctx, t.id, u.id)
		require.ErrorIs(w.t, err, clientele.ErrNotFound, "%v: the removed membership", w)
	}
	w.afterWrite(t.c)
}

func (w *isoWorld) opDeactivate() {
	w.setStatus("deactivate", rbac.ActionDeactivateUser, clientele.StatusDeactivated, w.tenancy.Deactivate)
}

func (w *isoWorld) opReactivate() {
	w.setStatus("reactivate", rbac.ActionReactivateUser, clientele.StatusActive, w.tenancy.Reactivate)
}

func (w *isoWorld) setStatus(op string, act rbac.Action, st clientele.MemberStatus,
	call func(ctx context.Context, p clientele.Principal, c clientele.ClientID, u clientele.UserID) (clientele.Member, error)) {
	a, t, u, m, want := w.memberOp(op, act, "")
	got, err := call(w.ctx, a.p, t.id, u.id)
	w.expect(op, a, &t, want, err)
	if want == nil {
		m.status = st
		require.Equal(w.t, normMember(m.member(t.c)), normMember(got), "%v", w)
		action := clientele.AuditMemberDeactivate
		if st == clientele.StatusActive {
			action = clientele.AuditMemberReactivate
		}
		w.m.record(t.c, action, string(u.id), a.p.AuditActor())
	}
	w.afterWrite(t.c)
}

func (w *isoWorld) opSetPermissions() {
	a := w.actor()
	t := w.target(a)
	var perms []clientele.Permission
	for _, p := range []clientele.Permission{clientele.PermManageBilling, clientele.PermViewReports, clientele.PermExportData} {
		if w.rng.IntN(2) == 0 {
			perms = append(perms, p)
		}
	}
	unknown := w.rng.IntN(10) == 0
	if unknown {
		perms = append(perms, "teleport")
	}
	w.describe("set_permissions", a, t, "%v", perms)
	want := w.m.gate(a.p, t, rbac.ActionSetPermissions)
	if want == nil && unknown {
		want = tenancy.ErrUnknownPermission
	}
	got, err := w.tenancy.SetPermissions(w.ctx, a.p, t.id, perms)
	w.expect("set_permissions", a, &t, want, err)
	if want == nil {
		t.c.perms = clientele.NewPermissionSet(perms...)
		require.Equal(w.t, normClient(t.c.client()), normClient(got), "%v", w)
		w.m.record(t.c, clientele.AuditClientPermissions, string(t.id), a.p.AuditActor())
	}
	w.afterWrite(t.c)
}

func (w *isoWorld) opListUsers() {
	a := w.actor()
	t := w.target(a)
	limit := 1 + w.rng.IntN(4)
	w.describe("list_users", a, t, "pages of %d", limit)
	want := w.m.gate(a.p, t, rbac.ActionListUsers)
	page, err := w.tenancy.ListUsers(w.ctx, a.p, t.id, tenancy.Page{Limit: limit})
	w.expect("list_users", a, &t, want, err)
	if want != nil {
		return
	}
	all := page.Users
	for page.Next != "" {
		page, err = w.tenancy.ListUsers(w.ctx, a.p, t.id, tenancy.Page{Limit: limit, Cursor: page.Next})
		require.NoError(w.t, err, "%v: a later page", w)
		all = append(all, page.Users...)
	}
	require.Equal(w.t, t.c.entries(w.m.now), normEntries(all), "%v", w)
}

func (w *isoWorld) opMember() {
	a, t, u, m, want := w.memberOp("member", rbac.ActionListUsers, "")
	got, err := w.tenancy.Member(w.ctx, a.p, t.id, u.id)
	w.expect("member", a, &t, want, err)
	if want == nil {
		require.Equal(w.t, normMember(m.member(t.c)), normMember(got), "%v", w)
	}
}

func (w *isoWorld) opClient() {
	a := w.actor()
	t := w.target(a)
	w.describe("client", a, t, "")
	want := w.m.gate(a.p, t, rbac.ActionViewClient)
	got, err := w.tenancy.Client(w.ctx, a.p, t.id)
	w.expect("client", a, &t, want, err)
	if want == nil {
		require.Equal(w.t, normClient(t.c.client()), normClient(got), "%v", w)
	}
}

func (w *isoWorld) opListClients() {
	a := w.actor()
	limit := 1 + w.rng.IntN(5)
	w.describe("list_clients", a, isoTarget{label: "the agency"}, "pages of %d", limit)
	want := isoAgencyGate(a.p)
	page, err := w.tenancy.ListClients(w.ctx, a.p, tenancy.Page{Limit: limit})
	w.expect("list_clients", a, nil, want, err)
	if want != nil {
		return
	}
	all := page.Clients
	for page.Next != "" {
		page, err = w.tenancy.ListClients(w.ctx, a.p, tenancy.Page{Limit: limit, Cursor: page.Next})
		require.NoError(w.t, err, "%v: a later page", w)
		all = append(all, page.Clients...)
	}
	require.Equal(w.t, w.agencyOf(a.p).clientList(), normClients(all), "%v", w)
}

// opListAudit reads the first page of the agency's log (the agency admin's
// alone) or of a client's.
func (w *isoWorld) opListAudit() {
	a := w.actor()
	limit := 1 + w.rng.IntN(10)
	if w.rng.IntN(100) < 30 {
		w.describe("list_audit", a, isoTarget{label: "the agency"}, "newest %d", limit)
		want := isoAgencyGate(a.p)
		page, err := w.tenancy.ListAudit(w.ctx, a.p, "", tenancy.Page{Limit: limit})
		w.expect("list_audit", a, nil, want, err)
		if want == nil {
			require.Equal(w.t, isoNewest(w.agencyOf(a.p).events, limit), isoEventsOf(page.Events), "%v", w)
		}
		return
	}
	t := w.target(a)
	w.describe("list_audit", a, t, "newest %d", limit)
	want := w.m.gate(a.p, t, rbac.ActionViewAudit)
	page, err := w.tenancy.ListAudit(w.ctx, a.p, t.id, tenancy.Page{Limit: limit})
	w.expect("list_audit", a, &t, want, err)
	if want == nil {
		require.Equal(w.t, isoNewest(t.c.events, limit), isoEventsOf(page.Events), "%v", w)
	}
}

func (w *isoWorld) opLookup() {
	tok, inv, label := w.token()
	a := isoActor{kind: "token", label: "holder of " + label}
	w.describe("lookup", a, isoTarget{label: "no client"}, "")
	var want error = invite.ErrUnknownToken
	if inv != nil {
		want = invite.StatusError(inv.statusAt(w.m.now))
	}
	got, err := w.invites.Lookup(w.ctx, tok)
	w.expect("lookup", a, nil, want, err)
	if want != nil {
		return
	}
	c := inv.client
	require.Equal(w.t, invite.Preview{AgencyID: c.agency.id, ClientID: c.id, Email: inv.email, Role: inv.role,
		ClientName: c.name, Branding: c.agency.branding, ExpiresAt: inv.expires,
		HasAccount: c.agency.users[inv.email] != nil}, isoNormPreview(got), "%v", w)
}

func isoNormPreview(p invite.Preview) invite.Preview {
	p.ExpiresAt = p.ExpiresAt.UTC()
	return p
}

func (w *isoWorld) agencyOf(p clientele.Principal) *isoAgency {
	for _, a := range w.m.agencies {
		if a.id == p.AgencyID {
			return a
		}
	}
	w.t.Fatalf("%v: no agency %s", w, p.AgencyID)
	return nil
}
