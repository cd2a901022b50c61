package tenancyhttp_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/clienteletest"
)

// The authorization matrix: every route of the reference server x every
// kind of caller x the client permissions of client A. The status each
// cell must answer is derived from the contract
// (../shared/reference-server.md) by the rules of [want]; nothing in this
// file is copied from what the server answers.

// actorKind is how the contract sees a caller.
type actorKind int

const (
	agencyActor actorKind = iota // the agency admin's bearer token
	liveUser                     // a client user with a working session
	endedUser                    // a session that no longer works
	anonymous                    // no credential at all
)

// matrixActor is one row of the matrix.
type matrixActor struct {
	name   string
	kind   actorKind
	role   clientele.Role // liveUser only
	client string         // liveUser only: "A" or "B"
}

var matrixActors = []matrixActor{
	{name: "agency", kind: agencyActor},
	{name: "adminA", kind: liveUser, role: clientele.RoleAdmin, client: "A"},
	{name: "memberA", kind: liveUser, role: clientele.RoleMember, client: "A"},
	{name: "adminB", kind: liveUser, role: clientele.RoleAdmin, client: "B"},
	{name: "removed", kind: endedUser},     // a Member of A, removed; their old session
	{name: "deactivated", kind: endedUser}, // a Member of A, deactivated by the agency; their old session
	{name: "anonymous", kind: anonymous},
	{name: "signedOut", kind: endedUser}, // adminA's session after DELETE /api/v1/session
}

// permState is one setting of client A's permissions.
type permState struct {
	name  string
	perms []clientele.Permission
}

var permStates = []permState{
	{"none", nil},
	{"manage_billing", []clientele.Permission{clientele.PermManageBilling}},
	{"view_reports", []clientele.Permission{clientele.PermViewReports}},
	{"all", []clientele.Permission{clientele.PermManageBilling, clientele.PermViewReports, clientele.PermExportData}},
}

// routeKind is the part of the contract a route belongs to.
type routeKind int

const (
	agencyRoute routeKind = iota // "Agency (bearer PORTAL_AGENCY_TOKEN)"
	clientRoute                  // "Client users (agency bearer, or a client user's session)"
	selfRoute                    // a signed-in client user's own: /me, passkeys
	publicRoute                  // "Invitations and sessions (public)": no credential is read
	noRoute                      // a path the API does not serve
)

// matrixRoute is one column of the matrix. admitted is the status of a
// caller the contract lets through (for a few routes an error: the
// passkey id is unknown, the ceremony was never begun).
type matrixRoute struct {
	method   string
	path     func(m *matrixFixture) string
	body     func(m *matrixFixture) string
	kind     routeKind
	admitted int
	// roles are the client roles the contract's "who" column names
	// (clientRoute); the agency is always admitted.
	roles []clientele.Role
	// needs is the client permission the client's users need
	// (clientRoute); "" for none.
	needs clientele.Permission
}

// want is the contract, as rules:
//   - a path the API does not serve is a 404 for everyone;
//   - public routes read no credential: everyone gets the same answer;
//   - no session, an ended session, a removed or deactivated user: 401;
//   - agency endpoints: the agency, else 403 ("agency endpoints called by a
//     client user");
//   - a user's own routes: the agency has no user, 403;
//   - client endpoints: the agency may call every one, for any client,
//     whatever the client has enabled ("The agency admin may also call
//     every client endpoint below"); another client's user gets 404
//     ("every id that belongs to another client"); a role the "who"
//     column does not name gets 403, and so does a permission the client
//     lacks (billing: Admin while manage_billing; reports: Admin or
//     Member while view_reports).
func want(r matrixRoute, a matrixActor, perms []clientele.Permission) int {
	const unauth, forbidden, notFound = http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound
	switch {
	case r.kind == noRoute:
		return notFound
	case r.kind == publicRoute:
		return r.admitted
	case a.kind == anonymous || a.kind == endedUser:
		return unauth
	}
	switch r.kind {
	case agencyRoute:
		if a.kind == agencyActor {
			return r.admitted
		}
		return forbidden
	case selfRoute:
		if a.kind == agencyActor {
			return forbidden
		}
		return r.admitted
	}
	// clientRoute, always on client A
	switch {
	case a.kind == agencyActor:
		return r.admitted
	case a.client != "A":
		return notFound
	case !slices.Contains(r.roles, a.role):
		return forbidden
	case r.needs != "" && !slices.Contains(perms, r.needs):
		return forbidden
	}
	return r.admitted
}

