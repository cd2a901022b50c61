package tenancy_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/clienteletest"
	"github.com/clientele/clientele/invite"
	"github.com/clientele/clientele/rbac"
	"github.com/clientele/clientele/tenancy"
)

// secondAgency creates another agency in env's store and returns its admin.
func secondAgency(t *testing.T, env *clienteletest.Env, b clientele.Branding) (clientele.Agency, clientele.Principal) {
	t.Helper()
	a, err := env.Tenancy.CreateAgency(t.Context(), b)
	require.NoError(t, err)
	return a, clientele.AgencyAdmin(a.ID)
}

// allUsers walks every page of the client's user list with limit.
func allUsers(t *testing.T, env *clienteletest.Env, p clientele.Principal, client clientele.ClientID, limit int) []tenancy.Entry {
	t.Helper()
	return allPages(t, limit, func(cursor string) ([]tenancy.Entry, string, error) {
		page, err := env.Tenancy.ListUsers(t.Context(), p, client, tenancy.Page{Limit: limit, Cursor: cursor})
		return page.Users, page.Next, err
	})
}

// allPages follows next cursors from the first page until the last, each
// page at most limit long.
func allPages[T any](t *testing.T, limit int, fetch func(cursor string) ([]T, string, error)) []T {
	t.Helper()
	var out []T
	cursor := ""
	for range 1000 {
		items, next, err := fetch(cursor)
		require.NoError(t, err)
		require.LessOrEqual(t, len(items), limit)
		out = append(out, items...)
		if next == "" {
			return out
		}
		cursor = next
	}
	require.FailNow(t, "pagination does not end")
	return nil
}

func emails(es []tenancy.Entry) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = string(e.Email)
	}
	return out
}

func entryByEmail(t *testing.T, es []tenancy.Entry, email string) tenancy.Entry {
	t.Helper()
	for _, e := range es {
		if string(e.Email) == email {
			return e
		}
	}
	require.FailNow(t, "no entry", email)
	return tenancy.Entry{}
}

func TestNew(t *testing.T) {
	env := clienteletest.New(t)
	_, err := tenancy.New(nil, env.Authorizer)
	assert.ErrorIs(t, err, clientele.ErrInvalidArgument)
	_, err = tenancy.New(env.Store, nil)
	assert.ErrorIs(t, err, clientele.ErrInvalidArgument)
	_, err = tenancy.New(env.Store, env.Authorizer, tenancy.WithClock(nil))
	assert.ErrorIs(t, err, clientele.ErrInvalidArgument)
	_, err = tenancy.New(env.Store, env.Authorizer, tenancy.WithLogger(nil))
	assert.ErrorIs(t, err, clientele.ErrInvalidArgument)
}

func TestCreateClient(t *testing.T) {
	env := clienteletest.New(t)
	ctx := t.Context()

	c, err := env.Tenancy.CreateClient(ctx, env.AgencyAdmin(), "  Globex Corp ")
	require.NoError(t, err)
	assert.Equal(t, "Globex Corp", c.Name)
	assert.Equal(t, env.Agency.ID, c.AgencyID)
	assert.True(t, clientele.ValidID(string(c.ID)))
	assert.Empty(t, c.Permissions)
	assert.Equal(t, env.Clock.Now(), c.CreatedAt)

	got, err := env.Tenancy.Client(ctx, env.AgencyAdmin(), c.ID)
	require.NoError(t, err)
	assert.Equal(t, c.ID, got.ID)
	assert.Equal(t, c.Name, got.Name)

	admin := env.Admin(t, c.ID)
	member := env.Member(t, c.ID)
	tests := []struct {
		name    string
		p       clientele.Principal
		clName  string
		wantErr error
	}{
		{"client admin", admin, "Initech", rbac.ErrDenied},
		{"client member", member, "Initech", rbac.ErrDenied},
		{"zero principal", clientele.Principal{}, "Initech", clientele.ErrUnauthenticated},
		{"malformed principal", clientele.Principal{Kind: clientele.KindAgencyAdmin}, "Initech", clientele.ErrUnauthenticated},
		{"empty name", env.AgencyAdmin(), "", clientele.ErrInvalidArgument},
		{"blank name", env.AgencyAdmin(), "   ", clientele.ErrInvalidArgument},
		{"control character", env.AgencyAdmin(), "Init\nech", clientele.ErrInvalidArgument},
		{"name too long", env.AgencyAdmin(), strings.Repeat("x", 101), clientele.ErrInvalidArgument},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := env.Tenancy.CreateClient(ctx, tt.p, tt.clName)
			require.ErrorIs(t, err, tt.wantErr)
			assert.Zero(t, got)
		})
	}

	page, err := env.Tenancy.ListClients(ctx, env.AgencyAdmin(), tenancy.Page{})
	require.NoError(t, err)
	require.Len(t, page.Clients, 1, "a refused creation stores nothing")
}

