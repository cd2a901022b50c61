package conformance

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/tenancy"
)

// ids returns the ids of evs, in order.
func ids(evs []clientele.AuditEvent) []string {
	out := make([]string, len(evs))
	for i, ev := range evs {
		out[i] = ev.ID
	}
	return out
}

// testAuditScope checks that a client's log holds that client's events
// only and the agency's log every event of the agency and none of
// another agency.
func testAuditScope(t *testing.T, newStore newStoreFunc) {
	s := newStore(t)
	ctx := t.Context()
	agency := mustAgency(t, s, "")
	a := mustClient(t, s, agency.ID, "Alpha")
	b := mustClient(t, s, agency.ID, "Bravo")
	otherAgency := mustAgency(t, s, "")
	c := mustClient(t, s, otherAgency.ID, "Charlie")
	mustMember(t, s, a, "ada@example.com", clientele.RoleAdmin)
	mustMember(t, s, b, "bob@example.com", clientele.RoleAdmin)
	mustMember(t, s, c, "carol@example.com", clientele.RoleAdmin)
	_, err := s.SetBranding(ctx, agency.ID, clientele.Branding{Name: "Renamed"}, stamp())
	require.NoError(t, err)
	_, err = s.SetBranding(ctx, otherAgency.ID, clientele.Branding{Name: "Other renamed"}, stamp())
	require.NoError(t, err)

	logA := auditLog(t, s, agency.ID, a.ID)
	logB := auditLog(t, s, agency.ID, b.ID)
	all := auditLog(t, s, agency.ID, "")
	require.Len(t, logA, 2, "invitation and acceptance")
	require.Len(t, logB, 2)
	require.Len(t, all, 5, "both clients' events and the branding")
	for _, ev := range logA {
		assert.Equal(t, a.ID, ev.ClientID, "client B's events never show in A's log")
	}
	for _, ev := range logB {
		assert.Equal(t, b.ID, ev.ClientID, "client A's events never show in B's log")
	}
	for _, ev := range all {
		assert.Equal(t, agency.ID, ev.AgencyID, "another agency's events never show")
		assert.NotEqual(t, c.ID, ev.ClientID)
	}
	assert.ElementsMatch(t, append(append(ids(logA), ids(logB)...), eventByAction(t, all, clientele.AuditAgencyBranding).ID), ids(all))

	assert.Empty(t, auditLog(t, s, otherAgency.ID, a.ID), "a client of another agency")
	assert.Empty(t, auditLog(t, s, agency.ID, c.ID), "another agency's client")
	assert.Empty(t, auditLog(t, s, agency.ID, "cli_unknown"), "an unknown client")
	assert.Len(t, auditLog(t, s, otherAgency.ID, ""), 3)

	_, err = s.ListAudit(ctx, "", a.ID, nil, 10)
	require.ErrorIs(t, err, clientele.ErrMissingScope, "no agency")
	_, err = s.ListAudit(ctx, "", "", nil, 10)
	require.ErrorIs(t, err, clientele.ErrMissingScope, "no agency and no client is not every event")
	_, err = s.ListAudit(ctx, agency.ID, a.ID, nil, 0)
	require.ErrorIs(t, err, clientele.ErrInvalidArgument, "limit 0")
	_, err = s.ListAudit(ctx, agency.ID, a.ID, &tenancy.Key{Sort: "yesterday", ID: "aud_x"}, 10)
	require.ErrorIs(t, err, clientele.ErrInvalidArgument, "malformed key")
}

// eventByAction returns the only event of the log with action.
func eventByAction(t *testing.T, log []clientele.AuditEvent, action string) clientele.AuditEvent {
	t.Helper()
	var found []clientele.AuditEvent
	for _, ev := range log {
		if ev.Action == action {
			found = append(found, ev)
		}
	}
	require.Len(t, found, 1, "events %s", action)
	return found[0]
}

