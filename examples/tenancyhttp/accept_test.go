package tenancyhttp_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/clienteletest"
)

func TestAcceptFlow(t *testing.T) {
	f := newFixture(t)
	admin := f.signIn("admin-a@example.com", "")
	w := f.do("POST", fmt.Sprintf("/api/v1/clients/%s/invitations", f.a.ID), `{"email":"Ada@Example.com","role":"admin"}`, bearer(admin))
	require.Equal(t, http.StatusCreated, w.Code, w.Body.String())
	inv := decode[map[string]any](t, w)
	assert.Equal(t, map[string]any{"id": inv["id"], "email": "ada@example.com", "role": "admin", "status": "pending",
		"expires_at": clienteletest.Start.Add(7 * 24 * time.Hour).Format(time.RFC3339)}, inv)
	link, err := f.env.Mailer.TokenTo("ada@example.com")
	require.NoError(t, err)

	// The preview changes nothing: it can be fetched again.
	for range 2 {
		w = f.do("GET", "/api/v1/invitations/"+link, "")
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	}
	assert.JSONEq(t, `{"email":"ada@example.com","role":"admin","client":{"name":"Alpha"},
		"agency":{"name":"Acme Agency","logo_url":"","primary_color":"#0f766e","custom_domain":""},"has_account":false}`, w.Body.String())

	w = f.do("POST", "/api/v1/invitations/accept", jsonString(map[string]string{"token": link, "name": "Ada Lovelace", "password": clienteletest.Password}))
	require.Equal(t, http.StatusCreated, w.Code, w.Body.String())
	type accepted struct {
		User         map[string]any `json:"user"`
		SessionToken string         `json:"session_token"`
	}
	got := decode[accepted](t, w)
	require.NotEmpty(t, got.SessionToken)
	assert.Equal(t, map[string]any{"id": got.User["id"], "name": "Ada Lovelace", "email": "ada@example.com", "role": "admin",
		"status": "active", "last_active_at": clienteletest.Start.Format(time.RFC3339)}, got.User)
	assert.Equal(t, got.SessionToken, cookieNamed(t, w, "__Host-session").Value)

	w = f.do("GET", "/api/v1/me", "", bearer(got.SessionToken))
	require.Equal(t, http.StatusOK, w.Code)
	assert.Equal(t, "admin", decode[map[string]any](t, w)["role"])

	w = f.do("POST", "/api/v1/invitations/accept", jsonString(map[string]string{"token": link, "name": "Eve", "password": clienteletest.Password}))
	assert.Equal(t, "used", errorCode(t, w, 410))
	w = f.do("POST", "/api/v1/session", signInBody("ada@example.com"))
	assert.Equal(t, http.StatusCreated, w.Code)
}

func TestResendAndCancelEndTheLink(t *testing.T) {
	f := newFixture(t)
	invitation := fmt.Sprintf("/api/v1/clients/%s/invitations/%s", f.a.ID, f.inv.ID)
	f.env.Clock.Advance(time.Hour)
	w := f.do("POST", invitation+"/resend", "", bearer(agencyToken))
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	next := decode[map[string]any](t, w)
	assert.NotEqual(t, string(f.inv.ID), next["id"])
	assert.Equal(t, clienteletest.Start.Add(time.Hour+7*24*time.Hour).Format(time.RFC3339), next["expires_at"], "a fresh window")
	assert.Equal(t, "replaced", errorCode(t, f.do("GET", "/api/v1/invitations/"+f.invTok, ""), 410))
	link, err := f.env.Mailer.TokenTo("pending@example.com")
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, f.do("GET", "/api/v1/invitations/"+link, "").Code)

	w = f.do("DELETE", fmt.Sprintf("/api/v1/clients/%s/invitations/%s", f.a.ID, next["id"]), "", bearer(agencyToken))
	require.Equal(t, http.StatusNoContent, w.Code)
	assert.Equal(t, "cancelled", errorCode(t, f.do("GET", "/api/v1/invitations/"+link, ""), 410))
}

func TestMe(t *testing.T) {
	f := newFixture(t)
	w := f.do("PUT", fmt.Sprintf("/api/v1/clients/%s/permissions", f.a.ID),
		`{"permissions":["manage_billing","view_reports","export_data"]}`, bearer(agencyToken))
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())

	type me struct {
		User        map[string]any    `json:"user"`
		Client      map[string]string `json:"client"`
		Role        string            `json:"role"`
		Permissions []string          `json:"permissions"`
	}
	w = f.do("GET", "/api/v1/me", "", bearer(f.signIn("member-a@example.com", "")))
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	m := decode[me](t, w)
	assert.Equal(t, "member", m.Role)
	assert.Equal(t, []string{"export_data", "view_reports"}, m.Permissions, "a member never uses billing")
	assert.Equal(t, map[string]string{"id": string(f.a.ID), "name": "Alpha"}, m.Client)
	assert.Equal(t, string(f.memberA.UserID), m.User["id"])
	assert.Equal(t, "member-a@example.com", m.User["email"])
	assert.Equal(t, "active", m.User["status"])

	admin := f.signIn("admin-a@example.com", "")
	m = decode[me](t, f.do("GET", "/api/v1/me", "", bearer(admin)))
	assert.Equal(t, []string{"export_data", "manage_billing", "view_reports"}, m.Permissions)

	require.Equal(t, http.StatusOK, f.do("PUT", fmt.Sprintf("/api/v1/clients/%s/permissions", f.a.ID), `{"permissions":[]}`, bearer(agencyToken)).Code)
	w = f.do("GET", "/api/v1/me", "", bearer(admin))
	assert.Contains(t, w.Body.String(), `"permissions":[]`)
	assert.Equal(t, "forbidden", errorCode(t, f.do("GET", fmt.Sprintf("/api/v1/clients/%s/billing", f.a.ID), "", bearer(admin)), 403))
}

func TestFeaturesFollowTheClientsPermissions(t *testing.T) {
	f := newFixture(t)
	admin, member := f.signIn("admin-a@example.com", ""), f.signIn("member-a@example.com", "")
	billing := fmt.Sprintf("/api/v1/clients/%s/billing", f.a.ID)
	reports := fmt.Sprintf("/api/v1/clients/%s/reports", f.a.ID)

	w := f.do("GET", billing, "", bearer(admin))
	require.Equal(t, http.StatusOK, w.Code)
	assert.JSONEq(t, fmt.Sprintf(`{"client_id":%q,"feature":"billing"}`, f.a.ID), w.Body.String())

	_, err := f.env.Tenancy.SetPermissions(t.Context(), f.env.AgencyAdmin(), f.a.ID, []clientele.Permission{clientele.PermViewReports})
	require.NoError(t, err)
	assert.Equal(t, "forbidden", errorCode(t, f.do("GET", billing, "", bearer(admin)), 403), "billing is gone for the client's users")
	assert.Equal(t, http.StatusOK, f.do("GET", billing, "", bearer(agencyToken)).Code, "the agency may call every client endpoint")
	assert.Equal(t, http.StatusOK, f.do("GET", reports, "", bearer(member)).Code)

	_, err = f.env.Tenancy.SetPermissions(t.Context(), f.env.AgencyAdmin(), f.a.ID, nil)
	require.NoError(t, err)
	for _, tok := range []string{admin, member} {
		assert.Equal(t, "forbidden", errorCode(t, f.do("GET", reports, "", bearer(tok)), 403))
	}
	assert.Equal(t, http.StatusOK, f.do("GET", reports, "", bearer(agencyToken)).Code)
}