// wantPermissions is what /me lists for a client user: the permissions
// of its client (B has none) that its role can use (a Member never gets
// billing).
func wantPermissions(a matrixActor, permsOfA []clientele.Permission) []string {
	out := []string{}
	if a.client != "A" {
		return out
	}
	for _, p := range permsOfA {
		if p == clientele.PermManageBilling && a.role != clientele.RoleAdmin {
			continue
		}
		out = append(out, string(p))
	}
	slices.Sort(out)
	return out
}

// errorCodeOf is the contract's code for the statuses the matrix expects.
var errorCodeOf = map[int]string{
	http.StatusUnauthorized: "unauthenticated",
	http.StatusForbidden:    "forbidden",
	http.StatusNotFound:     "not_found",
}

// matrixFixture is the fixture with two more Members of A whose sessions
// no longer work, and every actor's credential.
type matrixFixture struct {
	*fixture
	removed, deactivated clientele.Member
	tokens               map[string]string
}

func newMatrixFixture(t *testing.T, perms []clientele.Permission) *matrixFixture {
	t.Helper()
	ctx := context.Background()
	m := &matrixFixture{fixture: newFixture(t)}
	env, agency := m.env, m.env.AgencyAdmin()
	m.removed, _ = env.AddUser(t, m.a.ID, "removed-a@example.com", clientele.RoleMember)
	m.deactivated, _ = env.AddUser(t, m.a.ID, "deactivated-a@example.com", clientele.RoleMember)
	removed, deactivated := m.signIn("removed-a@example.com", ""), m.signIn("deactivated-a@example.com", "")
	signedOut := m.signIn("admin-a@example.com", "")
	require.NoError(t, env.Tenancy.Remove(ctx, agency, m.a.ID, m.removed.UserID))
	_, err := env.Tenancy.Deactivate(ctx, agency, m.a.ID, m.deactivated.UserID)
	require.NoError(t, err)
	require.Equal(t, http.StatusNoContent, m.do("DELETE", "/api/v1/session", "", bearer(signedOut)).Code)
	_, err = env.Tenancy.SetPermissions(ctx, agency, m.a.ID, perms)
	require.NoError(t, err)
	m.tokens = map[string]string{
		"agency":      agencyToken,
		"adminA":      m.signIn("admin-a@example.com", ""),
		"memberA":     m.signIn("member-a@example.com", ""),
		"adminB":      m.signIn("admin-b@example.com", ""),
		"removed":     removed,
		"deactivated": deactivated,
		"anonymous":   "",
		"signedOut":   signedOut,
	}
	return m
}

