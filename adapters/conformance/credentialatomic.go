package conformance

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/authn"
	"github.com/clientele/clientele/invite"
)

// testCredentialAtomic gives each change an event or a notice that cannot
// be stored and checks that nothing changed: no credential, no event, no
// delivery.
func testCredentialAtomic(t *testing.T, newStore newStoreFunc) {
	for _, op := range credentialOps() {
		t.Run(op.name, func(t *testing.T) {
			s := newStore(t)
			a := mustAgency(t, s, "")
			b := mustAgency(t, s, "")
			c := mustClient(t, s, a.ID, "Globex")
			cb := mustClient(t, s, b.ID, "Initech")
			m := mustMember(t, s, c, "ada@example.com", clientele.RoleAdmin)
			bob := mustMember(t, s, c, "bob@example.com", clientele.RoleMember)
			inv, queued := mustQueue(t, s, c, "carol@example.com")
			taken := stamp()
			_, err := s.SetPermissions(t.Context(), a.ID, c.ID, nil, taken)
			require.NoError(t, err)
			p := op.prepare(t, s, a.ID, m)
			before := credentialSnapshot(t, s, a.ID, m, p)
			another := invite.NoticePasswordChanged
			if op.notice == another {
				another = invite.NoticePasskeyAdded
			}

			for name, tc := range map[string]struct {
				change func(*authn.CredentialChange)
				want   error
			}{
				"taken event id":              {func(ch *authn.CredentialChange) { ch.Audit.ID = taken.ID }, clientele.ErrDuplicate},
				"taken delivery id":           {func(ch *authn.CredentialChange) { ch.Notice.ID = queued.ID }, clientele.ErrDuplicate},
				"stamp without actor":         {func(ch *authn.CredentialChange) { ch.Audit.Actor = "" }, clientele.ErrInvalidArgument},
				"stamp without time":          {func(ch *authn.CredentialChange) { ch.Audit.At = time.Time{} }, clientele.ErrInvalidArgument},
				"stamp with a malformed IP":   {func(ch *authn.CredentialChange) { ch.Audit.IP = "not an IP" }, clientele.ErrInvalidArgument},
				"notice of another kind":      {func(ch *authn.CredentialChange) { ch.Notice.Kind = invite.KindInvitation }, clientele.ErrInvalidArgument},
				"notice with an invitation":   {func(ch *authn.CredentialChange) { ch.Notice.InvitationID = inv.ID }, clientele.ErrInvalidArgument},
				"notice to another user":      {func(ch *authn.CredentialChange) { ch.Notice.UserID = bob.UserID }, clientele.ErrInvalidArgument},
				"notice of another agency":    {func(ch *authn.CredentialChange) { ch.Notice.AgencyID = b.ID }, clientele.ErrInvalidArgument},
				"notice in another's client":  {func(ch *authn.CredentialChange) { ch.Notice.ClientID = cb.ID }, clientele.ErrInvalidArgument},
				"notice in an unknown client": {func(ch *authn.CredentialChange) { ch.Notice.ClientID = "cli_unknown" }, clientele.ErrInvalidArgument},
				"notice without client":       {func(ch *authn.CredentialChange) { ch.Notice.ClientID = "" }, clientele.ErrInvalidArgument},
				"another change's notice":     {func(ch *authn.CredentialChange) { ch.Notice.Notice = another }, clientele.ErrInvalidArgument},
				"unknown notice":              {func(ch *authn.CredentialChange) { ch.Notice.Notice = "account_deleted" }, clientele.ErrInvalidArgument},
				"notice attempted":            {func(ch *authn.CredentialChange) { ch.Notice.Attempts = 1 }, clientele.ErrInvalidArgument},
				"notice sent":                 {func(ch *authn.CredentialChange) { ch.Notice.SentAt = ptr(changeAt) }, clientele.ErrInvalidArgument},
				"notice without due time":     {func(ch *authn.CredentialChange) { ch.Notice.NextAttemptAt = time.Time{} }, clientele.ErrInvalidArgument},
				"notice without id":           {func(ch *authn.CredentialChange) { ch.Notice.ID = "" }, clientele.ErrInvalidArgument},
			} {
				t.Run(name, func(t *testing.T) {
					change := noticeChange(a.ID, m, op.notice)
					tc.change(&change)
					require.ErrorIs(t, op.do(t, s, a.ID, m.UserID, p, change), tc.want)
					assert.Equal(t, before, credentialSnapshot(t, s, a.ID, m, p), "nothing changed")
					assert.Empty(t, auditLog(t, s, b.ID, ""), "nothing in another agency")
					if change.Notice.ID != queued.ID && change.Notice.ClientID != "" {
						requireNoDelivery(t, s, change.Notice.ClientID, change.Notice.ID)
					}
				})
			}
			require.NoError(t, op.do(t, s, a.ID, m.UserID, p, noticeChange(a.ID, m, op.notice)), "the change itself is valid")
		})
	}
}