func TestClient(t *testing.T) {
	env := clienteletest.New(t)
	ctx := t.Context()
	a := env.NewClient(t, "Globex", clientele.PermViewReports)
	b := env.NewClient(t, "Initech")
	adminA := env.Admin(t, a.ID)
	memberA := env.Member(t, a.ID)
	adminB := env.Admin(t, b.ID)

	for name, p := range map[string]clientele.Principal{"agency admin": env.AgencyAdmin(), "own admin": adminA, "own member": memberA} {
		t.Run(name, func(t *testing.T) {
			got, err := env.Tenancy.Client(ctx, p, a.ID)
			require.NoError(t, err)
			assert.Equal(t, a.ID, got.ID)
			assert.Equal(t, "Globex", got.Name)
			assert.Equal(t, clientele.PermissionSet{clientele.PermViewReports}, got.Permissions)
		})
	}

	_, err := env.Tenancy.Client(ctx, adminB, a.ID)
	assert.ErrorIs(t, err, clientele.ErrNotFound, "another client's user")
	_, err = env.Tenancy.Client(ctx, env.AgencyAdmin(), "cli_doesnotexist")
	assert.ErrorIs(t, err, clientele.ErrNotFound, "unknown id")
	_, err = env.Tenancy.Client(ctx, env.AgencyAdmin(), "CLI/../x")
	assert.ErrorIs(t, err, clientele.ErrNotFound, "malformed id")
	_, err = env.Tenancy.Client(ctx, env.AgencyAdmin(), "")
	assert.ErrorIs(t, err, clientele.ErrMissingScope)
	_, err = env.Tenancy.Client(ctx, clientele.Principal{}, a.ID)
	assert.ErrorIs(t, err, clientele.ErrUnauthenticated)
}

func TestListClientsPagination(t *testing.T) {
	env := clienteletest.New(t)
	ctx := t.Context()
	// Two clients share a name so that the id breaks the tie, across a page
	// boundary.
	for _, name := range []string{"Delta", "Alpha", "Bravo", "Charlie", "Bravo"} {
		env.NewClient(t, name)
	}
	other, otherAdmin := secondAgency(t, env, clientele.Branding{Name: "Other Agency"})
	_, err := env.Tenancy.CreateClient(ctx, otherAdmin, "Aardvark")
	require.NoError(t, err)

	var got []clientele.Client
	var sizes []int
	cursor := ""
	for range 10 {
		page, err := env.Tenancy.ListClients(ctx, env.AgencyAdmin(), tenancy.Page{Limit: 2, Cursor: cursor})
		require.NoError(t, err)
		sizes = append(sizes, len(page.Clients))
		got = append(got, page.Clients...)
		if page.Next == "" {
			break
		}
		cursor = page.Next
	}
	assert.Equal(t, []int{2, 2, 1}, sizes)

	var names []string
	seen := map[clientele.ClientID]bool{}
	for _, c := range got {
		names = append(names, c.Name)
		assert.Equal(t, env.Agency.ID, c.AgencyID, "another agency's client listed")
		assert.False(t, seen[c.ID], "duplicate %s", c.ID)
		seen[c.ID] = true
	}
	assert.Equal(t, []string{"Alpha", "Bravo", "Bravo", "Charlie", "Delta"}, names)
	assert.Less(t, got[1].ID, got[2].ID, "ties are ordered by id")

	all, err := env.Tenancy.ListClients(ctx, env.AgencyAdmin(), tenancy.Page{})
	require.NoError(t, err)
	assert.Len(t, all.Clients, 5)
	assert.Empty(t, all.Next)

	otherList, err := env.Tenancy.ListClients(ctx, otherAdmin, tenancy.Page{})
	require.NoError(t, err)
	require.Len(t, otherList.Clients, 1)
	assert.Equal(t, other.ID, otherList.Clients[0].AgencyID)

	for _, limit := range []int{-1, tenancy.MaxLimit + 1} {
		_, err := env.Tenancy.ListClients(ctx, env.AgencyAdmin(), tenancy.Page{Limit: limit})
		assert.ErrorIs(t, err, clientele.ErrInvalidArgument, "limit %d", limit)
	}
	_, err = env.Tenancy.ListClients(ctx, env.AgencyAdmin(), tenancy.Page{Cursor: "not a cursor"})
	assert.ErrorIs(t, err, clientele.ErrInvalidArgument)

	admin := env.Admin(t, got[0].ID)
	_, err = env.Tenancy.ListClients(ctx, admin, tenancy.Page{})
	assert.ErrorIs(t, err, rbac.ErrDenied)
	_, err = env.Tenancy.ListClients(ctx, clientele.Principal{}, tenancy.Page{})
	assert.ErrorIs(t, err, clientele.ErrUnauthenticated)
}

func TestSetPermissions(t *testing.T) {
	env := clienteletest.New(t)
	ctx := t.Context()
	c := env.NewClient(t, "Globex", clientele.PermViewReports)

	got, err := env.Tenancy.SetPermissions(ctx, env.AgencyAdmin(), c.ID,
		[]clientele.Permission{clientele.PermViewReports, clientele.PermExportData, clientele.PermViewReports})
	require.NoError(t, err)
	want := clientele.PermissionSet{clientele.PermExportData, clientele.PermViewReports}
	assert.Equal(t, want, got.Permissions)

	admin := env.Admin(t, c.ID)
	member := env.Member(t, c.ID)
	tests := []struct {
		name    string
		p       clientele.Principal
		perms   []clientele.Permission
		wantErr error
	}{
		{"unknown permission", env.AgencyAdmin(), []clientele.Permission{clientele.PermManageBilling, "sso"}, tenancy.ErrUnknownPermission},
		{"invalid syntax", env.AgencyAdmin(), []clientele.Permission{"Manage Billing"}, tenancy.ErrUnknownPermission},
		{"empty name", env.AgencyAdmin(), []clientele.Permission{""}, tenancy.ErrUnknownPermission},
		{"client admin", admin, []clientele.Permission{clientele.PermManageBilling}, rbac.ErrDenied},
		{"client member", member, []clientele.Permission{clientele.PermManageBilling}, rbac.ErrDenied},
		{"zero principal", clientele.Principal{}, []clientele.Permission{clientele.PermManageBilling}, clientele.ErrUnauthenticated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := env.Tenancy.SetPermissions(ctx, tt.p, c.ID, tt.perms)
			require.ErrorIs(t, err, tt.wantErr)
			now, err := env.Tenancy.Client(ctx, env.AgencyAdmin(), c.ID)
			require.NoError(t, err)
			assert.Equal(t, want, now.Permissions, "nothing changes")
		})
	}

	cleared, err := env.Tenancy.SetPermissions(ctx, env.AgencyAdmin(), c.ID, nil)
	require.NoError(t, err)
	assert.Empty(t, cleared.Permissions)
}

