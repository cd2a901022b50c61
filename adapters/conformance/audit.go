package conformance

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/invite"
	"github.com/clientele/clientele/tenancy"
)

func testAudit(t *testing.T, newStore newStoreFunc) {
	t.Run("Recorded", func(t *testing.T) { testAuditRecorded(t, newStore) })
	t.Run("NoEventWhenTheChangeFails", func(t *testing.T) { testAuditChangeFails(t, newStore) })
	t.Run("NoChangeWhenTheEventFails", func(t *testing.T) { testAuditEventFails(t, newStore) })
	t.Run("Scope", func(t *testing.T) { testAuditScope(t, newStore) })
	t.Run("Pagination", func(t *testing.T) { testAuditPages(t, newStore) })
	t.Run("NoSecrets", func(t *testing.T) { testAuditSecrets(t, newStore) })
}

// stampAt returns a fresh stamp of actor at at, with fields only the
// store may fill set to junk it must replace.
func stampAt(actor string, at time.Time) clientele.AuditEvent {
	return clientele.AuditEvent{ID: clientele.NewID("aud"), At: at, Actor: actor, IP: "2001:db8::7",
		AgencyID: "agc_junk", ClientID: "cli_junk", Action: "junk", Target: "junk", Before: "junk", After: "junk"}
}

// auditLog returns the whole audit log of agency (client: of that client).
func auditLog(t *testing.T, s Store, agency clientele.AgencyID, client clientele.ClientID) []clientele.AuditEvent {
	t.Helper()
	evs, err := s.ListAudit(t.Context(), agency, client, nil, 1000)
	require.NoError(t, err, "list audit")
	for i := range evs {
		evs[i].At = normTime(evs[i].At)
	}
	return evs
}

// eventByID returns the event id of the log, failing without it.
func eventByID(t *testing.T, log []clientele.AuditEvent, id string) clientele.AuditEvent {
	t.Helper()
	for _, ev := range log {
		if ev.ID == id {
			return ev
		}
	}
	require.Failf(t, "no audit event", "event %s is not in the log", id)
	return clientele.AuditEvent{}
}

