package clienteletest_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/clienteletest"
	"github.com/clientele/clientele/rbac"
	"github.com/clientele/clientele/tenancy"
)

// A host's handler test starts like this: a client with billing, an Admin
// and a Member, and the decisions the host's handler would ask for.
func TestEnvGivesPrincipalsForEachRole(t *testing.T) {
	ctx := context.Background()
	env := clienteletest.New(t)
	c := env.NewClient(t, "Globex", clientele.PermManageBilling)
	admin, member := env.Admin(t, c.ID), env.Member(t, c.ID)

	assert.Equal(t, clientele.RoleAdmin, admin.Role)
	assert.Equal(t, clientele.RoleMember, member.Role)
	require.NoError(t, env.Authorizer.Authorize(ctx, admin, rbac.ActionUseBilling, c.Permissions))
	require.ErrorIs(t, env.Authorizer.Authorize(ctx, member, rbac.ActionUseBilling, c.Permissions), rbac.ErrDenied)
	require.NoError(t, env.Authorizer.Authorize(ctx, env.AgencyAdmin(), rbac.ActionSetPermissions, c.Permissions))

	page, err := env.Tenancy.ListUsers(ctx, admin, c.ID, tenancy.Page{})
	require.NoError(t, err)
	assert.Len(t, page.Users, 2)
	assert.Len(t, env.Mailer.Messages(), 2, "each user came in through an invitation email")
}

func TestClock(t *testing.T) {
	c := clienteletest.NewClock(clienteletest.Start)
	c.Advance(time.Hour)
	assert.Equal(t, clienteletest.Start.Add(time.Hour), c.Now())
	c.Set(clienteletest.Start)
	assert.Equal(t, clienteletest.Start, c.Now())
}

func TestMailer(t *testing.T) {
	ctx := context.Background()
	env := clienteletest.New(t)
	c := env.NewClient(t, "Globex")

	_, err := env.Mailer.TokenTo("nobody@example.com")
	require.ErrorIs(t, err, clienteletest.ErrNoMessage)
	_, err = env.Mailer.LastTo("not an email")
	require.ErrorIs(t, err, clientele.ErrInvalidEmail)

	env.Mailer.SetFailure(errors.New("down"))
	_, err = env.Invites.Create(ctx, env.AgencyAdmin(), c.ID, "a@example.com", clientele.RoleMember)
	require.Error(t, err)
	assert.Empty(t, env.Mailer.Messages())

	env.Mailer.SetFailure(nil)
	_, err = env.Invites.Create(ctx, env.AgencyAdmin(), c.ID, "b@example.com", clientele.RoleMember)
	require.NoError(t, err)
	token, err := env.Mailer.TokenTo("B@example.com")
	require.NoError(t, err)
	assert.Len(t, token, 43)
}