func TestSetBranding(t *testing.T) {
	env := clienteletest.New(t)
	ctx := t.Context()
	c := env.NewClient(t, "Globex")
	admin := env.Admin(t, c.ID)

	a, err := env.Tenancy.SetBranding(ctx, env.AgencyAdmin(), clientele.Branding{
		Name: " Acme ", LogoURL: "https://cdn.acme.example/logo.png", PrimaryColor: "#AABBCC", CustomDomain: "Portal.Acme.Example.",
	})
	require.NoError(t, err)
	want := clientele.Branding{Name: "Acme", LogoURL: "https://cdn.acme.example/logo.png", PrimaryColor: "#aabbcc", CustomDomain: "portal.acme.example"}
	assert.Equal(t, want, a.Branding)
	assert.Equal(t, env.Agency.ID, a.ID)

	// Any principal of the agency reads the branding.
	read, err := env.Tenancy.Agency(ctx, admin)
	require.NoError(t, err)
	assert.Equal(t, want, read.Branding)

	_, otherAdmin := secondAgency(t, env, clientele.Branding{Name: "Other", CustomDomain: "portal.other.example"})
	tests := []struct {
		name    string
		p       clientele.Principal
		b       clientele.Branding
		wantErr error
	}{
		{"invalid color", env.AgencyAdmin(), clientele.Branding{Name: "Acme", PrimaryColor: "teal"}, clientele.ErrInvalidArgument},
		{"empty name", env.AgencyAdmin(), clientele.Branding{}, clientele.ErrInvalidArgument},
		{"javascript logo", env.AgencyAdmin(), clientele.Branding{Name: "Acme", LogoURL: "javascript:alert(1)"}, clientele.ErrInvalidArgument},
		{"domain of another agency", env.AgencyAdmin(), clientele.Branding{Name: "Acme", CustomDomain: "PORTAL.other.example."}, clientele.ErrDuplicate},
		{"client admin", admin, clientele.Branding{Name: "Hacked"}, rbac.ErrDenied},
		{"zero principal", clientele.Principal{}, clientele.Branding{Name: "Hacked"}, clientele.ErrUnauthenticated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := env.Tenancy.SetBranding(ctx, tt.p, tt.b)
			require.ErrorIs(t, err, tt.wantErr)
			now, err := env.Tenancy.Agency(ctx, env.AgencyAdmin())
			require.NoError(t, err)
			assert.Equal(t, want, now.Branding, "nothing changes")
		})
	}

	// The other agency's domain is still its own.
	got, err := env.Tenancy.PortalByHost(ctx, "portal.other.example")
	require.NoError(t, err)
	assert.Equal(t, otherAdmin.AgencyID, got.ID)

	// A new agency cannot take a held domain either.
	_, err = env.Tenancy.CreateAgency(ctx, clientele.Branding{Name: "Copycat", CustomDomain: "portal.acme.example"})
	assert.ErrorIs(t, err, clientele.ErrDuplicate)

	// Moving to another domain frees the old one.
	_, err = env.Tenancy.SetBranding(ctx, env.AgencyAdmin(), clientele.Branding{Name: "Acme", CustomDomain: "clients.acme.example"})
	require.NoError(t, err)
	_, err = env.Tenancy.PortalByHost(ctx, "portal.acme.example")
	assert.ErrorIs(t, err, clientele.ErrNotFound)
	got, err = env.Tenancy.PortalByHost(ctx, "clients.acme.example")
	require.NoError(t, err)
	assert.Equal(t, env.Agency.ID, got.ID)
}

func TestPortalByHost(t *testing.T) {
	env := clienteletest.New(t)
	ctx := t.Context()
	_, err := env.Tenancy.SetBranding(ctx, env.AgencyAdmin(), clientele.Branding{Name: "Acme", CustomDomain: "portal.example.com"})
	require.NoError(t, err)
	secondAgency(t, env, clientele.Branding{Name: "Other", CustomDomain: "portal.other.example"})

	for _, host := range []string{"Portal.Example.COM:8443", "portal.example.com", "PORTAL.EXAMPLE.COM", "portal.example.com.", "portal.example.com:443"} {
		t.Run("found/"+host, func(t *testing.T) {
			a, err := env.Tenancy.PortalByHost(ctx, host)
			require.NoError(t, err)
			assert.Equal(t, env.Agency.ID, a.ID)
			assert.Equal(t, "portal.example.com", a.Branding.CustomDomain)
		})
	}
	for _, host := range []string{
		"", "unknown.example.com", "example.com", "evil-portal.example.com", "127.0.0.1:80", "127.0.0.1",
		"[::1]:443", "[::1]", "::1", "portal.example.com:80:80", "http://portal.example.com", "portal example.com",
		"portal.example.com/", "%70ortal.example.com", "\x00", ":", "localhost",
	} {
		t.Run("not found/"+host, func(t *testing.T) {
			a, err := env.Tenancy.PortalByHost(ctx, host)
			require.ErrorIs(t, err, clientele.ErrNotFound)
			assert.Zero(t, a)
		})
	}
}