// testAuditRecorded makes every change to access once and checks its
// event: the caller's stamp kept, the rest filled by the store.
func testAuditRecorded(t *testing.T, newStore newStoreFunc) {
	s := newStore(t)
	ctx := t.Context()
	a := mustAgency(t, s, "")
	c := mustClient(t, s, a.ID, "Globex")
	admin := mustMember(t, s, c, "admin@example.com", clientele.RoleAdmin)
	actor := string(admin.UserID)
	at := acceptAt.Add(time.Minute) // after the acceptance of mustMember
	type made struct {
		ev   clientele.AuditEvent
		want clientele.AuditEvent // what the store fills
	}
	var all []made
	record := func(ev clientele.AuditEvent, want clientele.AuditEvent) {
		want.ID, want.At, want.IP, want.AgencyID = ev.ID, ev.At, ev.IP, a.ID
		if want.Actor == "" {
			want.Actor = ev.Actor
		}
		all = append(all, made{ev, want})
	}
	next := func() clientele.AuditEvent { at = at.Add(time.Second); return stampAt(actor, at) }
	state := func(email clientele.Email, role clientele.Role, status clientele.InvitationStatus) clientele.Invitation {
		return clientele.Invitation{Email: email, Role: role, Status: status}
	}

	inv := newInvitation(c, "bob@example.com", clientele.RoleMember)
	ev := next()
	require.NoError(t, s.CreateInvitation(ctx, inv, base, nil, ev))
	record(ev, clientele.AuditEvent{ClientID: c.ID, Action: clientele.AuditInvitationCreate, Target: string(inv.ID),
		After: clientele.AuditInvitation(state(inv.Email, inv.Role, clientele.InvitationPending))})

	again := newInvitation(c, inv.Email, inv.Role)
	ev = next()
	require.NoError(t, s.ReplaceInvitation(ctx, c.ID, inv.ID, again, newDelivery(again), ev))
	replaced := state(inv.Email, inv.Role, clientele.InvitationReplaced)
	replaced.ReplacedBy = again.ID
	record(ev, clientele.AuditEvent{ClientID: c.ID, Action: clientele.AuditInvitationResend, Target: string(inv.ID),
		Before: clientele.AuditInvitation(state(inv.Email, inv.Role, clientele.InvitationPending)),
		After:  clientele.AuditInvitation(replaced)})

	ev = next()
	require.NoError(t, s.CancelInvitation(ctx, c.ID, again.ID, ev))
	record(ev, clientele.AuditEvent{ClientID: c.ID, Action: clientele.AuditInvitationCancel, Target: string(again.ID),
		Before: clientele.AuditInvitation(state(inv.Email, inv.Role, clientele.InvitationPending)),
		After:  clientele.AuditInvitation(state(inv.Email, inv.Role, clientele.InvitationCancelled))})

	carol := mustInvite(t, s, c, "carol@example.com", clientele.RoleMember)
	acc := newAcceptance(carol)
	acc.Audit = next()
	acc.Audit.Actor = "" // the store sets it
	m := mustAccept(t, s, acc)
	accepted := state(carol.Email, carol.Role, clientele.InvitationAccepted)
	accepted.AcceptedBy = m.UserID
	record(acc.Audit, clientele.AuditEvent{ClientID: c.ID, Actor: string(m.UserID), Action: clientele.AuditInvitationAccept,
		Target: string(carol.ID), Before: clientele.AuditInvitation(state(carol.Email, carol.Role, clientele.InvitationPending)),
		After: clientele.AuditInvitation(accepted)})

	ev = next()
	_, err := s.ChangeRole(ctx, c.ID, m.UserID, clientele.RoleAdmin, true, ev)
	require.NoError(t, err)
	record(ev, clientele.AuditEvent{ClientID: c.ID, Action: clientele.AuditMemberRole, Target: string(m.UserID),
		Before: "member", After: "admin"})

	ev = next()
	_, err = s.SetMemberStatus(ctx, c.ID, m.UserID, clientele.StatusDeactivated, ev)
	require.NoError(t, err)
	record(ev, clientele.AuditEvent{ClientID: c.ID, Action: clientele.AuditMemberDeactivate, Target: string(m.UserID),
		Before: "active", After: "deactivated"})

	ev = next()
	_, err = s.SetMemberStatus(ctx, c.ID, m.UserID, clientele.StatusActive, ev)
	require.NoError(t, err)
	record(ev, clientele.AuditEvent{ClientID: c.ID, Action: clientele.AuditMemberReactivate, Target: string(m.UserID),
		Before: "deactivated", After: "active"})

	ev = next()
	require.NoError(t, s.RemoveMember(ctx, c.ID, m.UserID, true, ev))
	record(ev, clientele.AuditEvent{ClientID: c.ID, Action: clientele.AuditMemberRemove, Target: string(m.UserID),
		Before: "admin"})

	perms := clientele.NewPermissionSet(clientele.PermViewReports, clientele.PermManageBilling)
	ev = next()
	_, err = s.SetPermissions(ctx, a.ID, c.ID, perms, ev)
	require.NoError(t, err)
	record(ev, clientele.AuditEvent{ClientID: c.ID, Action: clientele.AuditClientPermissions, Target: string(c.ID),
		Before: `[]`, After: `["manage_billing","view_reports"]`})

	b := clientele.Branding{Name: "Acme", LogoURL: "https://acme.example/logo.png", PrimaryColor: "#0f766e", CustomDomain: "portal.acme.example"}
	ev = stampAt(clientele.AuditActorAgency, at.Add(time.Second))
	_, err = s.SetBranding(ctx, a.ID, b, ev)
	require.NoError(t, err)
	record(ev, clientele.AuditEvent{Action: clientele.AuditAgencyBranding, Target: string(a.ID),
		Before: clientele.AuditBranding(a.Branding), After: clientele.AuditBranding(b)})

	agencyLog := auditLog(t, s, a.ID, "")
	clientLog := auditLog(t, s, a.ID, c.ID)
	for _, mk := range all {
		got := eventByID(t, agencyLog, mk.ev.ID)
		assert.Equal(t, mk.want, got, "%s: the stamp kept, the rest filled by the store", mk.want.Action)
		if mk.want.ClientID != "" {
			assert.Equal(t, got, eventByID(t, clientLog, mk.ev.ID), "%s in the client's log", mk.want.Action)
		}
	}
	// admin's and carol's invitations and admin's acceptance came first.
	assert.Len(t, agencyLog, len(all)+3, "one event per change")
	assert.Len(t, clientLog, len(all)+2, "the client's log lacks the branding")
	assert.Equal(t, all[len(all)-1].ev.ID, agencyLog[0].ID, "newest first")
}

