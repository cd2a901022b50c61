package bunstore_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/adapters/bunstore"
	"github.com/clientele/clientele/authn/password"
	"github.com/clientele/clientele/clienteletest"
	"github.com/clientele/clientele/internal/dbtest"
	"github.com/clientele/clientele/invite"
	"github.com/clientele/clientele/rbac"
)

// The outbox end to end on every database: an invitation queued while
// the mail server fails is sent after the backoff, its link accepts, and
// no table holds a token that was mailed.
func TestOutboxOnSQL(t *testing.T) {
	for _, kind := range dbtest.Kinds() {
		t.Run(string(kind), func(t *testing.T) {
			ctx := context.Background()
			db := dbtest.Fresh(t, kind)
			store, err := bunstore.New(db)
			require.NoError(t, err)
			clock := clienteletest.NewClock(clienteletest.Start)
			authz, err := rbac.New(ctx)
			require.NoError(t, err)
			hasher, err := password.New(password.WithParams(password.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}))
			require.NoError(t, err)
			invites, err := invite.New(store, authz, nil, clienteletest.BaseURL, invite.WithClock(clock.Now),
				invite.WithPasswordHasher(hasher), invite.WithOutbox())
			require.NoError(t, err)
			mail := &clienteletest.Mailer{}
			deliverer, err := invite.NewDeliverer(store, mail, clienteletest.BaseURL, invite.WithDeliveryClock(clock.Now))
			require.NoError(t, err)

			a := clientele.Agency{ID: "agy_sql", Branding: clientele.Branding{Name: "Acme"}, CreatedAt: clock.Now()}
			require.NoError(t, store.CreateAgency(ctx, a))
			c := clientele.Client{ID: "cli_sql", AgencyID: a.ID, Name: "Globex", CreatedAt: clock.Now()}
			require.NoError(t, store.CreateClient(ctx, c))
			staff := clientele.AgencyAdmin(a.ID)

			mail.SetFailure(errors.New("smtp down"))
			inv, err := invites.Create(ctx, staff, c.ID, "ada@example.com", clientele.RoleAdmin)
			require.NoError(t, err)
			n, err := deliverer.DeliverDue(ctx)
			require.NoError(t, err)
			require.Zero(t, n)
			due, err := store.DueDeliveries(ctx, clock.Now().Add(time.Hour), 10)
			require.NoError(t, err)
			require.Len(t, due, 1)
			assert.Equal(t, inv.ID, due[0].InvitationID)
			assert.Equal(t, 1, due[0].Attempts)

			mail.SetFailure(nil)
			clock.Set(due[0].NextAttemptAt)
			n, err = deliverer.DeliverDue(ctx)
			require.NoError(t, err)
			require.Equal(t, 1, n)
			token, err := mail.TokenTo("ada@example.com")
			require.NoError(t, err)
			_, err = invites.Accept(ctx, invite.AcceptRequest{Token: token, Name: "Ada", Password: "correct horse battery"})
			require.NoError(t, err)

			_, err = invites.Create(ctx, staff, c.ID, "bob@example.com", clientele.RoleMember)
			require.NoError(t, err)
			n, err = deliverer.DeliverDue(ctx)
			require.NoError(t, err)
			require.Equal(t, 1, n)

			dump := dbtest.Dump(t, db)
			require.Contains(t, dump, "clientele_outbox")
			require.Contains(t, dump, "ada@example.com", "the dump holds the rows")
			for _, msg := range mail.Messages() {
				tok := msg.Link[strings.LastIndex(msg.Link, "/")+1:]
				raw, err := base64.RawURLEncoding.DecodeString(tok)
				require.NoError(t, err)
				assert.NotContains(t, dump, tok, "no table holds a mailed token")
				assert.False(t, bytes.Contains([]byte(dump), raw), "nor its bytes")
			}
		})
	}
}
