package tenancy_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/clienteletest"
	"github.com/clientele/clientele/rbac"
	"github.com/clientele/clientele/tenancy"
)

// allAudit walks every page of a log with limit.
func allAudit(t *testing.T, env *clienteletest.Env, p clientele.Principal, client clientele.ClientID, limit int) []clientele.AuditEvent {
	t.Helper()
	return allPages(t, limit, func(cursor string) ([]clientele.AuditEvent, string, error) {
		page, err := env.Tenancy.ListAudit(t.Context(), p, client, tenancy.Page{Limit: limit, Cursor: cursor})
		return page.Events, page.Next, err
	})
}

func TestListAuditAccess(t *testing.T) {
	env := clienteletest.New(t)
	ctx := t.Context()
	a := env.NewClient(t, "Globex")
	b := env.NewClient(t, "Initech")
	_, adminA := env.AddUser(t, a.ID, "admin@globex.example", clientele.RoleAdmin)
	_, memberA := env.AddUser(t, a.ID, "member@globex.example", clientele.RoleMember)
	_, adminB := env.AddUser(t, b.ID, "admin@initech.example", clientele.RoleAdmin)
	env.Clock.Advance(time.Second) // the branding is the newest event
	_, err := env.Tenancy.SetBranding(ctx, env.AgencyAdmin(), clientele.Branding{Name: "Acme Agency", PrimaryColor: "#112233"})
	require.NoError(t, err)
	_, otherAgency := secondAgency(t, env, clientele.Branding{Name: "Other Agency"})
	_, err = env.Tenancy.SetBranding(ctx, otherAgency, clientele.Branding{Name: "Other Agency Two"})
	require.NoError(t, err)

	t.Run("a client admin reads its own client's log", func(t *testing.T) {
		log := allAudit(t, env, adminA, a.ID, tenancy.MaxLimit)
		require.NotEmpty(t, log)
		for _, ev := range log {
			assert.Equal(t, a.ID, ev.ClientID)
		}
		assert.Equal(t, env.AuditLog(t, a.ID), log)
	})
	t.Run("a member may not", func(t *testing.T) {
		_, err := env.Tenancy.ListAudit(ctx, memberA, a.ID, tenancy.Page{})
		require.ErrorIs(t, err, rbac.ErrDenied)
	})
	t.Run("another client's log is not found", func(t *testing.T) {
		for _, p := range []clientele.Principal{adminB, otherAgency} {
			_, err := env.Tenancy.ListAudit(ctx, p, a.ID, tenancy.Page{})
			require.ErrorIs(t, err, clientele.ErrNotFound)
			assert.NotErrorIs(t, err, rbac.ErrDenied)
		}
	})
	t.Run("the agency's log is the agency admin's", func(t *testing.T) {
		for _, p := range []clientele.Principal{adminA, memberA} {
			_, err := env.Tenancy.ListAudit(ctx, p, "", tenancy.Page{})
			require.ErrorIs(t, err, rbac.ErrDenied)
		}
		_, err := env.Tenancy.ListAudit(ctx, clientele.Principal{}, "", tenancy.Page{})
		require.ErrorIs(t, err, clientele.ErrUnauthenticated)
	})
	t.Run("the agency reads everything, branding included", func(t *testing.T) {
		log := allAudit(t, env, env.AgencyAdmin(), "", 2)
		assert.Equal(t, env.AuditLog(t, ""), log)
		clients := map[clientele.ClientID]int{}
		for _, ev := range log {
			assert.Equal(t, env.Agency.ID, ev.AgencyID)
			clients[ev.ClientID]++
		}
		assert.Equal(t, len(env.AuditLog(t, a.ID)), clients[a.ID])
		assert.Equal(t, len(env.AuditLog(t, b.ID)), clients[b.ID])
		assert.Equal(t, 1, clients[""], "the branding")
		assert.Equal(t, clientele.AuditAgencyBranding, log[0].Action, "newest first")

		aLog, err := env.Tenancy.ListAudit(ctx, env.AgencyAdmin(), a.ID, tenancy.Page{Limit: tenancy.MaxLimit})
		require.NoError(t, err)
		assert.Equal(t, env.AuditLog(t, a.ID), aLog.Events, "and any client's log")
	})
	t.Run("another agency sees none of it", func(t *testing.T) {
		log := allAudit(t, env, otherAgency, "", tenancy.MaxLimit)
		require.Len(t, log, 1)
		assert.Equal(t, clientele.AuditAgencyBranding, log[0].Action)
		assert.Equal(t, otherAgency.AgencyID, log[0].AgencyID)
	})
	t.Run("bad pages", func(t *testing.T) {
		for _, page := range []tenancy.Page{
			{Limit: tenancy.MaxLimit + 1},
			{Limit: -1},
			{Cursor: "not a cursor"},
			{Cursor: tenancy.EncodeCursor(tenancy.Key{Sort: "ada@example.com", ID: "usr_1"})},
			{Cursor: tenancy.EncodeCursor(tenancy.Key{Sort: "2026-01-05T09:00:00Z", ID: "aud_1"})},
		} {
			_, err := env.Tenancy.ListAudit(ctx, env.AgencyAdmin(), "", page)
			require.ErrorIs(t, err, clientele.ErrInvalidArgument, "%+v", page)
		}
	})
}