// testAuditChangeFails makes changes that fail and checks that none of
// them wrote its event: the log is unchanged and each stamp's id is still
// free for a change that succeeds.
func testAuditChangeFails(t *testing.T, newStore newStoreFunc) {
	s := newStore(t)
	ctx := t.Context()
	a := mustAgency(t, s, "")
	other := mustAgency(t, s, "taken.example")
	c := mustClient(t, s, a.ID, "Globex")
	admin := mustMember(t, s, c, "admin@example.com", clientele.RoleAdmin)
	pending := mustInvite(t, s, c, "pending@example.com", clientele.RoleMember)
	cancelled := mustInvite(t, s, c, "cancelled@example.com", clientele.RoleMember)
	require.NoError(t, s.CancelInvitation(ctx, c.ID, cancelled.ID, stamp()))
	used := mustInvite(t, s, c, "used@example.com", clientele.RoleMember)
	usedAcc := newAcceptance(used)
	mustAccept(t, s, usedAcc)
	before := auditLog(t, s, a.ID, "")

	for _, tc := range []struct {
		name string
		call func(ev clientele.AuditEvent) error
		want error
	}{
		{"demote the last admin", func(ev clientele.AuditEvent) error {
			_, err := s.ChangeRole(ctx, c.ID, admin.UserID, clientele.RoleMember, true, ev)
			return err
		}, tenancy.ErrLastAdmin},
		{"remove the last admin", func(ev clientele.AuditEvent) error {
			return s.RemoveMember(ctx, c.ID, admin.UserID, true, ev)
		}, tenancy.ErrLastAdmin},
		{"change the role of nobody", func(ev clientele.AuditEvent) error {
			_, err := s.ChangeRole(ctx, c.ID, "usr_unknown", clientele.RoleAdmin, false, ev)
			return err
		}, clientele.ErrNotFound},
		{"deactivate nobody", func(ev clientele.AuditEvent) error {
			_, err := s.SetMemberStatus(ctx, c.ID, "usr_unknown", clientele.StatusDeactivated, ev)
			return err
		}, clientele.ErrNotFound},
		{"invite with a pending invitation", func(ev clientele.AuditEvent) error {
			return s.CreateInvitation(ctx, newInvitation(c, pending.Email, pending.Role), base, nil, ev)
		}, invite.ErrPendingExists},
		{"invite a member", func(ev clientele.AuditEvent) error {
			return s.CreateInvitation(ctx, newInvitation(c, admin.Email, clientele.RoleMember), base, nil, ev)
		}, invite.ErrAlreadyMember},
		{"cancel a cancelled invitation", func(ev clientele.AuditEvent) error {
			return s.CancelInvitation(ctx, c.ID, cancelled.ID, ev)
		}, invite.ErrCancelled},
		{"resend a used invitation", func(ev clientele.AuditEvent) error {
			return s.ReplaceInvitation(ctx, c.ID, used.ID, newInvitation(c, used.Email, used.Role), nil, ev)
		}, invite.ErrUsed},
		{"accept a used invitation", func(ev clientele.AuditEvent) error {
			acc := newAcceptance(used)
			acc.Audit = ev
			_, err := s.AcceptInvitation(ctx, acc)
			return err
		}, invite.ErrUsed},
		{"permissions of another agency's client", func(ev clientele.AuditEvent) error {
			_, err := s.SetPermissions(ctx, other.ID, c.ID, clientele.NewPermissionSet(clientele.PermViewReports), ev)
			return err
		}, clientele.ErrNotFound},
		{"branding with a taken domain", func(ev clientele.AuditEvent) error {
			_, err := s.SetBranding(ctx, a.ID, clientele.Branding{Name: "Acme", CustomDomain: "taken.example"}, ev)
			return err
		}, clientele.ErrDuplicate},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ev := stamp()
			require.ErrorIs(t, tc.call(ev), tc.want)
			assert.Equal(t, before, auditLog(t, s, a.ID, ""), "no event")
			assert.Empty(t, auditLog(t, s, other.ID, ""), "nor in another agency")
			// The id was never written: a change that succeeds may use it.
			_, err := s.SetPermissions(ctx, a.ID, c.ID, nil, ev)
			require.NoError(t, err, "the stamp's id is free")
			before = auditLog(t, s, a.ID, "")
		})
	}
}

