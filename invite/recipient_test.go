package invite_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/invite"
)

// Resend can no longer mail-bomb an address: invitation emails to one
// address are capped per day, across clients, Create and Resend alike.
func TestInvitationEmailsPerRecipientAreCapped(t *testing.T) {
	ctx := context.Background()
	env, c, admin := setup(t)
	other := env.NewClient(t, "Initech")

	inv, err := env.Invites.Create(ctx, admin, c.ID, "target@example.com", clientele.RoleMember)
	require.NoError(t, err)
	_, err = env.Invites.Create(ctx, env.AgencyAdmin(), other.ID, "Target@Example.com", clientele.RoleMember)
	require.NoError(t, err, "another client: the same address")
	for range invite.DefaultRecipientLimit - 2 {
		env.Clock.Advance(time.Minute)
		inv, err = env.Invites.Resend(ctx, admin, c.ID, inv.ID)
		require.NoError(t, err)
	}
	sent := len(env.Mailer.Messages())
	require.Equal(t, invite.DefaultRecipientLimit, countTo(env.Mailer.Messages(), "target@example.com"))

	_, err = env.Invites.Resend(ctx, admin, c.ID, inv.ID)
	var rl *clientele.RateLimitError
	require.True(t, errors.As(err, &rl), "got %v", err)
	require.ErrorIs(t, err, clientele.ErrRateLimited)
	assert.Positive(t, rl.RetryAfter)
	assert.LessOrEqual(t, rl.RetryAfter, 24*time.Hour)
	got, err := env.Invites.Resend(ctx, env.AgencyAdmin(), c.ID, inv.ID)
	require.ErrorIs(t, err, clientele.ErrRateLimited, "the agency too")
	assert.Empty(t, got.ID)
	third := env.NewClient(t, "Umbrella")
	_, err = env.Invites.Create(ctx, env.AgencyAdmin(), third.ID, "target@example.com", clientele.RoleMember)
	require.ErrorIs(t, err, clientele.ErrRateLimited, "a new invitation too")
	assert.Equal(t, sent, len(env.Mailer.Messages()), "nothing more sent")
	last, err := env.Mailer.TokenTo("target@example.com")
	require.NoError(t, err)
	p, err := env.Invites.Lookup(ctx, last)
	require.NoError(t, err, "the last link still works")
	assert.Equal(t, c.ID, p.ClientID)

	_, err = env.Invites.Create(ctx, admin, c.ID, "someone.else@example.com", clientele.RoleMember)
	require.NoError(t, err, "another address is not held")

	env.Clock.Advance(rl.RetryAfter)
	_, err = env.Invites.Resend(ctx, admin, c.ID, inv.ID)
	require.NoError(t, err, "the next day")

	_, err = invite.New(env.Store, env.Authorizer, env.Mailer, "https://portal.test", invite.WithRecipientLimit(0))
	require.ErrorIs(t, err, clientele.ErrInvalidArgument)
}

// countTo counts the messages to email.
func countTo(ms []invite.Message, email clientele.Email) int {
	n := 0
	for _, m := range ms {
		if m.To == email {
			n++
		}
	}
	return n
}
