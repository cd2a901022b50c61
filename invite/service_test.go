package invite_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/authn/password"
	"github.com/clientele/clientele/clienteletest"
	"github.com/clientele/clientele/invite"
	"github.com/clientele/clientele/rbac"
)

const pw = "correct horse battery"

// setup returns an environment with one client, its Admin and a Member.
func setup(t *testing.T) (*clienteletest.Env, clientele.Client, clientele.Principal) {
	t.Helper()
	env := clienteletest.New(t)
	c := env.NewClient(t, "Globex", clientele.PermManageBilling)
	return env, c, env.Admin(t, c.ID)
}

func TestCreateMailsOneLinkAndStoresOnlyTheHash(t *testing.T) {
	ctx := context.Background()
	env, c, admin := setup(t)

	inv, err := env.Invites.Create(ctx, admin, c.ID, "New.Person@Example.com", clientele.RoleMember)
	require.NoError(t, err)
	assert.Equal(t, clientele.Email("new.person@example.com"), inv.Email)
	assert.Equal(t, clientele.InvitationPending, inv.Status)
	assert.Equal(t, admin.UserID, inv.InvitedBy)
	assert.Equal(t, env.Clock.Now().Add(invite.DefaultTTL), inv.ExpiresAt)

	msg, err := env.Mailer.LastTo("new.person@example.com")
	require.NoError(t, err)
	token, err := env.Mailer.TokenTo("new.person@example.com")
	require.NoError(t, err)
	assert.Len(t, token, invite.TokenLength)
	assert.Equal(t, clienteletest.BaseURL+"/invite/"+token, msg.Link)
	assert.Equal(t, "Acme Agency", msg.FromName)

	hash, err := invite.HashToken(token)
	require.NoError(t, err)
	stored, err := env.Store.InvitationByTokenHash(ctx, hash)
	require.NoError(t, err)
	assert.Equal(t, inv.ID, stored.ID)
	assert.NotContains(t, string(stored.TokenHash), token)
	assert.Len(t, stored.TokenHash, sha256.Size)
}

func TestLinkUsesCustomDomainNeverARequest(t *testing.T) {
	ctx := context.Background()
	env, c, admin := setup(t)
	_, err := env.Tenancy.SetBranding(ctx, env.AgencyAdmin(), clientele.Branding{Name: "Acme", CustomDomain: "Portal.Acme.Example"})
	require.NoError(t, err)

	_, err = env.Invites.Create(ctx, admin, c.ID, "a@example.com", clientele.RoleMember)
	require.NoError(t, err)
	token, err := env.Mailer.TokenTo("a@example.com")
	require.NoError(t, err)
	msg, err := env.Mailer.LastTo("a@example.com")
	require.NoError(t, err)
	assert.Equal(t, "https://portal.acme.example/invite/"+token, msg.Link)
}

func TestCreateRejectsBadInputAndWritesNothing(t *testing.T) {
	ctx := context.Background()
	env, c, admin := setup(t)
	member := env.Member(t, c.ID)
	other := env.NewClient(t, "Initech")
	otherAdmin := env.Admin(t, other.ID)
	_, err := env.Invites.Create(ctx, admin, c.ID, "pending@example.com", clientele.RoleMember)
	require.NoError(t, err)
	sent := len(env.Mailer.Messages())

	tests := []struct {
		name   string
		p      clientele.Principal
		client clientele.ClientID
		email  string
		role   clientele.Role
		want   error
	}{
		{"bad email", admin, c.ID, "not-an-email", clientele.RoleMember, clientele.ErrInvalidEmail},
		{"header injection", admin, c.ID, "a@example.com\r\nBcc: x@example.com", clientele.RoleMember, clientele.ErrInvalidEmail},
		{"unknown role", admin, c.ID, "b@example.com", "owner", clientele.ErrInvalidRole},
		{"member may not invite", member, c.ID, "b@example.com", clientele.RoleMember, rbac.ErrDenied},
		{"admin of another client", otherAdmin, c.ID, "b@example.com", clientele.RoleMember, clientele.ErrNotFound},
		{"no principal", clientele.Principal{}, c.ID, "b@example.com", clientele.RoleMember, clientele.ErrUnauthenticated},
		{"no client", admin, "", "b@example.com", clientele.RoleMember, clientele.ErrMissingScope},
		{"malformed client id", env.AgencyAdmin(), "../x", "b@example.com", clientele.RoleMember, clientele.ErrNotFound},
		{"unknown client", env.AgencyAdmin(), "cli_nope", "b@example.com", clientele.RoleMember, clientele.ErrNotFound},
		{"pending exists", admin, c.ID, "PENDING@example.com", clientele.RoleAdmin, invite.ErrPendingExists},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := env.Invites.Create(ctx, tt.p, tt.client, tt.email, tt.role)
			require.ErrorIs(t, err, tt.want)
		})
	}
	assert.Len(t, env.Mailer.Messages(), sent, "no email for a refused invitation")
	page, err := env.Tenancy.ListUsers(ctx, env.AgencyAdmin(), c.ID, tenancyPage())
	require.NoError(t, err)
	assert.Len(t, page.Users, 3, "admin, member and the one pending invitation")
}