// testAuditEventFails gives changes an event that cannot be stored (a
// taken id, or a stamp that is not valid) and checks that the change
// did not happen.
func testAuditEventFails(t *testing.T, newStore newStoreFunc) {
	s := newStore(t)
	ctx := t.Context()
	a := mustAgency(t, s, "")
	c := mustClient(t, s, a.ID, "Globex")
	mustMember(t, s, c, "admin@example.com", clientele.RoleAdmin)
	m := mustMember(t, s, c, "ada@example.com", clientele.RoleMember)
	pending := mustInvite(t, s, c, "pending@example.com", clientele.RoleMember)
	taken := stamp()
	_, err := s.SetPermissions(ctx, a.ID, c.ID, nil, taken)
	require.NoError(t, err)

	bad := map[string]clientele.AuditEvent{"taken id": taken}
	for name, change := range map[string]func(*clientele.AuditEvent){
		"no id":          func(ev *clientele.AuditEvent) { ev.ID = "" },
		"malformed id":   func(ev *clientele.AuditEvent) { ev.ID = "AUD 1" },
		"no time":        func(ev *clientele.AuditEvent) { ev.At = time.Time{} },
		"no actor":       func(ev *clientele.AuditEvent) { ev.Actor = "" },
		"malformed IP":   func(ev *clientele.AuditEvent) { ev.IP = "192.0.2.1; DROP TABLE" },
		"non-canonical":  func(ev *clientele.AuditEvent) { ev.IP = "2001:DB8::1" },
		"IP with a zone": func(ev *clientele.AuditEvent) { ev.IP = "fe80::1%eth0" },
		"bad actor":      func(ev *clientele.AuditEvent) { ev.Actor = "Agency\n" },
	} {
		ev := stamp()
		change(&ev)
		bad[name] = ev
	}
	for name, ev := range bad {
		want := clientele.ErrInvalidArgument
		if name == "taken id" {
			want = clientele.ErrDuplicate
		}
		t.Run(name, func(t *testing.T) {
			users := listAll(t, s, c.ID, base)
			log := auditLog(t, s, a.ID, "")
			agency, err := s.Agency(ctx, a.ID)
			require.NoError(t, err)
			client, err := s.Client(ctx, a.ID, c.ID)
			require.NoError(t, err)

			_, err = s.ChangeRole(ctx, c.ID, m.UserID, clientele.RoleAdmin, true, ev)
			require.ErrorIs(t, err, want, "change role")
			require.ErrorIs(t, s.RemoveMember(ctx, c.ID, m.UserID, true, ev), want, "remove")
			_, err = s.SetMemberStatus(ctx, c.ID, m.UserID, clientele.StatusDeactivated, ev)
			require.ErrorIs(t, err, want, "deactivate")
			fresh := newInvitation(c, "new@example.com", clientele.RoleMember)
			queued := newDelivery(fresh)
			require.ErrorIs(t, s.CreateInvitation(ctx, fresh, base, queued, ev), want, "invite")
			next := newInvitation(c, pending.Email, pending.Role)
			require.ErrorIs(t, s.ReplaceInvitation(ctx, c.ID, pending.ID, next, newDelivery(next), ev), want, "resend")
			require.ErrorIs(t, s.CancelInvitation(ctx, c.ID, pending.ID, ev), want, "cancel")
			acc := newAcceptance(pending)
			acc.Audit = ev
			if name != "no actor" && name != "bad actor" { // the store sets an acceptance's actor
				_, err = s.AcceptInvitation(ctx, acc)
				require.ErrorIs(t, err, want, "accept")
			}
			_, err = s.SetPermissions(ctx, a.ID, c.ID, clientele.NewPermissionSet(clientele.PermExportData), ev)
			require.ErrorIs(t, err, want, "permissions")
			_, err = s.SetBranding(ctx, a.ID, clientele.Branding{Name: "Changed", CustomDomain: "changed.example"}, ev)
			require.ErrorIs(t, err, want, "branding")

			assert.Equal(t, users, listAll(t, s, c.ID, base), "no member, invitation or role changed")
			assert.Equal(t, log, auditLog(t, s, a.ID, ""), "no event written")
			got, err := s.Invitation(ctx, c.ID, pending.ID)
			require.NoError(t, err)
			assert.Equal(t, clientele.InvitationPending, got.Status)
			for _, id := range []clientele.InvitationID{fresh.ID, next.ID} {
				_, err = s.Invitation(ctx, c.ID, id)
				require.ErrorIs(t, err, clientele.ErrNotFound, "no invitation stored")
			}
			requireNoDelivery(t, s, c.ID, queued.ID)
			_, _, err = s.PasswordHash(ctx, a.ID, pending.Email)
			require.ErrorIs(t, err, clientele.ErrNotFound, "no user created")
			gotAgency, err := s.Agency(ctx, a.ID)
			require.NoError(t, err)
			assert.Equal(t, normAgency(agency), normAgency(gotAgency), "branding unchanged")
			_, err = s.AgencyByDomain(ctx, "changed.example")
			require.ErrorIs(t, err, clientele.ErrNotFound)
			gotClient, err := s.Client(ctx, a.ID, c.ID)
			require.NoError(t, err)
			assert.Equal(t, normClient(client), normClient(gotClient), "permissions unchanged")
		})
	}
}
