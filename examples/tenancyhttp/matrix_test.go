package tenancyhttp_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/clienteletest"
)

// The actors of the matrix, in the order of each row's statuses.
var actors = [...]string{"agency", "adminA", "memberA", "adminB", "anonymous", "signedOut"}

// tokens returns each actor's bearer token on a fresh fixture.
func (f *fixture) tokens() map[string]string {
	ended := f.signIn("admin-a@example.com", "")
	require.NoError(f.t, f.env.Authn.SignOut(context.Background(), ended))
	return map[string]string{
		"agency":    agencyToken,
		"adminA":    f.signIn("admin-a@example.com", ""),
		"memberA":   f.signIn("member-a@example.com", ""),
		"adminB":    f.signIn("admin-b@example.com", ""),
		"anonymous": "",
		"signedOut": ended,
	}
}

// TestRouteMatrix calls every route as every actor, each on a fresh
// portal, and checks the status the contract requires.
func TestRouteMatrix(t *testing.T) {
	const (
		ok, created, noContent = http.StatusOK, http.StatusCreated, http.StatusNoContent
		unauth, forbidden      = http.StatusUnauthorized, http.StatusForbidden
		notFound               = http.StatusNotFound
	)
	agencyOnly := func(s int) [6]int { return [6]int{s, forbidden, forbidden, forbidden, unauth, unauth} }
	everyone := func(s int) [6]int { return [6]int{s, s, s, s, s, s} }
	users := func(s int) [6]int { return [6]int{forbidden, s, s, s, unauth, unauth} }

	tests := []struct {
		method string
		path   func(f *fixture) string
		body   func(f *fixture) string
		want   [6]int // by actor
	}{
		{"PUT", fixed("/api/v1/agency/branding"), fixedBody(`{"name":"Acme Two","primary_color":"#112233"}`), agencyOnly(ok)},
		{"POST", fixed("/api/v1/clients"), fixedBody(`{"name":"Initech"}`), agencyOnly(created)},
		{"GET", fixed("/api/v1/clients"), nil, agencyOnly(ok)},
		{"PUT", clientPath("/permissions"), fixedBody(`{"permissions":["view_reports"]}`), agencyOnly(ok)},
		{"POST", memberPath("/deactivate"), nil, agencyOnly(ok)},
		{"POST", memberPath("/reactivate"), nil, agencyOnly(ok)},

		{"GET", clientPath("/users"), nil, [6]int{ok, ok, ok, notFound, unauth, unauth}},
		{"PATCH", memberPath(""), fixedBody(`{"role":"admin"}`), [6]int{ok, ok, forbidden, notFound, unauth, unauth}},
		{"DELETE", memberPath(""), nil, [6]int{noContent, noContent, forbidden, notFound, unauth, unauth}},
		{"POST", clientPath("/invitations"), fixedBody(`{"email":"new@example.com","role":"member"}`),
			[6]int{created, created, forbidden, notFound, unauth, unauth}},
		{"POST", invitationPath("/resend"), nil, [6]int{ok, ok, forbidden, notFound, unauth, unauth}},
		{"DELETE", invitationPath(""), nil, [6]int{noContent, noContent, forbidden, notFound, unauth, unauth}},
		{"GET", clientPath("/billing"), nil, [6]int{ok, ok, forbidden, notFound, unauth, unauth}},
		{"GET", clientPath("/reports"), nil, [6]int{ok, ok, ok, notFound, unauth, unauth}},
		{"GET", clientPath("/audit"), nil, [6]int{ok, ok, forbidden, notFound, unauth, unauth}},

		{"GET", func(f *fixture) string { return "/api/v1/invitations/" + f.invTok }, nil, everyone(ok)},
		{"POST", fixed("/api/v1/invitations/accept"), func(f *fixture) string {
			return jsonString(map[string]string{"token": f.invTok, "name": "Pat", "password": clienteletest.Password})
		}, everyone(created)},
		{"POST", fixed("/api/v1/session"), fixedBody(`{"email":"member-a@example.com","password":"` + clienteletest.Password + `"}`), everyone(created)},
		{"DELETE", fixed("/api/v1/session"), nil, everyone(noContent)},
		{"GET", fixed("/api/v1/me"), nil, users(ok)},

		{"POST", fixed("/api/v1/passkeys/setup/begin"), func(f *fixture) string { return jsonString(map[string]string{"token": f.invTok}) }, everyone(ok)},
		{"POST", fixed("/api/v1/passkeys/signin/begin"), nil, everyone(ok)},
		{"POST", fixed("/api/v1/passkeys/register/begin"), nil, users(ok)},
		{"GET", fixed("/api/v1/passkeys"), nil, users(ok)},
		{"DELETE", fixed("/api/v1/passkeys/AAAA"), nil, [6]int{forbidden, notFound, notFound, notFound, unauth, unauth}},

		{"GET", fixed("/api/v1/nope"), nil, everyone(notFound)},
		{"GET", fixed("/api/v1/audit"), nil, agencyOnly(ok)},
	}
	for _, tt := range tests {
		name := tt.method + " " + tt.path(placeholders)
		t.Run(name, func(t *testing.T) {
			for i, actor := range actors {
				t.Run(actor, func(t *testing.T) {
					t.Parallel()
					f := newFixture(t)
					body := ""
					if tt.body != nil {
						body = tt.body(f)
					}
					w := f.do(tt.method, tt.path(f), body, bearer(f.tokens()[actor]))
					assert.Equal(t, tt.want[i], w.Code, "%s as %s: %s", name, actor, w.Body)
					if w.Code == noContent {
						assert.Empty(t, w.Body.String())
					} else {
						assert.Equal(t, "application/json", w.Header().Get("Content-Type"))
					}
				})
			}
		})
	}
}

// placeholders names the fixture's ids in test names.
var placeholders = &fixture{a: clientele.Client{ID: "{A}"}, memberA: clientele.Member{Membership: clientele.Membership{UserID: "{memberA}"}},
	inv: clientele.Invitation{ID: "{inv}"}, invTok: "{token}"}

func fixed(p string) func(*fixture) string { return func(*fixture) string { return p } }

func fixedBody(b string) func(*fixture) string { return func(*fixture) string { return b } }

func clientPath(rest string) func(*fixture) string {
	return func(f *fixture) string { return fmt.Sprintf("/api/v1/clients/%s%s", f.a.ID, rest) }
}

func memberPath(rest string) func(*fixture) string {
	return func(f *fixture) string {
		return fmt.Sprintf("/api/v1/clients/%s/users/%s%s", f.a.ID, f.memberA.UserID, rest)
	}
}

func invitationPath(rest string) func(*fixture) string {
	return func(f *fixture) string {
		return fmt.Sprintf("/api/v1/clients/%s/invitations/%s%s", f.a.ID, f.inv.ID, rest)
	}
}