func TestCreateConflictsWithAMember(t *testing.T) {
	ctx := context.Background()
	env, c, admin := setup(t)
	m, _ := env.AddUser(t, c.ID, "Ada@Example.com", clientele.RoleMember)
	_, err := env.Invites.Create(ctx, admin, c.ID, "ada@example.com", clientele.RoleAdmin)
	require.ErrorIs(t, err, invite.ErrAlreadyMember)

	_, err = env.Tenancy.Deactivate(ctx, env.AgencyAdmin(), c.ID, m.UserID)
	require.NoError(t, err)
	_, err = env.Invites.Create(ctx, admin, c.ID, "ada@example.com", clientele.RoleAdmin)
	require.ErrorIs(t, err, invite.ErrAlreadyMember, "a deactivated member is reactivated, not re-invited")
}

func TestExpiryAtTheExactBoundary(t *testing.T) {
	ctx := context.Background()
	env, c, admin := setup(t)
	inv, err := env.Invites.Create(ctx, admin, c.ID, "late@example.com", clientele.RoleMember)
	require.NoError(t, err)
	token, err := env.Mailer.TokenTo("late@example.com")
	require.NoError(t, err)

	env.Clock.Set(inv.ExpiresAt.Add(-time.Nanosecond))
	_, err = env.Invites.Lookup(ctx, token)
	require.NoError(t, err)

	env.Clock.Set(inv.ExpiresAt)
	_, err = env.Invites.Lookup(ctx, token)
	require.ErrorIs(t, err, invite.ErrExpired)
	_, err = env.Invites.Accept(ctx, invite.AcceptRequest{Token: token, Name: "Late", Password: pw})
	require.ErrorIs(t, err, invite.ErrExpired)
}

func TestTTLIsConfigurable(t *testing.T) {
	env := clienteletest.New(t)
	_, err := invite.New(env.Store, env.Authorizer, env.Mailer, clienteletest.BaseURL, invite.WithTTL(time.Second))
	require.ErrorIs(t, err, clientele.ErrInvalidArgument)

	svc, err := invite.New(env.Store, env.Authorizer, env.Mailer, clienteletest.BaseURL,
		invite.WithTTL(48*time.Hour), invite.WithClock(env.Clock.Now))
	require.NoError(t, err)
	c := env.NewClient(t, "Globex")
	inv, err := svc.Create(context.Background(), env.AgencyAdmin(), c.ID, "a@example.com", clientele.RoleAdmin)
	require.NoError(t, err)
	assert.Equal(t, env.Clock.Now().Add(48*time.Hour), inv.ExpiresAt)
}

func TestNewValidatesItsArguments(t *testing.T) {
	env := clienteletest.New(t)
	for _, base := range []string{"", "portal.test", "ftp://x.test", "https://", "https://x.test/?q=1"} {
		_, err := invite.New(env.Store, env.Authorizer, env.Mailer, base)
		assert.ErrorIs(t, err, clientele.ErrInvalidArgument, base)
	}
	_, err := invite.New(nil, env.Authorizer, env.Mailer, clienteletest.BaseURL)
	assert.ErrorIs(t, err, clientele.ErrInvalidArgument)
	_, err = invite.New(env.Store, env.Authorizer, env.Mailer, clienteletest.BaseURL, invite.WithClock(nil))
	assert.ErrorIs(t, err, clientele.ErrInvalidArgument)
}

