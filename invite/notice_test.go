package invite_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/authn"
	"github.com/clientele/clientele/clienteletest"
	"github.com/clientele/clientele/invite"
)

// hostileName is a user's name that HTML must escape.
const hostileName = `<b>Ada</b> "12"`

// addUser makes email a member of the outbox's client under name, through
// the environment's invitation service (which mails directly, not
// through the outbox).
func (o *outbox) addUser(t *testing.T, email, name string) clientele.Member {
	t.Helper()
	_, err := o.Invites.Create(t.Context(), o.AgencyAdmin(), o.client.ID, email, clientele.RoleMember)
	require.NoError(t, err)
	token, err := o.Mailer.TokenTo(email)
	require.NoError(t, err)
	m, err := o.Invites.Accept(t.Context(), invite.AcceptRequest{Token: token, Name: name, Password: clienteletest.Password})
	require.NoError(t, err)
	return m
}

// queueNotice changes m's credentials as notice n says, through the
// store, queueing the notice, and returns the delivery.
func (o *outbox) queueNotice(t *testing.T, m clientele.Member, n invite.Notice) invite.Delivery {
	t.Helper()
	ctx, now := t.Context(), o.Clock.Now()
	d := invite.NewNotice(o.Agency.ID, m.ClientID, m.UserID, n, now)
	change := authn.CredentialChange{Audit: clientele.NewAuditStamp(ctx, o.Principal(m), now), Notice: &d}
	pk := clientele.Passkey{ID: []byte("credential-" + string(m.UserID)), AgencyID: o.Agency.ID, UserID: m.UserID,
		Name: "MacBook", PublicKey: []byte("key"), CreatedAt: now}
	switch n {
	case invite.NoticePasskeyAdded:
		require.NoError(t, o.Store.CreatePasskey(ctx, pk, change))
	case invite.NoticePasskeyRemoved:
		added := authn.CredentialChange{Audit: clientele.NewAuditStamp(ctx, o.Principal(m), now)}
		require.NoError(t, o.Store.CreatePasskey(ctx, pk, added))
		require.NoError(t, o.Store.DeletePasskey(ctx, o.Agency.ID, m.UserID, pk.ID, change))
	case invite.NoticePasswordChanged:
		require.NoError(t, o.Store.ChangePassword(ctx, o.Agency.ID, m.UserID, "new-hash", change))
	default:
		t.Fatalf("unknown notice %q", n)
	}
	return d
}

func TestNoticeSentOnceToTheUser(t *testing.T) {
	for _, tc := range []struct {
		notice  invite.Notice
		subject string
	}{
		{invite.NoticePasskeyAdded, "A passkey was added to your account"},
		{invite.NoticePasskeyRemoved, "A passkey was removed from your account"},
		{invite.NoticePasswordChanged, "Your password was changed"},
	} {
		t.Run(string(tc.notice), func(t *testing.T) {
			o := newOutbox(t)
			m := o.addUser(t, "ada@example.com", hostileName)
			o.Clock.Set(time.Date(2026, 1, 5, 9, 30, 0, 0, time.UTC))
			d := o.queueNotice(t, m, tc.notice)
			o.Clock.Advance(time.Hour) // sent later: the email tells when the change was made

			require.Equal(t, 1, o.deliver(t))
			require.Len(t, o.mail.Messages(), 1)
			msg := o.mail.Messages()[0]
			assert.Equal(t, m.Email, msg.To, "the user's email, read when sending")
			assert.Equal(t, tc.subject, msg.Subject)
			assert.Equal(t, "Acme Agency", msg.FromName)
			assert.Equal(t, clienteletest.BaseURL+"/login", msg.Link, "one link: the portal")
			assert.Contains(t, msg.HTML, "#0f766e", "the agency's branding")
			for _, body := range []string{msg.Text, msg.HTML} {
				assert.Contains(t, body, tc.subject)
				assert.Contains(t, body, "If this wasn't you, contact Acme Agency at once.")
				assert.Contains(t, body, "5 Jan 2026 09:30 UTC", "when the change was made")
				assert.Equal(t, 1, strings.Count(body, msg.Link), "the link once")
				assert.Equal(t, 1, strings.Count(body, "://"), "no other link")
			}
			assert.Contains(t, msg.Text, "Hello "+hostileName+",", "the name, plain in the text")
			assert.Contains(t, msg.HTML, "Hello &lt;b&gt;Ada&lt;/b&gt; &#34;12&#34;,", "escaped in the HTML")
			assert.NotContains(t, msg.HTML, "<b>Ada")

			sent, err := o.Store.Delivery(t.Context(), o.client.ID, d.ID)
			require.NoError(t, err)
			assert.True(t, sent.Sent())
			assert.Zero(t, o.deliver(t), "sent once")
			assert.Len(t, o.mail.Messages(), 1)

			logs := o.logs.String()
			assert.Contains(t, logs, "security notice sent")
			assert.Contains(t, logs, "kind=notice")
			assert.Contains(t, logs, "user="+string(m.UserID))
			assert.NotContains(t, logs, string(m.Email), "no address in the logs")
		})
	}
}