func TestListUsers(t *testing.T) {
	env := clienteletest.New(t)
	ctx := t.Context()
	c := env.NewClient(t, "Globex")
	other := env.NewClient(t, "Initech")
	_, adminP := env.AddUser(t, c.ID, "carol@example.com", clientele.RoleAdmin)
	_, memberP := env.AddUser(t, c.ID, "alice@example.com", clientele.RoleMember)
	env.AddUser(t, other.ID, "aaron@example.com", clientele.RoleAdmin)
	env.Clock.Advance(time.Hour)
	inv, err := env.Invites.Create(ctx, env.AgencyAdmin(), c.ID, "bob@example.com", clientele.RoleMember)
	require.NoError(t, err)
	_, err = env.Invites.Create(ctx, env.AgencyAdmin(), other.ID, "abe@example.com", clientele.RoleMember)
	require.NoError(t, err)

	for name, p := range map[string]clientele.Principal{"agency admin": env.AgencyAdmin(), "admin": adminP, "member": memberP} {
		t.Run(name, func(t *testing.T) {
			page, err := env.Tenancy.ListUsers(ctx, p, c.ID, tenancy.Page{})
			require.NoError(t, err)
			assert.Empty(t, page.Next)
			require.Equal(t, []string{"alice@example.com", "bob@example.com", "carol@example.com"}, emails(page.Users))

			alice := page.Users[0]
			assert.Equal(t, string(memberP.UserID), alice.ID)
			assert.Equal(t, "User alice@example.com", alice.Name)
			assert.Equal(t, clientele.RoleMember, alice.Role)
			assert.Equal(t, tenancy.EntryActive, alice.Status)
			assert.Nil(t, alice.LastActiveAt)
			assert.Nil(t, alice.ExpiresAt)

			bob := page.Users[1]
			assert.Equal(t, string(inv.ID), bob.ID)
			assert.Empty(t, bob.Name)
			assert.Equal(t, clientele.RoleMember, bob.Role)
			assert.Equal(t, tenancy.EntryPending, bob.Status)
			require.NotNil(t, bob.ExpiresAt)
			assert.Equal(t, env.Clock.Now().Add(invite.DefaultTTL), *bob.ExpiresAt)
			assert.Equal(t, inv.ExpiresAt, *bob.ExpiresAt)

			carol := page.Users[2]
			assert.Equal(t, string(adminP.UserID), carol.ID)
			assert.Equal(t, clientele.RoleAdmin, carol.Role)
			assert.Equal(t, tenancy.EntryActive, carol.Status)
		})
	}

	t.Run("pagination", func(t *testing.T) {
		for _, limit := range []int{1, 2, 3, 4, tenancy.MaxLimit} {
			got := allUsers(t, env, env.AgencyAdmin(), c.ID, limit)
			assert.Equal(t, []string{"alice@example.com", "bob@example.com", "carol@example.com"}, emails(got), "limit %d", limit)
		}
		first, err := env.Tenancy.ListUsers(ctx, env.AgencyAdmin(), c.ID, tenancy.Page{Limit: 2})
		require.NoError(t, err)
		require.NotEmpty(t, first.Next)
		second, err := env.Tenancy.ListUsers(ctx, env.AgencyAdmin(), c.ID, tenancy.Page{Limit: 2, Cursor: first.Next})
		require.NoError(t, err)
		assert.Equal(t, []string{"carol@example.com"}, emails(second.Users))
		assert.Empty(t, second.Next)
	})

	t.Run("bad page", func(t *testing.T) {
		badCursors := []string{
			"!!!", "not base64", "e30", // {}
			tenancy.EncodeCursor(tenancy.Key{Sort: "a@example.com", ID: "usr_1"}) + "=",
			"WyJhIl0", // ["a"]
			strings.Repeat("A", 2000),
		}
		for _, cursor := range badCursors {
			_, err := env.Tenancy.ListUsers(ctx, env.AgencyAdmin(), c.ID, tenancy.Page{Cursor: cursor})
			assert.ErrorIs(t, err, clientele.ErrInvalidArgument, "cursor %q", cursor)
		}
		for _, limit := range []int{-1, tenancy.MaxLimit + 1} {
			_, err := env.Tenancy.ListUsers(ctx, env.AgencyAdmin(), c.ID, tenancy.Page{Limit: limit})
			assert.ErrorIs(t, err, clientele.ErrInvalidArgument, "limit %d", limit)
		}
	})

	t.Run("expired invitation is not listed", func(t *testing.T) {
		env.Clock.Advance(8 * 24 * time.Hour)
		page, err := env.Tenancy.ListUsers(ctx, env.AgencyAdmin(), c.ID, tenancy.Page{})
		require.NoError(t, err)
		assert.Equal(t, []string{"alice@example.com", "carol@example.com"}, emails(page.Users))
	})
}