func TestLookupChangesNothing(t *testing.T) {
	ctx := context.Background()
	env, c, admin := setup(t)
	_, err := env.Invites.Create(ctx, admin, c.ID, "scan@example.com", clientele.RoleAdmin)
	require.NoError(t, err)
	token, err := env.Mailer.TokenTo("scan@example.com")
	require.NoError(t, err)
	for range 3 {
		p, err := env.Invites.Lookup(ctx, token)
		require.NoError(t, err)
		assert.Equal(t, clientele.Email("scan@example.com"), p.Email)
		assert.Equal(t, clientele.RoleAdmin, p.Role)
		assert.Equal(t, "Globex", p.ClientName)
		assert.Equal(t, "Acme Agency", p.Branding.Name)
		assert.False(t, p.HasAccount)
	}
	m, err := env.Invites.Accept(ctx, invite.AcceptRequest{Token: token, Name: "Scan", Password: pw})
	require.NoError(t, err)
	assert.Equal(t, clientele.RoleAdmin, m.Role)
}

func TestResendKillsTheOldLinkAndOpensAFreshWindow(t *testing.T) {
	ctx := context.Background()
	env, c, admin := setup(t)
	first, err := env.Invites.Create(ctx, admin, c.ID, "again@example.com", clientele.RoleMember)
	require.NoError(t, err)
	oldToken, err := env.Mailer.TokenTo("again@example.com")
	require.NoError(t, err)

	env.Clock.Advance(8 * 24 * time.Hour) // the first link has expired: resending is how it is revived
	second, err := env.Invites.Resend(ctx, admin, c.ID, first.ID)
	require.NoError(t, err)
	assert.NotEqual(t, first.ID, second.ID)
	assert.Equal(t, env.Clock.Now().Add(invite.DefaultTTL), second.ExpiresAt)
	newToken, err := env.Mailer.TokenTo("again@example.com")
	require.NoError(t, err)
	assert.NotEqual(t, oldToken, newToken)

	_, err = env.Invites.Lookup(ctx, oldToken)
	require.ErrorIs(t, err, invite.ErrReplaced)
	_, err = env.Invites.Resend(ctx, admin, c.ID, first.ID)
	require.ErrorIs(t, err, invite.ErrReplaced)

	_, err = env.Invites.Accept(ctx, invite.AcceptRequest{Token: newToken, Name: "Again", Password: pw})
	require.NoError(t, err)
	_, err = env.Invites.Resend(ctx, admin, c.ID, second.ID)
	require.ErrorIs(t, err, invite.ErrUsed)
}

func TestCancel(t *testing.T) {
	ctx := context.Background()
	env, c, admin := setup(t)
	inv, err := env.Invites.Create(ctx, admin, c.ID, "gone@example.com", clientele.RoleMember)
	require.NoError(t, err)
	token, err := env.Mailer.TokenTo("gone@example.com")
	require.NoError(t, err)

	member := env.Member(t, c.ID)
	require.ErrorIs(t, env.Invites.Cancel(ctx, member, c.ID, inv.ID), rbac.ErrDenied)
	other := env.NewClient(t, "Initech")
	require.ErrorIs(t, env.Invites.Cancel(ctx, env.Admin(t, other.ID), c.ID, inv.ID), clientele.ErrNotFound)
	require.ErrorIs(t, env.Invites.Cancel(ctx, env.AgencyAdmin(), other.ID, inv.ID), clientele.ErrNotFound,
		"an invitation is found only through its own client")

	require.NoError(t, env.Invites.Cancel(ctx, admin, c.ID, inv.ID))
	require.ErrorIs(t, env.Invites.Cancel(ctx, admin, c.ID, inv.ID), invite.ErrCancelled)
	_, err = env.Invites.Lookup(ctx, token)
	require.ErrorIs(t, err, invite.ErrCancelled)
	_, err = env.Invites.Accept(ctx, invite.AcceptRequest{Token: token, Name: "Gone", Password: pw})
	require.ErrorIs(t, err, invite.ErrCancelled)
	_, err = env.Invites.Resend(ctx, admin, c.ID, inv.ID)
	require.ErrorIs(t, err, invite.ErrCancelled)

	_, err = env.Invites.Create(ctx, admin, c.ID, "gone@example.com", clientele.RoleMember)
	require.NoError(t, err, "a cancelled invitation does not block a new one")
}