// matrixRoutes is every route the API serves (routes.go), plus an unknown
// path.
func matrixRoutes() []matrixRoute {
	admin, member := clientele.RoleAdmin, clientele.RoleMember
	both := []clientele.Role{admin, member}
	const ok, created, noContent, badRequest, notFound = 200, 201, 204, 400, 404
	bogusCeremony := `{"ceremony":"nope","response":{}}`
	return []matrixRoute{
		{method: "PUT", path: fixed("/api/v1/agency/branding"), body: fixedBody(`{"name":"Acme Two","primary_color":"#112233"}`), kind: agencyRoute, admitted: ok},
		{method: "POST", path: fixed("/api/v1/clients"), body: fixedBody(`{"name":"Initech"}`), kind: agencyRoute, admitted: created},
		{method: "GET", path: fixed("/api/v1/clients"), kind: agencyRoute, admitted: ok},
		{method: "PUT", path: clientPath("/permissions"), body: fixedBody(`{"permissions":["view_reports"]}`), kind: agencyRoute, admitted: ok},
		{method: "POST", path: memberPath("/deactivate"), kind: agencyRoute, admitted: ok},
		{method: "POST", path: deactivatedPath("/reactivate"), kind: agencyRoute, admitted: ok},
		{method: "GET", path: fixed("/api/v1/audit"), kind: agencyRoute, admitted: ok},

		{method: "GET", path: clientPath("/users"), kind: clientRoute, admitted: ok, roles: both},
		{method: "POST", path: clientPath("/invitations"), body: fixedBody(`{"email":"new@example.com","role":"member"}`), kind: clientRoute, admitted: created, roles: []clientele.Role{admin}},
		{method: "POST", path: invitationPath("/resend"), kind: clientRoute, admitted: ok, roles: []clientele.Role{admin}},
		{method: "DELETE", path: invitationPath(""), kind: clientRoute, admitted: noContent, roles: []clientele.Role{admin}},
		{method: "PATCH", path: memberPath(""), body: fixedBody(`{"role":"admin"}`), kind: clientRoute, admitted: ok, roles: []clientele.Role{admin}},
		{method: "DELETE", path: memberPath(""), kind: clientRoute, admitted: noContent, roles: []clientele.Role{admin}},
		{method: "GET", path: clientPath("/billing"), kind: clientRoute, admitted: ok, roles: []clientele.Role{admin}, needs: clientele.PermManageBilling},
		{method: "GET", path: clientPath("/reports"), kind: clientRoute, admitted: ok, roles: both, needs: clientele.PermViewReports},
		{method: "GET", path: clientPath("/audit"), kind: clientRoute, admitted: ok, roles: []clientele.Role{admin}},

		{method: "GET", path: func(m *matrixFixture) string { return "/api/v1/invitations/" + m.invTok }, kind: publicRoute, admitted: ok},
		{method: "POST", path: fixed("/api/v1/invitations/accept"), body: func(m *matrixFixture) string {
			return jsonString(map[string]string{"token": m.invTok, "name": "Pat", "password": clienteletest.Password})
		}, kind: publicRoute, admitted: created},
		{method: "POST", path: fixed("/api/v1/session"), body: fixedBody(`{"email":"member-a@example.com","password":"` + clienteletest.Password + `"}`), kind: publicRoute, admitted: created},
		{method: "DELETE", path: fixed("/api/v1/session"), kind: publicRoute, admitted: noContent},
		{method: "GET", path: fixed("/api/v1/me"), kind: selfRoute, admitted: ok},

		// Not in the contract: the console's session and the passkey
		// endpoints the pages use.
		{method: "POST", path: fixed("/api/v1/agency/session"), body: fixedBody(`{"token":"` + agencyToken + `"}`), kind: publicRoute, admitted: noContent},
		{method: "DELETE", path: fixed("/api/v1/agency/session"), kind: publicRoute, admitted: noContent},
		{method: "POST", path: fixed("/api/v1/passkeys/setup/begin"), body: func(m *matrixFixture) string { return jsonString(map[string]string{"token": m.invTok}) }, kind: publicRoute, admitted: ok},
		{method: "POST", path: fixed("/api/v1/passkeys/setup/finish"), body: func(m *matrixFixture) string {
			return jsonString(map[string]any{"token": m.invTok, "ceremony": "nope", "response": map[string]string{}, "name": "Pat"})
		}, kind: publicRoute, admitted: badRequest},
		{method: "POST", path: fixed("/api/v1/passkeys/signin/begin"), kind: publicRoute, admitted: ok},
		{method: "POST", path: fixed("/api/v1/passkeys/signin/finish"), body: fixedBody(bogusCeremony), kind: publicRoute, admitted: badRequest},
		{method: "POST", path: fixed("/api/v1/passkeys/register/begin"), kind: selfRoute, admitted: ok},
		{method: "POST", path: fixed("/api/v1/passkeys/register/finish"), body: fixedBody(bogusCeremony), kind: selfRoute, admitted: badRequest},
		{method: "GET", path: fixed("/api/v1/passkeys"), kind: selfRoute, admitted: ok},
		{method: "DELETE", path: fixed("/api/v1/passkeys/AAAA"), kind: selfRoute, admitted: notFound}, // an unknown credential

		{method: "GET", path: fixed("/api/v1/nope"), kind: noRoute},
	}
}

