package smtpmail_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/adapters/internal/mailmsg"
	"github.com/clientele/clientele/authn/password"
	"github.com/clientele/clientele/clienteletest"
	"github.com/clientele/clientele/invite"
)

// An SMTP outage delays an invitation and never loses it: the invitation
// is created while the server is down, and its email arrives once the
// server is back and the backoff has passed; its link accepts.
func TestOutboxDeliversAfterAnOutage(t *testing.T) {
	ctx := t.Context()
	env := clienteletest.New(t)
	c := env.NewClient(t, "Globex")
	port := freePort(t)
	mailer := newMailer(t, port)
	hasher, err := password.New(password.WithParams(password.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}))
	require.NoError(t, err)
	invites, err := invite.New(env.Store, env.Authorizer, nil, clienteletest.BaseURL, invite.WithClock(env.Clock.Now),
		invite.WithPasswordHasher(hasher), invite.WithOutbox())
	require.NoError(t, err)
	deliverer, err := invite.NewDeliverer(env.Store, mailer, clienteletest.BaseURL, invite.WithDeliveryClock(env.Clock.Now))
	require.NoError(t, err)

	inv, err := invites.Create(ctx, env.AgencyAdmin(), c.ID, "ada@example.com", clientele.RoleAdmin)
	require.NoError(t, err, "the outage does not fail the invitation")
	sent, err := deliverer.DeliverDue(ctx)
	require.NoError(t, err)
	require.Zero(t, sent)
	due, err := env.Store.DueDeliveries(ctx, env.Clock.Now().Add(time.Hour), 10)
	require.NoError(t, err)
	require.Len(t, due, 1)
	assert.Equal(t, inv.ID, due[0].InvitationID)
	assert.Equal(t, "network dial", due[0].LastError)

	server := startServer(t, port)
	sent, err = deliverer.DeliverDue(ctx)
	require.NoError(t, err)
	require.Zero(t, sent, "not before the backoff")
	env.Clock.Set(due[0].NextAttemptAt)
	sent, err = deliverer.DeliverDue(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, sent)

	msgs, err := server.WaitForMessages(1, 5*time.Second)
	require.NoError(t, err)
	p, err := mailmsg.Parse(strings.NewReader(msgs[0].MsgRequest()))
	require.NoError(t, err)
	assert.Equal(t, "Acme Agency", p.From.Name)
	i := strings.Index(p.Text, clienteletest.BaseURL+"/invite/")
	require.GreaterOrEqual(t, i, 0, p.Text)
	token := p.Text[i+len(clienteletest.BaseURL+"/invite/"):][:invite.TokenLength]
	m, err := invites.Accept(ctx, invite.AcceptRequest{Token: token, Name: "Ada", Password: clienteletest.Password})
	require.NoError(t, err)
	assert.Equal(t, clientele.RoleAdmin, m.Role)
}