func TestAcceptWorksOnce(t *testing.T) {
	ctx := context.Background()
	env, c, admin := setup(t)
	_, err := env.Invites.Create(ctx, admin, c.ID, "once@example.com", clientele.RoleAdmin)
	require.NoError(t, err)
	token, err := env.Mailer.TokenTo("once@example.com")
	require.NoError(t, err)

	m, err := env.Invites.Accept(ctx, invite.AcceptRequest{Token: token, Name: "  Once  ", Password: pw})
	require.NoError(t, err)
	assert.Equal(t, "Once", m.Name)
	assert.Equal(t, clientele.Email("once@example.com"), m.Email)
	assert.Equal(t, clientele.StatusActive, m.Status)
	assert.Equal(t, c.ID, m.ClientID)

	id, hash, err := env.Store.PasswordHash(ctx, env.Agency.ID, "once@example.com")
	require.NoError(t, err)
	assert.Equal(t, m.UserID, id)
	assert.NotContains(t, hash, pw)
	hasher, err := password.New(password.WithParams(password.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}))
	require.NoError(t, err)
	_, err = hasher.Verify(ctx, pw, hash)
	require.NoError(t, err, "the stored hash verifies the chosen password")

	_, err = env.Invites.Accept(ctx, invite.AcceptRequest{Token: token, Name: "Twice", Password: pw})
	require.ErrorIs(t, err, invite.ErrUsed)
	_, err = env.Invites.Lookup(ctx, token)
	require.ErrorIs(t, err, invite.ErrUsed)
}

func TestAcceptRejectsBadSetupAndKeepsTheLink(t *testing.T) {
	ctx := context.Background()
	env, c, admin := setup(t)
	_, err := env.Invites.Create(ctx, admin, c.ID, "weak@example.com", clientele.RoleMember)
	require.NoError(t, err)
	token, err := env.Mailer.TokenTo("weak@example.com")
	require.NoError(t, err)
	// Another valid last character (it carries 4 bits: A, E, I, ..., 8):
	// appending a fixed one would give the same token back one time in 16.
	tampered := token[:42] + map[bool]string{true: "Q", false: "A"}[token[42] == 'A']

	tests := []struct {
		name string
		req  invite.AcceptRequest
		want error
	}{
		{"short password", invite.AcceptRequest{Token: token, Name: "Weak", Password: "1234567"}, password.ErrWeakPassword},
		{"empty name", invite.AcceptRequest{Token: token, Name: "  ", Password: pw}, clientele.ErrInvalidArgument},
		{"control characters in name", invite.AcceptRequest{Token: token, Name: "a\x00b", Password: pw}, clientele.ErrInvalidArgument},
		{"tampered token", invite.AcceptRequest{Token: tampered, Name: "Weak", Password: pw}, invite.ErrUnknownToken},
		{"empty token", invite.AcceptRequest{Name: "Weak", Password: pw}, invite.ErrUnknownToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := env.Invites.Accept(ctx, tt.req)
			require.ErrorIs(t, err, tt.want)
		})
	}
	_, _, err = env.Store.PasswordHash(ctx, env.Agency.ID, "weak@example.com")
	require.ErrorIs(t, err, clientele.ErrNotFound, "no user was written")
	_, err = env.Invites.Accept(ctx, invite.AcceptRequest{Token: token, Name: "Weak", Password: pw})
	require.NoError(t, err, "the link still works after refused attempts")
}