// TestRouteMatrix calls every route as every actor with every setting of
// client A's permissions, each cell on a fresh portal, and checks the
// status the contract requires (see want), the error's code, that /me
// lists what the user may do, and that a refused call changed nothing
// (snapshot). It logs how many cells it checked; every cell runs at the
// default size, there is no larger one.
func TestRouteMatrix(t *testing.T) {
	routes := matrixRoutes()
	var checked atomic.Int64
	t.Run("cells", func(t *testing.T) {
		for _, rt := range routes {
			name := rt.method + " " + rt.path(placeholders)
			t.Run(name, func(t *testing.T) {
				for _, ps := range permStates {
					for _, actor := range matrixActors {
						t.Run(ps.name+"/"+actor.name, func(t *testing.T) {
							t.Parallel()
							m := newMatrixFixture(t, ps.perms)
							body := ""
							if rt.body != nil {
								body = rt.body(m)
							}
							before := snapshot(t, m.fixture)
							w := m.do(rt.method, rt.path(m), body, bearer(m.tokens[actor.name]))
							status := want(rt, actor, ps.perms)
							checked.Add(1)
							if !assert.Equal(t, status, w.Code, "%s as %s with %s: %s", name, actor.name, ps.name, w.Body) {
								return
							}
							switch {
							case w.Code == http.StatusNoContent:
								assert.Empty(t, w.Body.String())
							case w.Code >= 400:
								if code, ok := errorCodeOf[w.Code]; ok && rt.admitted != w.Code {
									assert.Equal(t, code, errorCode(t, w, w.Code))
								} else {
									errorCode(t, w, w.Code)
								}
								assert.Equal(t, before, snapshot(t, m.fixture), "a refused call changes nothing")
							default:
								assert.Equal(t, "application/json", w.Header().Get("Content-Type"))
							}
							if rt.path(placeholders) == "/api/v1/me" && w.Code == http.StatusOK {
								me := decode[struct {
									Permissions []string `json:"permissions"`
								}](t, w)
								assert.Equal(t, wantPermissions(actor, ps.perms), me.Permissions)
							}
						})
					}
				}
			})
		}
	})
	total := len(routes) * len(matrixActors) * len(permStates)
	t.Logf("route matrix: %d cells checked (%d routes x %d actors x %d permission settings)",
		checked.Load(), len(routes), len(matrixActors), len(permStates))
	assert.Equal(t, int64(total), checked.Load(), "every cell is checked")
}

// placeholders names the fixture's ids in test names.
var placeholders = &matrixFixture{fixture: &fixture{a: clientele.Client{ID: "{A}"},
	memberA: clientele.Member{Membership: clientele.Membership{UserID: "{memberA}"}},
	inv:     clientele.Invitation{ID: "{inv}"}, invTok: "{token}"},
	deactivated: clientele.Member{Membership: clientele.Membership{UserID: "{deactivated}"}}}

func fixed(p string) func(*matrixFixture) string { return func(*matrixFixture) string { return p } }

func fixedBody(b string) func(*matrixFixture) string { return func(*matrixFixture) string { return b } }

func clientPath(rest string) func(*matrixFixture) string {
	return func(m *matrixFixture) string { return fmt.Sprintf("/api/v1/clients/%s%s", m.a.ID, rest) }
}

func memberPath(rest string) func(*matrixFixture) string {
	return func(m *matrixFixture) string {
		return fmt.Sprintf("/api/v1/clients/%s/users/%s%s", m.a.ID, m.memberA.UserID, rest)
	}
}

func deactivatedPath(rest string) func(*matrixFixture) string {
	return func(m *matrixFixture) string {
		return fmt.Sprintf("/api/v1/clients/%s/users/%s%s", m.a.ID, m.deactivated.UserID, rest)
	}
}

func invitationPath(rest string) func(*matrixFixture) string {
	return func(m *matrixFixture) string {
		return fmt.Sprintf("/api/v1/clients/%s/invitations/%s%s", m.a.ID, m.inv.ID, rest)
	}
}