func TestListUsersInvitationExpiryBoundary(t *testing.T) {
	env := clienteletest.New(t)
	ctx := t.Context()
	c := env.NewClient(t, "Globex")
	inv, err := env.Invites.Create(ctx, env.AgencyAdmin(), c.ID, "bob@example.com", clientele.RoleMember)
	require.NoError(t, err)

	env.Clock.Set(inv.ExpiresAt.Add(-time.Nanosecond))
	page, err := env.Tenancy.ListUsers(ctx, env.AgencyAdmin(), c.ID, tenancy.Page{})
	require.NoError(t, err)
	assert.Equal(t, []string{"bob@example.com"}, emails(page.Users), "pending until its expiry")

	env.Clock.Set(inv.ExpiresAt)
	page, err = env.Tenancy.ListUsers(ctx, env.AgencyAdmin(), c.ID, tenancy.Page{})
	require.NoError(t, err)
	assert.Empty(t, page.Users, "expired from its expiry on")
}

func TestMember(t *testing.T) {
	env := clienteletest.New(t)
	ctx := t.Context()
	c := env.NewClient(t, "Globex")
	m, p := env.AddUser(t, c.ID, "ada@example.com", clientele.RoleMember)

	got, err := env.Tenancy.Member(ctx, p, c.ID, m.UserID)
	require.NoError(t, err)
	assert.Equal(t, clientele.Email("ada@example.com"), got.Email)
	assert.Equal(t, "User ada@example.com", got.Name)
	assert.Equal(t, clientele.RoleMember, got.Role)
	assert.Equal(t, clientele.StatusActive, got.Status)
	assert.Equal(t, c.ID, got.ClientID)

	for _, user := range []clientele.UserID{"usr_unknown", "USR!", ""} {
		_, err := env.Tenancy.Member(ctx, env.AgencyAdmin(), c.ID, user)
		assert.ErrorIs(t, err, clientele.ErrNotFound, "user %q", user)
	}
}

func TestChangeRole(t *testing.T) {
	env := clienteletest.New(t)
	ctx := t.Context()
	c := env.NewClient(t, "Globex")
	admin, adminP := env.AddUser(t, c.ID, "admin@example.com", clientele.RoleAdmin)
	member, memberP := env.AddUser(t, c.ID, "member@example.com", clientele.RoleMember)

	t.Run("member cannot change roles", func(t *testing.T) {
		for _, target := range []clientele.UserID{member.UserID, admin.UserID} {
			_, err := env.Tenancy.ChangeRole(ctx, memberP, c.ID, target, clientele.RoleAdmin)
			require.ErrorIs(t, err, rbac.ErrDenied)
		}
		got, err := env.Tenancy.Member(ctx, env.AgencyAdmin(), c.ID, member.UserID)
		require.NoError(t, err)
		assert.Equal(t, clientele.RoleMember, got.Role)
	})

	t.Run("invalid role", func(t *testing.T) {
		for _, role := range []clientele.Role{"", "owner", "Admin"} {
			_, err := env.Tenancy.ChangeRole(ctx, adminP, c.ID, member.UserID, role)
			require.ErrorIs(t, err, clientele.ErrInvalidRole, "role %q", role)
		}
	})

	t.Run("unknown user", func(t *testing.T) {
		_, err := env.Tenancy.ChangeRole(ctx, adminP, c.ID, "usr_unknown", clientele.RoleAdmin)
		require.ErrorIs(t, err, clientele.ErrNotFound)
	})

	t.Run("the only admin cannot demote itself", func(t *testing.T) {
		_, err := env.Tenancy.ChangeRole(ctx, adminP, c.ID, admin.UserID, clientele.RoleMember)
		require.ErrorIs(t, err, tenancy.ErrLastAdmin)
		got, err := env.Tenancy.Member(ctx, env.AgencyAdmin(), c.ID, admin.UserID)
		require.NoError(t, err)
		assert.Equal(t, clientele.RoleAdmin, got.Role, "unchanged")
	})

	t.Run("admin promotes a member", func(t *testing.T) {
		got, err := env.Tenancy.ChangeRole(ctx, adminP, c.ID, member.UserID, clientele.RoleAdmin)
		require.NoError(t, err)
		assert.Equal(t, clientele.RoleAdmin, got.Role)
		assert.Equal(t, member.UserID, got.UserID)

		stored, err := env.Tenancy.Member(ctx, env.AgencyAdmin(), c.ID, member.UserID)
		require.NoError(t, err)
		assert.Equal(t, clientele.RoleAdmin, stored.Role)

		// The next request resolves the new role, which may invite.
		next := env.Principal(stored)
		assert.Equal(t, clientele.RoleAdmin, next.Role)
		_, err = env.Invites.Create(ctx, next, c.ID, "new@example.com", clientele.RoleMember)
		require.NoError(t, err)
	})

	t.Run("with a second admin, an admin may demote itself", func(t *testing.T) {
		got, err := env.Tenancy.ChangeRole(ctx, adminP, c.ID, admin.UserID, clientele.RoleMember)
		require.NoError(t, err)
		assert.Equal(t, clientele.RoleMember, got.Role)
	})

	t.Run("a deactivated admin does not count", func(t *testing.T) {
		// admin is a Member now; member is the only Admin. Make admin an
		// Admin again, deactivate it, and the active one is the last.
		_, err := env.Tenancy.ChangeRole(ctx, env.AgencyAdmin(), c.ID, admin.UserID, clientele.RoleAdmin)
		require.NoError(t, err)
		_, err = env.Tenancy.Deactivate(ctx, env.AgencyAdmin(), c.ID, admin.UserID)
		require.NoError(t, err)
		promoted := env.Principal(clientele.Member{Membership: clientele.Membership{ClientID: c.ID, UserID: member.UserID, Role: clientele.RoleAdmin}})
		_, err = env.Tenancy.ChangeRole(ctx, promoted, c.ID, member.UserID, clientele.RoleMember)
		require.ErrorIs(t, err, tenancy.ErrLastAdmin)
	})

	t.Run("the agency may demote the last admin", func(t *testing.T) {
		got, err := env.Tenancy.ChangeRole(ctx, env.AgencyAdmin(), c.ID, member.UserID, clientele.RoleMember)
		require.NoError(t, err)
		assert.Equal(t, clientele.RoleMember, got.Role)
	})
}