// testCredentialUnknownUser changes the credentials of users a store
// must not find and checks that nothing was written.
func testCredentialUnknownUser(t *testing.T, newStore newStoreFunc) {
	for _, op := range credentialOps() {
		t.Run(op.name, func(t *testing.T) {
			s := newStore(t)
			a := mustAgency(t, s, "")
			b := mustAgency(t, s, "")
			c := mustClient(t, s, a.ID, "Globex")
			cb := mustClient(t, s, b.ID, "Initech")
			m := mustMember(t, s, c, "ada@example.com", clientele.RoleAdmin)
			mb := mustMember(t, s, cb, "bob@example.com", clientele.RoleAdmin)
			p := op.prepare(t, s, a.ID, m)
			before := credentialSnapshot(t, s, a.ID, m, p)
			beforeB := credentialSnapshot(t, s, b.ID, mb, clientele.Passkey{})

			for name, tc := range map[string]struct {
				agency clientele.AgencyID
				user   clientele.UserID
				client clientele.ClientID
			}{
				"unknown user":                   {a.ID, "usr_unknown", c.ID},
				"in another agency":              {b.ID, m.UserID, cb.ID},
				"another agency's user, in this": {a.ID, mb.UserID, c.ID},
			} {
				t.Run(name, func(t *testing.T) {
					d := invite.NewNotice(tc.agency, tc.client, tc.user, op.notice, changeAt)
					change := authn.CredentialChange{Audit: userChange(tc.user).Audit, Notice: &d}
					require.ErrorIs(t, op.do(t, s, tc.agency, tc.user, p, change), clientele.ErrNotFound)
					assert.Equal(t, before, credentialSnapshot(t, s, a.ID, m, p), "nothing changed")
					assert.Equal(t, beforeB, credentialSnapshot(t, s, b.ID, mb, clientele.Passkey{}), "nor in the other agency")
					requireNoDelivery(t, s, tc.client, d.ID)
				})
			}
			if op.action == clientele.AuditPasskeyRemove {
				err := s.DeletePasskey(t.Context(), a.ID, m.UserID, randomBytes(32), noticeChange(a.ID, m, op.notice))
				require.ErrorIs(t, err, clientele.ErrNotFound, "an unknown passkey")
				assert.Equal(t, before, credentialSnapshot(t, s, a.ID, m, p), "nothing changed")
			}
			require.ErrorIs(t, op.do(t, s, "", m.UserID, p, noticeChange(a.ID, m, op.notice)), clientele.ErrMissingScope)
			assert.Equal(t, before, credentialSnapshot(t, s, a.ID, m, p), "nothing changed")
		})
	}
}

