package main

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/adapters/bunstore"
	"github.com/clientele/clientele/authn/password"
	"github.com/clientele/clientele/internal/dbtest"
	"github.com/clientele/clientele/tenancy"
)

// TestSeededDataWorksWithTheStore reads the seeded rows back through the
// real store: the user list of a client, and a sign-in's password check.
func TestSeededDataWorksWithTheStore(t *testing.T) {
	for _, kind := range dbtest.Kinds() {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			db := dbtest.Fresh(t, kind)
			ctx := t.Context()
			cfg := testConfig()
			now := time.Now().UTC().Truncate(time.Microsecond)
			res, err := seed(ctx, db, cfg, now, io.Discard)
			require.NoError(t, err)
			s, err := bunstore.New(db)
			require.NoError(t, err)

			clients, err := s.ListClients(ctx, res.Agency, nil, 100)
			require.NoError(t, err)
			require.Len(t, clients, cfg.Clients)
			c := clients[6]
			assert.Equal(t, "Client 000007", c.Name)
			assert.Equal(t, clientele.NewPermissionSet(clientele.PermManageBilling, clientele.PermViewReports), c.Permissions)

			entries, err := s.ListUsers(ctx, c.ID, tenancy.ListQuery{Now: now, Limit: 100})
			require.NoError(t, err)
			require.Len(t, entries, cfg.UsersPerClient+cfg.InvitationsPerClient)
			assert.True(t, slices.IsSortedFunc(entries, func(a, b tenancy.Entry) int {
				return cmp.Or(cmp.Compare(a.Email, b.Email), cmp.Compare(a.ID, b.ID))
			}), "ordered by (email, id)")
			var emails []string
			var admin tenancy.Entry
			for _, e := range entries {
				emails = append(emails, string(e.Email))
				switch {
				case e.Status == tenancy.EntryPending:
					assert.Equal(t, clientele.RoleMember, e.Role)
					require.NotNil(t, e.ExpiresAt)
					assert.True(t, e.ExpiresAt.Equal(now.Add(7*24*time.Hour)), "expires %v", e.ExpiresAt)
				case e.Role == clientele.RoleAdmin:
					admin = e
				default:
					assert.Equal(t, tenancy.EntryActive, e.Status)
					assert.Equal(t, clientele.RoleMember, e.Role)
				}
			}
			domain := "@seed" + res.Tag + ".example"
			var want []string
			for n := 1; n <= cfg.InvitationsPerClient; n++ {
				want = append(want, fmt.Sprintf("i000007-%d%s", n, domain))
			}
			for n := 1; n <= cfg.UsersPerClient; n++ {
				want = append(want, fmt.Sprintf("u000007-%d%s", n, domain))
			}
			assert.Equal(t, want, emails)
			assert.Equal(t, clientele.Email("u000007-1"+domain), admin.Email)
			assert.Equal(t, tenancy.EntryActive, admin.Status)
			assert.Nil(t, admin.LastActiveAt)

			id, hash, err := s.PasswordHash(ctx, res.Agency, admin.Email)
			require.NoError(t, err)
			assert.Equal(t, admin.ID, string(id))
			h, err := password.New()
			require.NoError(t, err)
			needsRehash, err := h.Verify(ctx, cfg.Password, hash)
			require.NoError(t, err, "the shared password signs in")
			assert.False(t, needsRehash)
			_, err = h.Verify(ctx, "not-the-password", hash)
			require.ErrorIs(t, err, password.ErrMismatch)

			_, other, err := s.PasswordHash(ctx, res.Agency, clientele.Email("u000030-4"+domain))
			require.NoError(t, err)
			assert.Equal(t, hash, other, "every user shares the hash")
		})
	}
}