func TestRemove(t *testing.T) {
	env := clienteletest.New(t)
	ctx := t.Context()
	c := env.NewClient(t, "Globex")
	other := env.NewClient(t, "Initech")
	admin, adminP := env.AddUser(t, c.ID, "admin@example.com", clientele.RoleAdmin)
	member, memberP := env.AddUser(t, c.ID, "member@example.com", clientele.RoleMember)
	elsewhere, _ := env.AddUser(t, other.ID, "member@example.com", clientele.RoleAdmin)
	require.Equal(t, member.UserID, elsewhere.UserID, "one user, two memberships")
	sent := len(env.Mailer.Messages())

	t.Run("member cannot remove", func(t *testing.T) {
		for _, target := range []clientele.UserID{admin.UserID, member.UserID} {
			err := env.Tenancy.Remove(ctx, memberP, c.ID, target)
			require.ErrorIs(t, err, rbac.ErrDenied)
		}
	})

	t.Run("the only admin cannot remove itself", func(t *testing.T) {
		err := env.Tenancy.Remove(ctx, adminP, c.ID, admin.UserID)
		require.ErrorIs(t, err, tenancy.ErrLastAdmin)
		_, err = env.Tenancy.Member(ctx, env.AgencyAdmin(), c.ID, admin.UserID)
		require.NoError(t, err, "still a member")
	})

	t.Run("admin removes a member", func(t *testing.T) {
		require.NoError(t, env.Tenancy.Remove(ctx, adminP, c.ID, member.UserID))

		_, err := env.Tenancy.Member(ctx, env.AgencyAdmin(), c.ID, member.UserID)
		require.ErrorIs(t, err, clientele.ErrNotFound)
		assert.Equal(t, []string{"admin@example.com"}, emails(allUsers(t, env, env.AgencyAdmin(), c.ID, 10)))

		kept, err := env.Tenancy.Member(ctx, env.AgencyAdmin(), other.ID, member.UserID)
		require.NoError(t, err, "the membership in another client remains")
		assert.Equal(t, clientele.RoleAdmin, kept.Role)

		err = env.Tenancy.Remove(ctx, adminP, c.ID, member.UserID)
		require.ErrorIs(t, err, clientele.ErrNotFound, "removing twice")
	})

	t.Run("the agency may remove the last admin", func(t *testing.T) {
		require.NoError(t, env.Tenancy.Remove(ctx, env.AgencyAdmin(), c.ID, admin.UserID))
		page, err := env.Tenancy.ListUsers(ctx, env.AgencyAdmin(), c.ID, tenancy.Page{})
		require.NoError(t, err)
		assert.Empty(t, page.Users)
	})

	assert.Len(t, env.Mailer.Messages(), sent, "removal sends no email")
}

func TestRemoveConcurrentAdmins(t *testing.T) {
	env := clienteletest.New(t)
	ctx := t.Context()
	c := env.NewClient(t, "Globex")
	a, aP := env.AddUser(t, c.ID, "a@example.com", clientele.RoleAdmin)
	b, bP := env.AddUser(t, c.ID, "b@example.com", clientele.RoleAdmin)

	// Each admin removes the other at once: exactly one succeeds, so the
	// client keeps an admin.
	var errA, errB error
	var wg sync.WaitGroup
	wg.Go(func() { errA = env.Tenancy.Remove(ctx, aP, c.ID, b.UserID) })
	wg.Go(func() { errB = env.Tenancy.Remove(ctx, bP, c.ID, a.UserID) })
	wg.Wait()

	if errA == nil {
		require.ErrorIs(t, errB, tenancy.ErrLastAdmin)
	} else {
		require.ErrorIs(t, errA, tenancy.ErrLastAdmin)
		require.NoError(t, errB)
	}
	page, err := env.Tenancy.ListUsers(ctx, env.AgencyAdmin(), c.ID, tenancy.Page{})
	require.NoError(t, err)
	require.Len(t, page.Users, 1)
	assert.Equal(t, clientele.RoleAdmin, page.Users[0].Role)
}