// testSilentRehash checks that SetPasswordHash, the re-hash at sign-in,
// records no event and queues no notice.
func testSilentRehash(t *testing.T, newStore newStoreFunc) {
	s := newStore(t)
	a := mustAgency(t, s, "")
	c := mustClient(t, s, a.ID, "Globex")
	m := mustMember(t, s, c, "ada@example.com", clientele.RoleAdmin)
	before := credentialSnapshot(t, s, a.ID, m, clientele.Passkey{})
	require.NoError(t, s.SetPasswordHash(t.Context(), a.ID, m.UserID, newHash))
	after := credentialSnapshot(t, s, a.ID, m, clientele.Passkey{})
	assert.Equal(t, newHash, after.Hash)
	assert.Equal(t, before.Log, after.Log, "no event")
	assert.Empty(t, after.Due, "no notice")
}

// testNoticeLease runs a queued notice through the outbox's lease: claim,
// a failed attempt, claim again, sent.
func testNoticeLease(t *testing.T, newStore newStoreFunc) {
	s := newStore(t)
	a := mustAgency(t, s, "")
	c := mustClient(t, s, a.ID, "Globex")
	m := mustMember(t, s, c, "ada@example.com", clientele.RoleAdmin)
	change := noticeChange(a.ID, m, invite.NoticePasswordChanged)
	require.NoError(t, s.ChangePassword(t.Context(), a.ID, m.UserID, newHash, change))
	want := normDelivery(*change.Notice)

	due, err := s.DueDeliveries(t.Context(), changeAt, 10)
	require.NoError(t, err)
	require.Len(t, due, 1)
	claimed := mustClaim(t, s, due[0], changeAt)
	_, err = s.ClaimDelivery(t.Context(), due[0], changeAt, changeAt.Add(time.Minute))
	require.ErrorIs(t, err, invite.ErrLeaseLost, "claimed once")
	next := changeAt.Add(2 * time.Minute)
	require.NoError(t, s.RetryDelivery(t.Context(), claimed, next, "smtp 451"))
	got, err := s.Delivery(t.Context(), c.ID, want.ID)
	require.NoError(t, err)
	want.Attempts, want.NextAttemptAt, want.LastError = 1, next, "smtp 451"
	assert.Equal(t, want, normDelivery(got), "a failed attempt")

	claimed = mustClaim(t, s, got, next)
	require.NoError(t, s.CompleteDelivery(t.Context(), claimed, next, ""))
	got, err = s.Delivery(t.Context(), c.ID, want.ID)
	require.NoError(t, err)
	assert.True(t, got.Sent())
	assert.Equal(t, invite.KindNotice, got.Kind)
	assert.Equal(t, m.UserID, got.UserID)
	assert.Equal(t, invite.NoticePasswordChanged, got.Notice)
	due, err = s.DueDeliveries(t.Context(), next.Add(time.Hour), 10)
	require.NoError(t, err)
	assert.Empty(t, due, "sent")
}

// testOutboxUser checks [invite.OutboxStore.User].
func testOutboxUser(t *testing.T, newStore newStoreFunc) {
	s := newStore(t)
	a := mustAgency(t, s, "")
	b := mustAgency(t, s, "")
	c := mustClient(t, s, a.ID, "Globex")
	m := mustMember(t, s, c, "ada@example.com", clientele.RoleAdmin)

	u, err := s.User(t.Context(), a.ID, m.UserID)
	require.NoError(t, err)
	assert.Equal(t, normUser(clientele.User{ID: m.UserID, AgencyID: a.ID, Email: m.Email, Name: m.Name, CreatedAt: acceptAt}),
		normUser(u))
	_, err = s.User(t.Context(), b.ID, m.UserID)
	require.ErrorIs(t, err, clientele.ErrNotFound, "another agency's user")
	_, err = s.User(t.Context(), a.ID, "usr_unknown")
	require.ErrorIs(t, err, clientele.ErrNotFound)
	_, err = s.User(t.Context(), "", m.UserID)
	require.ErrorIs(t, err, clientele.ErrMissingScope)
}
