package invite_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/invite"
)

// The invitation lifecycle leaves one event per change, with the actor,
// the target, the states and the request's IP, and never the token.
func TestInvitationLifecycleIsAudited(t *testing.T) {
	env, c, admin := setup(t)
	ctx := clientele.WithSourceIP(t.Context(), "198.51.100.4")
	step := func() time.Time { env.Clock.Advance(time.Minute); return env.Clock.Now() }
	newest := func() clientele.AuditEvent { return env.AuditLog(t, c.ID)[0] }

	at := step()
	first, err := env.Invites.Create(ctx, admin, c.ID, "bob@example.com", clientele.RoleMember)
	require.NoError(t, err)
	ev := newest()
	assert.Equal(t, clientele.AuditEvent{ID: ev.ID, AgencyID: env.Agency.ID, ClientID: c.ID, At: at,
		Actor: string(admin.UserID), Action: clientele.AuditInvitationCreate, Target: string(first.ID),
		After: `{"email":"bob@example.com","role":"member","status":"pending"}`, IP: "198.51.100.4"}, ev)
	firstToken, err := env.Mailer.TokenTo("bob@example.com")
	require.NoError(t, err)

	at = step()
	second, err := env.Invites.Resend(ctx, env.AgencyAdmin(), c.ID, first.ID)
	require.NoError(t, err)
	ev = newest()
	assert.Equal(t, clientele.AuditInvitationResend, ev.Action)
	assert.Equal(t, clientele.AuditActorAgency, ev.Actor)
	assert.Equal(t, string(first.ID), ev.Target)
	assert.Equal(t, at, ev.At)
	assert.Equal(t, `{"email":"bob@example.com","role":"member","status":"pending"}`, ev.Before)
	assert.Equal(t, `{"email":"bob@example.com","role":"member","status":"replaced","replaced_by":"`+string(second.ID)+`"}`, ev.After)
	token, err := env.Mailer.TokenTo("bob@example.com")
	require.NoError(t, err)

	step()
	m, err := env.Invites.Accept(ctx, invite.AcceptRequest{Token: token, Name: "Bob", Password: pw})
	require.NoError(t, err)
	ev = newest()
	assert.Equal(t, clientele.AuditInvitationAccept, ev.Action)
	assert.Equal(t, string(m.UserID), ev.Actor, "the accepting user")
	assert.Equal(t, string(second.ID), ev.Target)
	assert.Equal(t, `{"email":"bob@example.com","role":"member","status":"accepted","accepted_by":"`+string(m.UserID)+`"}`, ev.After)
	assert.Equal(t, "198.51.100.4", ev.IP)

	carol, err := env.Invites.Create(ctx, admin, c.ID, "carol@example.com", clientele.RoleAdmin)
	require.NoError(t, err)
	step()
	require.NoError(t, env.Invites.Cancel(ctx, admin, c.ID, carol.ID))
	ev = newest()
	assert.Equal(t, clientele.AuditInvitationCancel, ev.Action)
	assert.Equal(t, string(carol.ID), ev.Target)
	assert.Equal(t, `{"email":"carol@example.com","role":"admin","status":"cancelled"}`, ev.After)

	_, hash, err := env.Store.PasswordHash(ctx, env.Agency.ID, "bob@example.com")
	require.NoError(t, err)
	for _, ev := range env.AuditLog(t, "") {
		for _, secret := range []string{firstToken, token, hash, pw} {
			for _, field := range []string{ev.Before, ev.After, ev.Target, ev.Actor} {
				assert.False(t, strings.Contains(field, secret), "event %s holds a secret", ev.Action)
			}
		}
	}
}

// A refused invitation change writes no event.
func TestRefusedInvitationChangesAreNotAudited(t *testing.T) {
	env, c, admin := setup(t)
	ctx := t.Context()
	_, err := env.Invites.Create(ctx, admin, c.ID, "bob@example.com", clientele.RoleMember)
	require.NoError(t, err)
	before := env.AuditLog(t, "")

	_, err = env.Invites.Create(ctx, admin, c.ID, "bob@example.com", clientele.RoleMember)
	require.ErrorIs(t, err, invite.ErrPendingExists)
	_, err = env.Invites.Create(ctx, env.Member(t, c.ID), c.ID, "eve@example.com", clientele.RoleAdmin)
	require.Error(t, err)
	after := env.AuditLog(t, "")
	require.Len(t, after, len(before)+2, "only the new member's invitation and acceptance")
	for _, ev := range after {
		assert.NotContains(t, ev.After, "eve@example.com", "the refused invitation")
	}
}