// An event carries who acted, on what, the state before and after, the
// service's clock and the IP the context carries.
func TestAuditEventOfAChange(t *testing.T) {
	env := clienteletest.New(t)
	c := env.NewClient(t, "Globex")
	admin, adminP := env.AddUser(t, c.ID, "admin@example.com", clientele.RoleAdmin)
	member, _ := env.AddUser(t, c.ID, "member@example.com", clientele.RoleMember)
	env.Clock.Advance(time.Hour)
	ctx := clientele.WithSourceIP(t.Context(), "203.0.113.9")

	_, err := env.Tenancy.ChangeRole(ctx, adminP, c.ID, member.UserID, clientele.RoleAdmin)
	require.NoError(t, err)
	ev := env.AuditLog(t, c.ID)[0]
	assert.NotEmpty(t, ev.ID)
	assert.Equal(t, clientele.AuditEvent{ID: ev.ID, AgencyID: env.Agency.ID, ClientID: c.ID, At: env.Clock.Now(),
		Actor: string(admin.UserID), Action: clientele.AuditMemberRole, Target: string(member.UserID),
		Before: "member", After: "admin", IP: "203.0.113.9"}, ev)

	env.Clock.Advance(time.Minute)
	_, err = env.Tenancy.Deactivate(context.Background(), env.AgencyAdmin(), c.ID, member.UserID)
	require.NoError(t, err)
	ev = env.AuditLog(t, c.ID)[0]
	assert.Equal(t, clientele.AuditMemberDeactivate, ev.Action)
	assert.Equal(t, "active", ev.Before)
	assert.Equal(t, "deactivated", ev.After)
	assert.Equal(t, clientele.AuditActorAgency, ev.Actor)
	assert.Empty(t, ev.IP, "no IP in the context: unknown")
	assert.Equal(t, env.Clock.Now(), ev.At)

	env.Clock.Advance(time.Minute)
	_, err = env.Tenancy.SetPermissions(ctx, env.AgencyAdmin(), c.ID, []clientele.Permission{clientele.PermViewReports})
	require.NoError(t, err)
	ev = env.AuditLog(t, c.ID)[0]
	assert.Equal(t, clientele.AuditClientPermissions, ev.Action)
	assert.Equal(t, `[]`, ev.Before)
	assert.Equal(t, `["view_reports"]`, ev.After)

	env.Clock.Advance(time.Minute)
	_, err = env.Tenancy.SetBranding(ctx, env.AgencyAdmin(), clientele.Branding{Name: "Acme Two"})
	require.NoError(t, err)
	ev = env.AuditLog(t, "")[0]
	assert.Equal(t, clientele.AuditAgencyBranding, ev.Action)
	assert.Empty(t, ev.ClientID, "an agency-level event")
	assert.Equal(t, string(env.Agency.ID), ev.Target)
	assert.Equal(t, `{"name":"Acme Agency","logo_url":"","primary_color":"#0f766e","custom_domain":""}`, ev.Before)
	assert.Equal(t, `{"name":"Acme Two","logo_url":"","primary_color":"","custom_domain":""}`, ev.After)
	assert.Equal(t, "203.0.113.9", ev.IP)

	env.Clock.Advance(time.Minute)
	require.NoError(t, env.Tenancy.Remove(ctx, adminP, c.ID, member.UserID))
	ev = env.AuditLog(t, c.ID)[0]
	assert.Equal(t, clientele.AuditMemberRemove, ev.Action)
	assert.Equal(t, "admin", ev.Before)
	assert.Empty(t, ev.After)
}

// A change that is refused writes no event.
func TestAuditNothingForARefusedChange(t *testing.T) {
	env := clienteletest.New(t)
	ctx := t.Context()
	c := env.NewClient(t, "Globex")
	admin, adminP := env.AddUser(t, c.ID, "admin@example.com", clientele.RoleAdmin)
	_, memberP := env.AddUser(t, c.ID, "member@example.com", clientele.RoleMember)
	before := env.AuditLog(t, "")

	_, err := env.Tenancy.ChangeRole(ctx, adminP, c.ID, admin.UserID, clientele.RoleMember)
	require.ErrorIs(t, err, tenancy.ErrLastAdmin)
	require.ErrorIs(t, env.Tenancy.Remove(ctx, adminP, c.ID, admin.UserID), tenancy.ErrLastAdmin)
	_, err = env.Tenancy.ChangeRole(ctx, memberP, c.ID, admin.UserID, clientele.RoleMember)
	require.ErrorIs(t, err, rbac.ErrDenied)
	_, err = env.Tenancy.SetPermissions(ctx, env.AgencyAdmin(), c.ID, []clientele.Permission{"teleport"})
	require.ErrorIs(t, err, tenancy.ErrUnknownPermission)
	_, err = env.Tenancy.SetBranding(ctx, env.AgencyAdmin(), clientele.Branding{})
	require.ErrorIs(t, err, clientele.ErrInvalidArgument)

	assert.Equal(t, before, env.AuditLog(t, ""))
}