func TestDeactivateReactivate(t *testing.T) {
	env := clienteletest.New(t)
	ctx := t.Context()
	c := env.NewClient(t, "Globex")
	admin, adminP := env.AddUser(t, c.ID, "admin@example.com", clientele.RoleAdmin)
	member, memberP := env.AddUser(t, c.ID, "member@example.com", clientele.RoleMember)

	for name, p := range map[string]clientele.Principal{"admin": adminP, "member": memberP} {
		t.Run(name+" cannot", func(t *testing.T) {
			_, err := env.Tenancy.Deactivate(ctx, p, c.ID, member.UserID)
			require.ErrorIs(t, err, rbac.ErrDenied)
			_, err = env.Tenancy.Reactivate(ctx, p, c.ID, member.UserID)
			require.ErrorIs(t, err, rbac.ErrDenied)
			got, err := env.Tenancy.Member(ctx, env.AgencyAdmin(), c.ID, member.UserID)
			require.NoError(t, err)
			assert.Equal(t, clientele.StatusActive, got.Status)
		})
	}

	got, err := env.Tenancy.Deactivate(ctx, env.AgencyAdmin(), c.ID, member.UserID)
	require.NoError(t, err)
	assert.Equal(t, clientele.StatusDeactivated, got.Status)
	entries := allUsers(t, env, env.AgencyAdmin(), c.ID, 10)
	assert.Equal(t, tenancy.EntryDeactivated, entryByEmail(t, entries, "member@example.com").Status, "kept in the list")
	assert.Equal(t, tenancy.EntryActive, entryByEmail(t, entries, "admin@example.com").Status)

	got, err = env.Tenancy.Reactivate(ctx, env.AgencyAdmin(), c.ID, member.UserID)
	require.NoError(t, err)
	assert.Equal(t, clientele.StatusActive, got.Status)
	entries = allUsers(t, env, env.AgencyAdmin(), c.ID, 10)
	assert.Equal(t, tenancy.EntryActive, entryByEmail(t, entries, "member@example.com").Status)

	// The agency is not bound by the last-admin rule.
	got, err = env.Tenancy.Deactivate(ctx, env.AgencyAdmin(), c.ID, admin.UserID)
	require.NoError(t, err)
	assert.Equal(t, clientele.StatusDeactivated, got.Status)

	_, err = env.Tenancy.Deactivate(ctx, env.AgencyAdmin(), c.ID, "usr_unknown")
	assert.ErrorIs(t, err, clientele.ErrNotFound)
}

func TestRecordActivity(t *testing.T) {
	env := clienteletest.New(t)
	ctx := t.Context()
	c := env.NewClient(t, "Globex")
	other := env.NewClient(t, "Initech")
	m, _ := env.AddUser(t, c.ID, "ada@example.com", clientele.RoleMember)
	env.Clock.Advance(90 * time.Minute)

	require.NoError(t, env.Tenancy.RecordActivity(ctx, c.ID, m.UserID))
	got, err := env.Tenancy.Member(ctx, env.AgencyAdmin(), c.ID, m.UserID)
	require.NoError(t, err)
	require.NotNil(t, got.LastActiveAt)
	assert.Equal(t, env.Clock.Now(), *got.LastActiveAt)
	entry := entryByEmail(t, allUsers(t, env, env.AgencyAdmin(), c.ID, 10), "ada@example.com")
	require.NotNil(t, entry.LastActiveAt)
	assert.Equal(t, env.Clock.Now(), *entry.LastActiveAt)

	// A returned time is a copy.
	*got.LastActiveAt = time.Time{}
	again, err := env.Tenancy.Member(ctx, env.AgencyAdmin(), c.ID, m.UserID)
	require.NoError(t, err)
	assert.Equal(t, env.Clock.Now(), *again.LastActiveAt)

	tests := []struct {
		name    string
		client  clientele.ClientID
		user    clientele.UserID
		wantErr error
	}{
		{"empty client", "", m.UserID, clientele.ErrMissingScope},
		{"empty user", c.ID, "", clientele.ErrMissingScope},
		{"both empty", "", "", clientele.ErrMissingScope},
		{"member of another client", other.ID, m.UserID, clientele.ErrNotFound},
		{"unknown user", c.ID, "usr_unknown", clientele.ErrNotFound},
		{"malformed client", "CLI!", m.UserID, clientele.ErrNotFound},
		{"malformed user", c.ID, "USR!", clientele.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.ErrorIs(t, env.Tenancy.RecordActivity(ctx, tt.client, tt.user), tt.wantErr)
		})
	}
}

// clientOp is one client-scoped operation of the service, run by p on
// client against user.
type clientOp struct {
	name string
	run  func(ctx context.Context, s *tenancy.Service, p clientele.Principal, client clientele.ClientID, user clientele.UserID) error
}

var clientOps = []clientOp{
	{"Client", func(ctx context.Context, s *tenancy.Service, p clientele.Principal, c clientele.ClientID, _ clientele.UserID) error {
		_, err := s.Client(ctx, p, c)
		return err
	}},
	{"ListUsers", func(ctx context.Context, s *tenancy.Service, p clientele.Principal, c clientele.ClientID, _ clientele.UserID) error {
		_, err := s.ListUsers(ctx, p, c, tenancy.Page{})
		return err
	}},
	{"Member", func(ctx context.Context, s *tenancy.Service, p clientele.Principal, c clientele.ClientID, u clientele.UserID) error {
		_, err := s.Member(ctx, p, c, u)
		return err
	}},
	{"ChangeRole", func(ctx context.Context, s *tenancy.Service, p clientele.Principal, c clientele.ClientID, u clientele.UserID) error {
		_, err := s.ChangeRole(ctx, p, c, u, clientele.RoleAdmin)
		return err
	}},
	{"Remove", func(ctx context.Context, s *tenancy.Service, p clientele.Principal, c clientele.ClientID, u clientele.UserID) error {
		return s.Remove(ctx, p, c, u)
	}},
	{"SetPermissions", func(ctx context.Context, s *tenancy.Service, p clientele.Principal, c clientele.ClientID, _ clientele.UserID) error {
		_, err := s.SetPermissions(ctx, p, c, []clientele.Permission{clientele.PermManageBilling})
		return err
	}},
	{"Deactivate", func(ctx context.Context, s *tenancy.Service, p clientele.Principal, c clientele.ClientID, u clientele.UserID) error {
		_, err := s.Deactivate(ctx, p, c, u)
		return err
	}},
	{"Reactivate", func(ctx context.Context, s *tenancy.Service, p clientele.Principal, c clientele.ClientID, u clientele.UserID) error {
		_, err := s.Reactivate(ctx, p, c, u)
		return err
	}},
}

