package invite_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/authn/password"
	"github.com/clientele/clientele/clienteletest"
	"github.com/clientele/clientele/invite"
)

// outbox is a test environment whose invitation service queues emails for
// a Deliverer; both share the environment's store and clock.
type outbox struct {
	*clienteletest.Env
	invites   *invite.Service
	deliverer *invite.Deliverer
	mail      *clienteletest.Mailer
	client    clientele.Client
	logs      *bytes.Buffer
}

func newOutbox(t *testing.T, opts ...invite.DeliveryOption) *outbox {
	t.Helper()
	env := clienteletest.New(t)
	o := &outbox{Env: env, mail: &clienteletest.Mailer{}, client: env.NewClient(t, "Globex"), logs: &bytes.Buffer{}}
	log := slog.New(slog.NewTextHandler(&lockedWriter{w: o.logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	var err error
	opts = append([]invite.DeliveryOption{invite.WithDeliveryClock(env.Clock.Now), invite.WithDeliveryLogger(log)}, opts...)
	o.deliverer, err = invite.NewDeliverer(env.Store, o.mail, clienteletest.BaseURL, opts...)
	require.NoError(t, err)
	hasher, err := password.New(password.WithParams(password.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}))
	require.NoError(t, err)
	o.invites, err = invite.New(env.Store, env.Authorizer, nil, clienteletest.BaseURL, invite.WithClock(env.Clock.Now),
		invite.WithPasswordHasher(hasher), invite.WithOutbox(), invite.WithOutboxNotify(o.deliverer.Notify))
	require.NoError(t, err)
	return o
}

// lockedWriter serializes writes to a buffer shared by goroutines.
type lockedWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// delivery returns the newest delivery of invitation id.
func (o *outbox) delivery(t *testing.T, id clientele.InvitationID) invite.Delivery {
	t.Helper()
	due, err := o.Store.DueDeliveries(t.Context(), o.Clock.Now().Add(24*time.Hour), 1000)
	require.NoError(t, err)
	for _, d := range due {
		if d.InvitationID == id {
			got, err := o.Store.Delivery(t.Context(), d.ClientID, d.ID)
			require.NoError(t, err)
			return got
		}
	}
	t.Fatalf("no queued delivery of invitation %s", id)
	return invite.Delivery{}
}

func (o *outbox) deliver(t *testing.T) int {
	t.Helper()
	n, err := o.deliverer.DeliverDue(t.Context())
	require.NoError(t, err)
	return n
}

func (o *outbox) create(t *testing.T, email string) clientele.Invitation {
	t.Helper()
	inv, err := o.invites.Create(t.Context(), o.AgencyAdmin(), o.client.ID, email, clientele.RoleMember)
	require.NoError(t, err)
	return inv
}

func TestOutboxSendsAtDeliveryAndTheLinkWorks(t *testing.T) {
	o := newOutbox(t)
	inv := o.create(t, "ada@example.com")
	assert.Empty(t, o.mail.Messages(), "Create sends nothing")
	queued := o.delivery(t, inv.ID)
	assert.Equal(t, inv.ID, queued.InvitationID)
	assert.Equal(t, o.Clock.Now(), queued.NextAttemptAt)

	require.Equal(t, 1, o.deliver(t))
	msg, err := o.mail.LastTo("ada@example.com")
	require.NoError(t, err)
	token, err := o.mail.TokenTo("ada@example.com")
	require.NoError(t, err)
	assert.Equal(t, clienteletest.BaseURL+"/invite/"+token, msg.Link)
	assert.Equal(t, "Acme Agency", msg.FromName)
	assert.Contains(t, msg.HTML, "#0f766e", "the agency's branding")
	sent, err := o.Store.Delivery(t.Context(), o.client.ID, queued.ID)
	require.NoError(t, err)
	assert.True(t, sent.Sent())
	assert.Equal(t, o.Clock.Now(), *sent.SentAt)

	assert.Zero(t, o.deliver(t), "sent once")
	m, err := o.invites.Accept(t.Context(), invite.AcceptRequest{Token: token, Name: "Ada", Password: pw})
	require.NoError(t, err)
	assert.Equal(t, inv.Email, m.Email)
}

func TestOutboxLinkUsesTheCustomDomain(t *testing.T) {
	o := newOutbox(t)
	_, err := o.Tenancy.SetBranding(t.Context(), o.AgencyAdmin(), clientele.Branding{Name: "Acme", CustomDomain: "portal.acme.example"})
	require.NoError(t, err)
	o.create(t, "ada@example.com")
	require.Equal(t, 1, o.deliver(t))
	msg, err := o.mail.LastTo("ada@example.com")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(msg.Link, "https://portal.acme.example/invite/"), msg.Link)
}

func TestOutboxRetriesAfterBackoff(t *testing.T) {
	o := newOutbox(t)
	o.mail.SetFailure(fmt.Errorf("send to ada@example.com: %w", &textproto.Error{Code: 451, Msg: "4.3.0 try again later"}))
	inv := o.create(t, "ada@example.com")

	require.Zero(t, o.deliver(t))
	failed := o.delivery(t, inv.ID)
	assert.Equal(t, 1, failed.Attempts)
	assert.Equal(t, "smtp 451", failed.LastError, "the class only: no address, no message")
	wait := failed.NextAttemptAt.Sub(o.Clock.Now())
	assert.True(t, wait >= invite.DefaultMinBackoff && wait <= invite.DefaultMinBackoff*3/2, "first wait %v", wait)
	assert.Contains(t, o.logs.String(), "level=WARN")

	o.mail.SetFailure(nil)
	assert.Zero(t, o.deliver(t), "not due before the backoff")
	o.Clock.Set(failed.NextAttemptAt)
	require.Equal(t, 1, o.deliver(t))
	token, err := o.mail.TokenTo("ada@example.com")
	require.NoError(t, err)
	_, err = o.invites.Accept(t.Context(), invite.AcceptRequest{Token: token, Name: "Ada", Password: pw})
	require.NoError(t, err, "the link of the email that went out works")
}

func TestOutboxNeverGivesUp(t *testing.T) {
	o := newOutbox(t, invite.WithBackoff(time.Second, time.Minute))
	o.mail.SetFailure(errors.New("connection refused by ada@example.com's server"))
	inv := o.create(t, "ada@example.com")
	var waits []time.Duration
	for range invite.AlarmAttempts + 5 {
		require.Zero(t, o.deliver(t))
		d := o.delivery(t, inv.ID)
		waits = append(waits, d.NextAttemptAt.Sub(o.Clock.Now()))
		o.Clock.Set(d.NextAttemptAt)
	}
	d := o.delivery(t, inv.ID)
	assert.Equal(t, invite.AlarmAttempts+5, d.Attempts)
	assert.Equal(t, "mailer error", d.LastError)
	for i, w := range waits {
		assert.True(t, w >= time.Second && w <= time.Minute, "wait %d: %v", i, w)
	}
	assert.Less(t, waits[0], waits[4], "the waits grow")
	assert.Equal(t, time.Minute, waits[len(waits)-1], "capped at the maximum")
	assert.Equal(t, 6, strings.Count(o.logs.String(), "level=ERROR"), "from the 20th failure on, at error level")
	assert.NotContains(t, o.logs.String(), "/invite/", "no link in the logs")

	o.mail.SetFailure(nil)
	require.Equal(t, 1, o.deliver(t), "still delivered")
}

func TestOutboxCancelledBeforeDeliverySendsNothing(t *testing.T) {
	o := newOutbox(t)
	inv := o.create(t, "ada@example.com")
	queued := o.delivery(t, inv.ID)
	require.NoError(t, o.invites.Cancel(t.Context(), o.AgencyAdmin(), o.client.ID, inv.ID))

	assert.Zero(t, o.deliver(t))
	assert.Empty(t, o.mail.Messages())
	d, err := o.Store.Delivery(t.Context(), o.client.ID, queued.ID)
	require.NoError(t, err)
	require.NotNil(t, d.SentAt, "done")
	assert.False(t, d.Sent())
	assert.Equal(t, "dropped: invitation cancelled", d.LastError)
	assert.Zero(t, o.deliver(t))
}

func TestOutboxResendBeforeDeliverySendsOnlyTheNewOne(t *testing.T) {
	o := newOutbox(t)
	first := o.create(t, "ada@example.com")
	second, err := o.invites.Resend(t.Context(), o.AgencyAdmin(), o.client.ID, first.ID)
	require.NoError(t, err)

	require.Equal(t, 1, o.deliver(t))
	require.Len(t, o.mail.Messages(), 1)
	token, err := o.mail.TokenTo("ada@example.com")
	require.NoError(t, err)
	p, err := o.invites.Lookup(t.Context(), token)
	require.NoError(t, err)
	assert.Equal(t, second.ExpiresAt, p.ExpiresAt)
	hash, err := invite.HashToken(token)
	require.NoError(t, err)
	inv, err := o.Store.InvitationByTokenHash(t.Context(), hash)
	require.NoError(t, err)
	assert.Equal(t, second.ID, inv.ID)
}

func TestOutboxExpiredBeforeDeliverySendsNothing(t *testing.T) {
	o := newOutbox(t)
	expired := o.create(t, "late@example.com")
	o.Clock.Set(expired.ExpiresAt)
	assert.Zero(t, o.deliver(t))
	assert.Empty(t, o.mail.Messages())
	assert.Contains(t, o.logs.String(), "reason=\"invitation expired\"")
}

func TestOutboxStoresNoRawToken(t *testing.T) {
	o := newOutbox(t)
	o.mail.SetFailure(errors.New("down"))
	inv := o.create(t, "ada@example.com")
	o.deliver(t)
	o.Clock.Set(o.delivery(t, inv.ID).NextAttemptAt)
	o.mail.SetFailure(nil)
	require.Equal(t, 1, o.deliver(t))
	o.create(t, "bob@example.com")
	o.deliver(t)

	for _, msg := range o.mail.Messages() {
		token := msg.Link[strings.LastIndex(msg.Link, "/")+1:]
		raw, err := base64.RawURLEncoding.DecodeString(token)
		require.NoError(t, err)
		dump := fmt.Sprintf("%#v", o.Store)
		require.Greater(t, len(dump), 1000, "the dump holds the store's contents")
		assert.NotContains(t, dump, token, "no stored value holds the token")
		assert.NotContains(t, dump, fmt.Sprintf("%q", raw)[1:20], "nor its bytes")
		assert.NotContains(t, o.logs.String(), token, "nor any log line")
	}
}

func TestOutboxWorkersSendEachEmailOnce(t *testing.T) {
	o := newOutbox(t, invite.WithBatch(3))
	const n = 30
	for i := range n {
		o.create(t, fmt.Sprintf("user%d@example.com", i))
	}
	workers := make([]*invite.Deliverer, 4)
	for i := range workers {
		var err error
		workers[i], err = invite.NewDeliverer(o.Store, o.mail, clienteletest.BaseURL, invite.WithDeliveryClock(o.Clock.Now),
			invite.WithBatch(3))
		require.NoError(t, err)
	}
	var wg sync.WaitGroup
	sent := make([]int, len(workers))
	for i, w := range workers {
		wg.Go(func() {
			var err error
			sent[i], err = w.DeliverDue(t.Context())
			assert.NoError(t, err)
		})
	}
	wg.Wait()
	total := 0
	for _, s := range sent {
		total += s
	}
	assert.Equal(t, n, total)
	seen := map[clientele.Email]int{}
	for _, m := range o.mail.Messages() {
		seen[m.To]++
	}
	assert.Len(t, seen, n)
	for to, k := range seen {
		assert.Equal(t, 1, k, "%s got %d emails", to, k)
	}
}

func TestDelivererOptions(t *testing.T) {
	env := clienteletest.New(t)
	mail := &clienteletest.Mailer{}
	for name, tc := range map[string]struct {
		store  invite.OutboxStore
		mailer invite.Mailer
		base   string
		opt    invite.DeliveryOption
	}{
		"no store":        {nil, mail, clienteletest.BaseURL, nil},
		"no mailer":       {env.Store, nil, clienteletest.BaseURL, nil},
		"bad base URL":    {env.Store, mail, "portal.example.com", nil},
		"nil clock":       {env.Store, mail, clienteletest.BaseURL, invite.WithDeliveryClock(nil)},
		"nil logger":      {env.Store, mail, clienteletest.BaseURL, invite.WithDeliveryLogger(nil)},
		"backoff min 0":   {env.Store, mail, clienteletest.BaseURL, invite.WithBackoff(0, time.Second)},
		"backoff max<min": {env.Store, mail, clienteletest.BaseURL, invite.WithBackoff(time.Minute, time.Second)},
		"short lease":     {env.Store, mail, clienteletest.BaseURL, invite.WithLease(time.Second)},
		"batch 0":         {env.Store, mail, clienteletest.BaseURL, invite.WithBatch(0)},
	} {
		t.Run(name, func(t *testing.T) {
			var opts []invite.DeliveryOption
			if tc.opt != nil {
				opts = append(opts, tc.opt)
			}
			_, err := invite.NewDeliverer(tc.store, tc.mailer, tc.base, opts...)
			require.ErrorIs(t, err, clientele.ErrInvalidArgument)
		})
	}
	_, err := invite.New(env.Store, env.Authorizer, nil, clienteletest.BaseURL)
	require.ErrorIs(t, err, clientele.ErrInvalidArgument, "a mailer, unless the outbox sends")
	_, err = invite.New(env.Store, env.Authorizer, nil, clienteletest.BaseURL, invite.WithOutbox())
	require.NoError(t, err)
	_, err = invite.New(env.Store, env.Authorizer, nil, clienteletest.BaseURL, invite.WithOutbox(), invite.WithOutboxNotify(nil))
	require.ErrorIs(t, err, clientele.ErrInvalidArgument)
}
