package authn_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/authn"
	"github.com/clientele/clientele/clienteletest"
	"github.com/clientele/clientele/invite"
	"github.com/clientele/clientele/tenancy"
)

// Credential changes are audited and, with WithSecurityNotices, queue a
// notice to the user in the change's own step; access changes queue none.
func TestCredentialChangesAreAuditedAndNoticed(t *testing.T) {
	ctx := context.Background()
	env := clienteletest.New(t)
	c := env.NewClient(t, "Globex")
	env.AddUser(t, c.ID, "admin@globex.example", clientele.RoleAdmin)
	woken := 0
	svc, err := authn.New(env.Store, env.Invites, clienteletest.BaseURL, authn.WithClock(env.Clock.Now),
		authn.WithSecurityNotices(func() { woken++ }))
	require.NoError(t, err)
	d := newDevice()
	setUp(t, env, c.ID, "pat@globex.example", d)
	_, id, err := svc.SignIn(ctx, authn.SignInRequest{AgencyID: env.Agency.ID, Email: "admin@globex.example", Password: clienteletest.Password, IP: office})
	require.NoError(t, err)

	cer, err := svc.BeginPasskeyRegistration(ctx, id)
	require.NoError(t, err)
	pk, err := svc.FinishPasskeyRegistration(ctx, id, cer.Token, "Laptop", newDevice().create(t, cer))
	require.NoError(t, err)
	require.NoError(t, svc.RemovePasskey(ctx, id, pk.ID))
	_, _, err = svc.ChangePassword(ctx, id, "a fresh passphrase for admin")
	require.NoError(t, err)

	// Removing a member is silent: no notice.
	require.NoError(t, env.Tenancy.Remove(ctx, env.AgencyAdmin(), c.ID, mustUser(t, env, "pat@globex.example")))

	due, err := env.Store.DueDeliveries(ctx, env.Clock.Now().Add(time.Hour), 100)
	require.NoError(t, err)
	var notices []invite.Notice
	for _, q := range due {
		if q.Kind == invite.KindNotice {
			assert.Equal(t, id.Principal.UserID, q.UserID)
			assert.Equal(t, c.ID, q.ClientID)
			notices = append(notices, q.Notice)
		}
	}
	assert.ElementsMatch(t, []invite.Notice{invite.NoticePasskeyAdded, invite.NoticePasskeyRemoved, invite.NoticePasswordChanged}, notices)
	assert.Equal(t, 3, woken, "the deliverer is woken after each")

	page, err := env.Tenancy.ListAudit(ctx, env.AgencyAdmin(), "", tenancy.Page{Limit: 200})
	require.NoError(t, err)
	var actions []string
	for _, ev := range page.Events {
		switch ev.Action {
		case clientele.AuditPasskeyAdd, clientele.AuditPasskeyRemove, clientele.AuditPasswordChange:
			assert.Equal(t, string(id.Principal.UserID), ev.Actor)
			assert.Equal(t, string(id.Principal.UserID), ev.Target)
			assert.Empty(t, ev.ClientID, "a credential is the user's, not one client's")
			actions = append(actions, ev.Action)
		}
	}
	assert.ElementsMatch(t, []string{clientele.AuditPasskeyAdd, clientele.AuditPasskeyRemove, clientele.AuditPasswordChange}, actions)

	// Without WithSecurityNotices (clienteletest's service), none is queued.
	_, plain, err := env.Authn.SignIn(ctx, authn.SignInRequest{AgencyID: env.Agency.ID, Email: "admin@globex.example",
		Password: "a fresh passphrase for admin", IP: office})
	require.NoError(t, err)
	_, _, err = env.Authn.ChangePassword(ctx, plain, "another fresh passphrase")
	require.NoError(t, err)
	after, err := env.Store.DueDeliveries(ctx, env.Clock.Now().Add(time.Hour), 100)
	require.NoError(t, err)
	assert.Len(t, after, len(due))
}

func mustUser(t *testing.T, env *clienteletest.Env, email clientele.Email) clientele.UserID {
	t.Helper()
	u, err := env.Store.UserByEmail(context.Background(), env.Agency.ID, email)
	require.NoError(t, err)
	return u.ID
}