// testAuditPages reads logs page by page: newest first by (At, ID),
// ties included, without a gap or a repeat, also when newer events are
// written between two pages.
func testAuditPages(t *testing.T, newStore newStoreFunc) {
	s := newStore(t)
	ctx := t.Context()
	agency := mustAgency(t, s, "")
	c := mustClient(t, s, agency.ID, "Globex")
	other := mustClient(t, s, agency.ID, "Initech")
	// Thirteen events at seven times, some at the same microsecond, in
	// both clients; the acceptances made by mustMember come first.
	mustMember(t, s, c, "ada@example.com", clientele.RoleAdmin)
	mustMember(t, s, other, "bob@example.com", clientele.RoleAdmin)
	for i := range 13 {
		at := base.Add(time.Duration(i/2)*time.Minute + 500*time.Microsecond)
		client := c
		if i%3 == 0 {
			client = other
		}
		_, err := s.SetPermissions(ctx, agency.ID, client.ID, nil, stampAt(clientele.AuditActorAgency, at))
		require.NoError(t, err)
	}

	for _, scope := range []clientele.ClientID{c.ID, ""} {
		full := auditLog(t, s, agency.ID, scope)
		for i := 1; i < len(full); i++ {
			prev, ev := full[i-1], full[i]
			assert.True(t, ev.At.Before(prev.At) || ev.At.Equal(prev.At) && ev.ID < prev.ID,
				"newest first, ties by id: %s %s then %s %s", prev.At, prev.ID, ev.At, ev.ID)
		}
		for _, limit := range []int{1, 2, 3, len(full), len(full) + 1} {
			t.Run(fmt.Sprintf("client %q limit %d", scope, limit), func(t *testing.T) {
				var got []clientele.AuditEvent
				var after *tenancy.Key
				for page := 0; ; page++ {
					require.Less(t, page, len(full)+2, "the pages never end")
					evs, err := s.ListAudit(ctx, agency.ID, scope, after, limit)
					require.NoError(t, err)
					require.LessOrEqual(t, len(evs), limit)
					for i := range evs {
						evs[i].At = normTime(evs[i].At)
					}
					got = append(got, evs...)
					if len(evs) < limit {
						break
					}
					k := tenancy.AuditKey(evs[len(evs)-1])
					after = &k
				}
				assert.Equal(t, ids(full), ids(got), "every event once, in order")
			})
		}
	}

	t.Run("newer events between pages", func(t *testing.T) {
		full := auditLog(t, s, agency.ID, c.ID)
		first, err := s.ListAudit(ctx, agency.ID, c.ID, nil, 4)
		require.NoError(t, err)
		_, err = s.SetPermissions(ctx, agency.ID, c.ID, nil, stampAt(clientele.AuditActorAgency, base.Add(time.Hour)))
		require.NoError(t, err)
		k := tenancy.AuditKey(first[len(first)-1])
		rest, err := s.ListAudit(ctx, agency.ID, c.ID, &k, 1000)
		require.NoError(t, err)
		assert.Equal(t, ids(full), append(ids(first), ids(rest)...), "no gap, no repeat")
	})
}

// testAuditSecrets runs every change on invitations, passwords included,
// and scans every event for a token hash or a password hash in any form.
func testAuditSecrets(t *testing.T, newStore newStoreFunc) {
	s := newStore(t)
	ctx := t.Context()
	a := mustAgency(t, s, "")
	c := mustClient(t, s, a.ID, "Globex")
	var secrets []string
	keep := func(hash []byte) {
		secrets = append(secrets, string(hash), hex.EncodeToString(hash), base64.StdEncoding.EncodeToString(hash),
			base64.RawURLEncoding.EncodeToString(hash), base64.RawStdEncoding.EncodeToString(hash))
	}

	first := mustInvite(t, s, c, "ada@example.com", clientele.RoleAdmin)
	keep(first.TokenHash)
	second := newInvitation(c, first.Email, first.Role)
	keep(second.TokenHash)
	require.NoError(t, s.ReplaceInvitation(ctx, c.ID, first.ID, second, newDelivery(second), stamp()))
	acc := newAcceptance(second)
	acc.PasswordHash = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2g"
	secrets = append(secrets, acc.PasswordHash, "c2FsdHNhbHRzYWx0", "aGFzaGhhc2hoYXNoaGFzaGhhc2g")
	m := mustAccept(t, s, acc)
	cancelled := mustInvite(t, s, c, "bob@example.com", clientele.RoleMember)
	keep(cancelled.TokenHash)
	require.NoError(t, s.CancelInvitation(ctx, c.ID, cancelled.ID, stamp()))
	_, err := s.ChangeRole(ctx, c.ID, m.UserID, clientele.RoleMember, false, stamp())
	require.NoError(t, err)
	require.NoError(t, s.RemoveMember(ctx, c.ID, m.UserID, false, stamp()))

	log := auditLog(t, s, a.ID, "")
	require.Len(t, log, 7)
	for _, ev := range log {
		text := strings.Join([]string{ev.ID, string(ev.AgencyID), string(ev.ClientID), ev.Actor, ev.Action, ev.Target,
			ev.Before, ev.After, ev.IP}, "\x00")
		for _, secret := range secrets {
			assert.NotContains(t, text, secret, "event %s (%s) holds a secret", ev.ID, ev.Action)
		}
	}
}