func TestIsolation(t *testing.T) {
	env := clienteletest.New(t)
	ctx := t.Context()
	a := env.NewClient(t, "Globex", clientele.PermViewReports)
	b := env.NewClient(t, "Initech")
	adminA, _ := env.AddUser(t, a.ID, "admin@globex.example", clientele.RoleAdmin)
	memberA, _ := env.AddUser(t, a.ID, "member@globex.example", clientele.RoleMember)
	_, err := env.Invites.Create(ctx, env.AgencyAdmin(), a.ID, "pending@globex.example", clientele.RoleMember)
	require.NoError(t, err)
	_, adminB := env.AddUser(t, b.ID, "admin@initech.example", clientele.RoleAdmin)
	_, memberB := env.AddUser(t, b.ID, "member@initech.example", clientele.RoleMember)
	otherAgency, otherAgencyAdmin := secondAgency(t, env, clientele.Branding{Name: "Other Agency"})

	snapshot := func() (clientele.Client, []tenancy.Entry) {
		c, err := env.Tenancy.Client(ctx, env.AgencyAdmin(), a.ID)
		require.NoError(t, err)
		return c, allUsers(t, env, env.AgencyAdmin(), a.ID, tenancy.MaxLimit)
	}
	beforeClient, beforeUsers := snapshot()
	require.Len(t, beforeUsers, 3)

	outsiders := map[string]clientele.Principal{
		"admin of another client":  adminB,
		"member of another client": memberB,
		"admin of another agency":  otherAgencyAdmin,
		// A principal of another agency that claims client A.
		"forged user of another agency": clientele.ClientUser(otherAgency.ID, a.ID, adminA.UserID, clientele.RoleAdmin),
	}
	for who, p := range outsiders {
		for _, op := range clientOps {
			for _, target := range []clientele.UserID{memberA.UserID, adminA.UserID} {
				t.Run(who+"/"+op.name, func(t *testing.T) {
					err := op.run(ctx, env.Tenancy, p, a.ID, target)
					require.ErrorIs(t, err, clientele.ErrNotFound, "A must look unknown, not forbidden")
					assert.NotErrorIs(t, err, rbac.ErrDenied)
				})
			}
		}
	}

	// B's admin names A's users through its own client: they are unknown
	// there. Deactivate is agency-only, so it is denied before the lookup.
	for _, op := range clientOps {
		switch op.name {
		case "Member", "ChangeRole", "Remove":
			err := op.run(ctx, env.Tenancy, adminB, b.ID, memberA.UserID)
			assert.ErrorIs(t, err, clientele.ErrNotFound, op.name)
		case "Deactivate", "Reactivate":
			err := op.run(ctx, env.Tenancy, adminB, b.ID, memberA.UserID)
			assert.ErrorIs(t, err, rbac.ErrDenied, op.name)
		}
	}
	err = env.Tenancy.RecordActivity(ctx, b.ID, memberA.UserID)
	assert.ErrorIs(t, err, clientele.ErrNotFound)

	// The other agency's admin lists none of this agency's clients.
	list, err := env.Tenancy.ListClients(ctx, otherAgencyAdmin, tenancy.Page{})
	require.NoError(t, err)
	assert.Empty(t, list.Clients)

	afterClient, afterUsers := snapshot()
	assert.Equal(t, beforeClient, afterClient, "A's client unchanged")
	assert.Equal(t, beforeUsers, afterUsers, "A's users unchanged")
}

func TestMissingScopeAndPrincipal(t *testing.T) {
	env := clienteletest.New(t)
	ctx := t.Context()
	c := env.NewClient(t, "Globex")
	m, adminP := env.AddUser(t, c.ID, "admin@example.com", clientele.RoleAdmin)

	for _, op := range clientOps {
		t.Run(op.name, func(t *testing.T) {
			for _, p := range []clientele.Principal{env.AgencyAdmin(), adminP} {
				err := op.run(ctx, env.Tenancy, p, "", m.UserID)
				require.ErrorIs(t, err, clientele.ErrMissingScope)
			}
			err := op.run(ctx, env.Tenancy, clientele.Principal{}, c.ID, m.UserID)
			require.ErrorIs(t, err, clientele.ErrUnauthenticated)
			assert.NotErrorIs(t, err, rbac.ErrDenied)
		})
	}
	got, err := env.Tenancy.Member(ctx, env.AgencyAdmin(), c.ID, m.UserID)
	require.NoError(t, err)
	assert.Equal(t, clientele.RoleAdmin, got.Role)
	assert.Equal(t, clientele.StatusActive, got.Status)
}
