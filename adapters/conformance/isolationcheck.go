package conformance

import (
	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/tenancy"
)

// The state comparisons of RunIsolation: the store read directly, against
// the model.

// afterWrite checks, after a change to client c (or a refused one), c's
// user list and the newest event of its audit log. c may be nil.
func (w *isoWorld) afterWrite(c *isoClient) {
	if c == nil {
		return
	}
	w.checkUsers(c)
	evs, err := w.store.ListAudit(w.ctx, c.agency.id, c.id, nil, 1)
	require.NoError(w.t, err, "%v", w)
	require.Equal(w.t, isoNewest(c.events, 1), isoEventsOf(evs), "%v: the newest event of %s", w, c.label)
}

func (w *isoWorld) checkUsers(c *isoClient) {
	list, err := w.store.ListUsers(w.ctx, c.id, tenancy.ListQuery{Now: w.m.now, Limit: 1000})
	require.NoError(w.t, err, "%v", w)
	require.Equal(w.t, c.entries(w.m.now), normEntries(list), "%v: the users of %s", w, c.label)
}

// checkInvitations compares invitations as stored with the model.
func (w *isoWorld) checkInvitations(invs ...*isoInv) {
	for _, inv := range invs {
		got, err := w.store.Invitation(w.ctx, inv.client.id, inv.id)
		require.NoError(w.t, err, "%v: %s", w, inv.label)
		require.Equal(w.t, normInvitation(inv.invitation()), normInvitation(got), "%v: %s", w, inv.label)
	}
}

// checkAll compares the whole state with the model: every agency's
// clients, users and audit log, and every client's permissions, users,
// members, invitations (the open ones; every one when final) and audit
// log (the newest events; all of it when final).
func (w *isoWorld) checkAll(final bool) {
	w.checks++
	w.op = "full-state check"
	recent := isoRecent
	if final {
		w.op, recent = "final full-state check", -1
	}
	for _, a := range w.m.agencies {
		got, err := w.store.Agency(w.ctx, a.id)
		require.NoError(w.t, err, "%v", w)
		require.Equal(w.t, a.branding, got.Branding, "%v: the branding of %s", w, a.label)
		cs, err := w.store.ListClients(w.ctx, a.id, nil, 1000)
		require.NoError(w.t, err, "%v", w)
		require.Equal(w.t, a.clientList(), normClients(cs), "%v: the clients of %s", w, a.label)
		for i := range isoEmails {
			email := isoEmail(i)
			u, err := w.store.UserByEmail(w.ctx, a.id, email)
			if mu := a.users[email]; mu != nil {
				require.NoError(w.t, err, "%v: user %s", w, mu.label)
				require.Equal(w.t, clientele.User{ID: mu.id, AgencyID: a.id, Email: email, Name: mu.name},
					clientele.User{ID: u.ID, AgencyID: u.AgencyID, Email: u.Email, Name: u.Name}, "%v: user %s", w, mu.label)
				continue
			}
			require.ErrorIs(w.t, err, clientele.ErrNotFound, "%v: %s has no user %s", w, a.label, email)
		}
		require.Equal(w.t, isoNewestOrAll(a.events, recent), w.storedAudit(a.id, "", recent), "%v: the audit log of %s", w, a.label)
	}
	for _, c := range w.m.clients {
		got, err := w.store.Client(w.ctx, c.agency.id, c.id)
		require.NoError(w.t, err, "%v", w)
		require.Equal(w.t, normClient(c.client()), normClient(got), "%v: client %s", w, c.label)
		for _, a := range w.m.agencies {
			if a != c.agency {
				_, err := w.store.Client(w.ctx, a.id, c.id)
				require.ErrorIs(w.t, err, clientele.ErrNotFound, "%v: %s seen from %s", w, c.label, a.label)
			}
		}
		w.checkUsers(c)
		for _, m := range c.members {
			got, err := w.store.Member(w.ctx, c.id, m.user.id)
			require.NoError(w.t, err, "%v: member %s of %s", w, m.user.label, c.label)
			require.Equal(w.t, normMember(m.member(c)), normMember(got), "%v: member %s of %s", w, m.user.label, c.label)
		}
		if final {
			w.checkInvitations(c.invs...)
		} else {
			w.checkInvitations(c.open...)
		}
		require.Equal(w.t, isoNewestOrAll(c.events, recent), w.storedAudit(c.agency.id, c.id, recent), "%v: the audit log of %s", w, c.label)
	}
}

// isoNewestOrAll returns the newest n events of log, or all when n < 0.
func isoNewestOrAll(log []isoEvent, n int) []isoEvent {
	if n < 0 {
		n = len(log)
	}
	return isoNewest(log, n)
}

// storedAudit reads the newest n events of a log from the store, or all
// of them when n < 0, newest first.
func (w *isoWorld) storedAudit(agency clientele.AgencyID, client clientele.ClientID, n int) []isoEvent {
	if n >= 0 {
		evs, err := w.store.ListAudit(w.ctx, agency, client, nil, max(n, 1))
		require.NoError(w.t, err, "%v", w)
		return isoEventsOf(evs[:min(n, len(evs))])
	}
	var all []clientele.AuditEvent
	var after *tenancy.Key
	for {
		evs, err := w.store.ListAudit(w.ctx, agency, client, after, tenancy.MaxLimit)
		require.NoError(w.t, err, "%v", w)
		all = append(all, evs...)
		if len(evs) < tenancy.MaxLimit {
			return isoEventsOf(all)
		}
		k := tenancy.AuditKey(evs[len(evs)-1])
		after = &k
	}
}