func TestNoticeLinkUsesTheCustomDomain(t *testing.T) {
	o := newOutbox(t)
	_, err := o.Tenancy.SetBranding(t.Context(), o.AgencyAdmin(), clientele.Branding{Name: "Acme & Co",
		LogoURL: "https://cdn.acme.example/logo.png", PrimaryColor: "#ffcc00", CustomDomain: "portal.acme.example"})
	require.NoError(t, err)
	m := o.addUser(t, "ada@example.com", "Ada")
	o.queueNotice(t, m, invite.NoticePasswordChanged)

	require.Equal(t, 1, o.deliver(t))
	msg, err := o.mail.LastTo("ada@example.com")
	require.NoError(t, err)
	assert.Equal(t, "https://portal.acme.example/login", msg.Link)
	assert.Equal(t, "Acme & Co", msg.FromName)
	assert.Contains(t, msg.HTML, `src="https://cdn.acme.example/logo.png"`)
	assert.Contains(t, msg.HTML, "#ffcc00")
	assert.Contains(t, msg.HTML, "contact Acme &amp; Co at once.")
	assert.Equal(t, 2, strings.Count(msg.HTML, "://"), "the link and the logo")
}

// forgetful is an outbox store that no longer knows the user gone.
type forgetful struct {
	invite.OutboxStore
	gone clientele.UserID
}

func (f forgetful) User(ctx context.Context, agency clientele.AgencyID, id clientele.UserID) (clientele.User, error) {
	if id == f.gone {
		return clientele.User{}, clientele.ErrNotFound
	}
	return f.OutboxStore.User(ctx, agency, id)
}

func TestNoticeToAGoneUserIsDropped(t *testing.T) {
	o := newOutbox(t)
	gone := o.addUser(t, "ada@example.com", "Ada")
	kept := o.addUser(t, "bob@example.com", "Bob")
	dropped := o.queueNotice(t, gone, invite.NoticePasswordChanged)
	o.queueNotice(t, kept, invite.NoticePasswordChanged)
	deliverer, err := invite.NewDeliverer(forgetful{o.Store, gone.UserID}, o.mail, clienteletest.BaseURL,
		invite.WithDeliveryClock(o.Clock.Now))
	require.NoError(t, err)

	n, err := deliverer.DeliverDue(t.Context())
	require.NoError(t, err)
	assert.Equal(t, 1, n, "only the user still there")
	_, err = o.mail.LastTo("ada@example.com")
	require.ErrorIs(t, err, clienteletest.ErrNoMessage)
	d, err := o.Store.Delivery(t.Context(), o.client.ID, dropped.ID)
	require.NoError(t, err)
	require.NotNil(t, d.SentAt, "done")
	assert.False(t, d.Sent())
	assert.Equal(t, "dropped: user not found", d.LastError)
	n, err = deliverer.DeliverDue(t.Context())
	require.NoError(t, err)
	assert.Zero(t, n)
}

func TestNoticeRetriedWhenTheMailerFails(t *testing.T) {
	o := newOutbox(t)
	m := o.addUser(t, "ada@example.com", "Ada")
	d := o.queueNotice(t, m, invite.NoticePasskeyAdded)
	o.mail.SetFailure(errors.New("connection refused"))

	require.Zero(t, o.deliver(t))
	failed, err := o.Store.Delivery(t.Context(), o.client.ID, d.ID)
	require.NoError(t, err)
	assert.Equal(t, 1, failed.Attempts)
	assert.Contains(t, o.logs.String(), "security notice email not sent; will retry")

	o.mail.SetFailure(nil)
	o.Clock.Set(failed.NextAttemptAt)
	require.Equal(t, 1, o.deliver(t))
	msg, err := o.mail.LastTo("ada@example.com")
	require.NoError(t, err)
	assert.Equal(t, "A passkey was added to your account", msg.Subject)
}

// newer is an outbox store whose claimed deliveries look as a newer
// version of Clientele might have written them.
type newer struct {
	invite.OutboxStore
	change func(*invite.Delivery)
}

func (s newer) ClaimDelivery(ctx context.Context, d invite.Delivery, now, until time.Time) (invite.Delivery, error) {
	c, err := s.OutboxStore.ClaimDelivery(ctx, d, now, until)
	s.change(&c)
	return c, err
}

func TestDeliveryOfAnUnknownKindIsRetried(t *testing.T) {
	for name, tc := range map[string]struct {
		change func(*invite.Delivery)
		class  string
	}{
		"kind":   {func(d *invite.Delivery) { d.Kind = "sms" }, "unknown kind"},
		"notice": {func(d *invite.Delivery) { d.Notice = "account_deleted" }, "unknown notice"},
	} {
		t.Run(name, func(t *testing.T) {
			o := newOutbox(t)
			m := o.addUser(t, "ada@example.com", "Ada")
			d := o.queueNotice(t, m, invite.NoticePasswordChanged)
			deliverer, err := invite.NewDeliverer(newer{o.Store, tc.change}, o.mail, clienteletest.BaseURL,
				invite.WithDeliveryClock(o.Clock.Now))
			require.NoError(t, err)

			n, err := deliverer.DeliverDue(t.Context())
			require.NoError(t, err)
			assert.Zero(t, n)
			assert.Empty(t, o.mail.Messages())
			got, err := o.Store.Delivery(t.Context(), o.client.ID, d.ID)
			require.NoError(t, err)
			assert.Nil(t, got.SentAt, "not dropped: a worker that knows it will send it")
			assert.Equal(t, 1, got.Attempts)
			assert.Equal(t, tc.class, got.LastError)
		})
	}
}