func TestAcceptByAnExistingUserKeepsItsCredentials(t *testing.T) {
	ctx := context.Background()
	env, c, _ := setup(t)
	first, _ := env.AddUser(t, c.ID, "both@example.com", clientele.RoleAdmin)
	_, before, err := env.Store.PasswordHash(ctx, env.Agency.ID, "both@example.com")
	require.NoError(t, err)

	other := env.NewClient(t, "Initech")
	_, err = env.Invites.Create(ctx, env.AgencyAdmin(), other.ID, "both@example.com", clientele.RoleMember)
	require.NoError(t, err)
	token, err := env.Mailer.TokenTo("both@example.com")
	require.NoError(t, err)
	p, err := env.Invites.Lookup(ctx, token)
	require.NoError(t, err)
	assert.True(t, p.HasAccount)

	// A link is not a sign-in: without proof that the caller is that
	// account, nothing changes and the link keeps working.
	for _, account := range []clientele.UserID{"", "usr_someoneelse"} {
		_, err = env.Invites.Accept(ctx, invite.AcceptRequest{Token: token, Name: "Someone Else", Password: "another password",
			Account: account})
		require.ErrorIs(t, err, invite.ErrSignInRequired, "proving %q", account)
	}
	_, err = env.Tenancy.Member(ctx, env.AgencyAdmin(), other.ID, first.UserID)
	require.ErrorIs(t, err, clientele.ErrNotFound, "no membership without proof")

	second, err := env.Invites.Accept(ctx, invite.AcceptRequest{Token: token, Name: "Someone Else", Password: "another password",
		Account: first.UserID})
	require.NoError(t, err)
	assert.Equal(t, first.UserID, second.UserID)
	assert.Equal(t, first.Name, second.Name)
	assert.Equal(t, clientele.RoleMember, second.Role)
	_, after, err := env.Store.PasswordHash(ctx, env.Agency.ID, "both@example.com")
	require.NoError(t, err)
	assert.Equal(t, before, after)

	stillAdmin, err := env.Tenancy.Member(ctx, env.AgencyAdmin(), c.ID, first.UserID)
	require.NoError(t, err)
	assert.Equal(t, clientele.RoleAdmin, stillAdmin.Role, "the role in the first client is its own")
}

func TestConcurrentAcceptHasOneWinner(t *testing.T) {
	ctx := context.Background()
	env, c, admin := setup(t)
	_, err := env.Invites.Create(ctx, admin, c.ID, "race@example.com", clientele.RoleMember)
	require.NoError(t, err)
	token, err := env.Mailer.TokenTo("race@example.com")
	require.NoError(t, err)

	const n = 32
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			_, errs[i] = env.Invites.Accept(ctx, invite.AcceptRequest{Token: token, Name: "Racer", Password: pw})
		})
	}
	wg.Wait()
	wins := 0
	for _, err := range errs {
		if err == nil {
			wins++
			continue
		}
		assert.ErrorIs(t, err, invite.ErrUsed)
	}
	assert.Equal(t, 1, wins)
	page, err := env.Tenancy.ListUsers(ctx, env.AgencyAdmin(), c.ID, tenancyPage())
	require.NoError(t, err)
	assert.Len(t, page.Users, 2, "the admin and one new member")
}

func TestMailFailureKeepsTheInvitationForAResend(t *testing.T) {
	ctx := context.Background()
	env, c, admin := setup(t)
	env.Mailer.SetFailure(errors.New("smtp down"))
	inv, err := env.Invites.Create(ctx, admin, c.ID, "later@example.com", clientele.RoleMember)
	require.ErrorIs(t, err, invite.ErrNotDelivered)
	assert.Equal(t, clientele.InvitationPending, inv.Status)

	env.Mailer.SetFailure(nil)
	_, err = env.Invites.Resend(ctx, admin, c.ID, inv.ID)
	require.NoError(t, err)
	token, err := env.Mailer.TokenTo("later@example.com")
	require.NoError(t, err)
	_, err = env.Invites.Accept(ctx, invite.AcceptRequest{Token: token, Name: "Later", Password: pw})
	require.NoError(t, err)
}

func TestHashToken(t *testing.T) {
	valid := "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	tests := []struct {
		name  string
		token string
		ok    bool
	}{
		{"valid", valid, true},
		{"empty", "", false},
		{"short", valid[:42], false},
		{"long", valid + "A", false},
		{"padded", valid[:42] + "=", false},
		{"standard alphabet", valid[:42] + "+", false},
		{"non-canonical last char", valid[:42] + "B", false},
		{"path traversal", "../../../../../../../../../../../etc/passwd", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := invite.HashToken(tt.token)
			if tt.ok {
				require.NoError(t, err)
				assert.Len(t, h, sha256.Size)
				return
			}
			require.ErrorIs(t, err, invite.ErrUnknownToken)
		})
	}
}

func FuzzHashToken(f *testing.F) {
	f.Add("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
	f.Add("")
	f.Add("\x00\xff")
	f.Fuzz(func(t *testing.T, s string) {
		h, err := invite.HashToken(s)
		if err != nil {
			require.ErrorIs(t, err, invite.ErrUnknownToken)
			return
		}
		require.Len(t, s, invite.TokenLength)
		require.Len(t, h, sha256.Size)
	})
}
