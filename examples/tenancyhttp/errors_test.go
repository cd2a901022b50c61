package tenancyhttp_test

import (
	"bytes"
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/authn"
	"github.com/clientele/clientele/clienteletest"
	"github.com/clientele/clientele/examples/tenancyhttp"
	"github.com/clientele/clientele/invite"
)

// TestErrorCodes checks the status and stable code of every kind of error.
func TestErrorCodes(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	admin := f.signIn("admin-a@example.com", "")
	member := f.signIn("member-a@example.com", "")
	invitations := fmt.Sprintf("/api/v1/clients/%s/invitations", f.a.ID)

	// Links in each of their unusable states.
	used := f.invTok
	_, err := f.env.Invites.Accept(ctx, invite.AcceptRequest{Token: used, Name: "Pat", Password: clienteletest.Password})
	require.NoError(t, err)
	replaced := f.newInvitation("replaced@example.com")
	inv := f.pendingID("replaced@example.com")
	_, err = f.env.Invites.Resend(ctx, f.env.AgencyAdmin(), f.a.ID, inv)
	require.NoError(t, err)
	cancelled := f.newInvitation("cancelled@example.com")
	require.NoError(t, f.env.Invites.Cancel(ctx, f.env.AgencyAdmin(), f.a.ID, f.pendingID("cancelled@example.com")))

	// An email in both clients, and another agency holding a domain.
	_, err = f.env.Invites.Create(ctx, f.env.AgencyAdmin(), f.b.ID, "member-a@example.com", clientele.RoleMember)
	require.NoError(t, err)
	tok, err := f.env.Mailer.TokenTo("member-a@example.com")
	require.NoError(t, err)
	_, err = f.env.Invites.Accept(ctx, invite.AcceptRequest{Token: tok, Account: f.memberA.UserID})
	require.NoError(t, err)
	_, err = f.env.Tenancy.CreateAgency(ctx, clientele.Branding{Name: "Other", CustomDomain: "taken.example"})
	require.NoError(t, err)

	signIn := func(email, pw, client string) string {
		return jsonString(map[string]string{"email": email, "password": pw, "client": client})
	}
	tests := []struct {
		name, method, path, body string
		opts                     []opt
		status                   int
		code                     string
	}{
		{"malformed JSON", "POST", "/api/v1/clients", `{"name":`, []opt{bearer(agencyToken)}, 400, "bad_request"},
		{"not an object", "POST", "/api/v1/clients", `[]`, []opt{bearer(agencyToken)}, 400, "bad_request"},
		{"empty body", "POST", "/api/v1/clients", ``, []opt{bearer(agencyToken)}, 400, "bad_request"},
		{"unknown field", "POST", "/api/v1/clients", `{"name":"X","owner":"me"}`, []opt{bearer(agencyToken)}, 400, "bad_request"},
		{"trailing JSON", "POST", "/api/v1/clients", `{"name":"X"} {"name":"Y"}`, []opt{bearer(agencyToken)}, 400, "bad_request"},
		{"trailing garbage", "POST", "/api/v1/clients", `{"name":"X"}x`, []opt{bearer(agencyToken)}, 400, "bad_request"},
		{"wrong type", "POST", "/api/v1/clients", `{"name":5}`, []opt{bearer(agencyToken)}, 400, "bad_request"},
		{"invalid name", "POST", "/api/v1/clients", `{"name":"  "}`, []opt{bearer(agencyToken)}, 400, "bad_request"},
		{"bad email", "POST", invitations, `{"email":"Ada <ada@example.com>","role":"member"}`, []opt{bearer(admin)}, 400, "invalid_email"},
		{"unknown role", "POST", invitations, `{"email":"ada@example.com","role":"owner"}`, []opt{bearer(admin)}, 400, "invalid_role"},
		{"unknown permission", "PUT", fmt.Sprintf("/api/v1/clients/%s/permissions", f.a.ID), `{"permissions":["teleport"]}`, []opt{bearer(agencyToken)}, 400, "unknown_permission"},
		{"missing permissions", "PUT", fmt.Sprintf("/api/v1/clients/%s/permissions", f.a.ID), `{}`, []opt{bearer(agencyToken)}, 400, "bad_request"},
		{"bad cursor", "GET", "/api/v1/clients?cursor=nope", "", []opt{bearer(agencyToken)}, 400, "bad_request"},
		{"client required", "POST", "/api/v1/session", signIn("member-a@example.com", clienteletest.Password, ""), nil, 400, "client_required"},

		{"no credentials", "GET", "/api/v1/me", "", nil, 401, "unauthenticated"},
		{"unknown bearer", "GET", "/api/v1/me", "", []opt{bearer("nope")}, 401, "unauthenticated"},
		{"basic auth", "GET", "/api/v1/me", "", []opt{header("Authorization", "Basic YTpi")}, 401, "unauthenticated"},
		{"empty bearer", "GET", "/api/v1/me", "", []opt{header("Authorization", "Bearer ")}, 401, "unauthenticated"},
		{"wrong password", "POST", "/api/v1/session", signIn("admin-a@example.com", "wrong password", ""), nil, 401, "invalid_credentials"},
		{"unknown email", "POST", "/api/v1/session", signIn("nobody@example.com", "wrong password", ""), nil, 401, "invalid_credentials"},
		{"malformed sign-in email", "POST", "/api/v1/session", signIn("nobody", "x", ""), nil, 400, "invalid_email"},

		{"member invites", "POST", invitations, `{"email":"ada@example.com","role":"member"}`, []opt{bearer(member)}, 403, "forbidden"},
		{"admin sets permissions", "PUT", fmt.Sprintf("/api/v1/clients/%s/permissions", f.a.ID), `{"permissions":[]}`, []opt{bearer(admin)}, 403, "forbidden"},
		{"admin on another client's agency route", "PUT", fmt.Sprintf("/api/v1/clients/%s/permissions", f.b.ID), `{"permissions":[]}`, []opt{bearer(admin)}, 403, "forbidden"},
		{"agency on /me", "GET", "/api/v1/me", "", []opt{bearer(agencyToken)}, 403, "forbidden"},
		{"no access to that client", "POST", "/api/v1/session", signIn("admin-a@example.com", clienteletest.Password, string(f.b.ID)), nil, 401, "no_access"},

		{"unknown client", "GET", "/api/v1/clients/cli_nope/users", "", []opt{bearer(agencyToken)}, 404, "not_found"},
		{"malformed client", "GET", "/api/v1/clients/NOPE!/users", "", []opt{bearer(agencyToken)}, 404, "not_found"},
		{"unknown token", "GET", "/api/v1/invitations/nope", "", nil, 404, "not_found"},
		{"unknown route", "GET", "/api/v2/clients", "", nil, 404, "not_found"},

		{"already member", "POST", invitations, `{"email":"member-a@example.com","role":"member"}`, []opt{bearer(admin)}, 409, "already_member"},
		{"pending exists", "POST", invitations, `{"email":"replaced@example.com","role":"member"}`, []opt{bearer(admin)}, 409, "pending_invitation"},
		{"last admin", "PATCH", fmt.Sprintf("/api/v1/clients/%s/users/%s", f.a.ID, f.adminA.UserID), `{"role":"member"}`, []opt{bearer(admin)}, 409, "last_admin"},
		{"domain taken", "PUT", "/api/v1/agency/branding", `{"name":"Acme","custom_domain":"taken.example"}`, []opt{bearer(agencyToken)}, 409, "conflict"},

		{"used link", "GET", "/api/v1/invitations/" + used, "", nil, 410, "used"},
		{"replaced link", "GET", "/api/v1/invitations/" + replaced, "", nil, 410, "replaced"},
		{"cancelled link", "GET", "/api/v1/invitations/" + cancelled, "", nil, 410, "cancelled"},
		{"accept used link", "POST", "/api/v1/invitations/accept", jsonString(map[string]string{"token": used, "name": "Pat", "password": clienteletest.Password}), nil, 410, "used"},

		{"method not allowed", "PUT", "/api/v1/session", "", nil, 405, "method_not_allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := f.do(tt.method, tt.path, tt.body, tt.opts...)
			assert.Equal(t, tt.code, errorCode(t, w, tt.status))
		})
	}
}

func TestErrorCodesOfLinksAndPasswords(t *testing.T) {
	f := newFixture(t)
	accept := func(tok, pw string) string {
		return jsonString(map[string]string{"token": tok, "name": "Pat", "password": pw})
	}
	w := f.do("POST", "/api/v1/invitations/accept", accept(f.invTok, "short"))
	assert.Equal(t, "weak_password", errorCode(t, w, 400))

	f.env.Clock.Advance(invite.DefaultTTL)
	w = f.do("GET", "/api/v1/invitations/"+f.invTok, "")
	assert.Equal(t, "expired", errorCode(t, w, 410))
	w = f.do("POST", "/api/v1/invitations/accept", accept(f.invTok, clienteletest.Password))
	assert.Equal(t, "expired", errorCode(t, w, 410))
}

func TestMethodNotAllowedListsMethods(t *testing.T) {
	f := newFixture(t)
	w := f.do("GET", fmt.Sprintf("/api/v1/clients/%s/users/%s", f.a.ID, f.memberA.UserID), "", bearer(agencyToken))
	assert.Equal(t, "method_not_allowed", errorCode(t, w, 405))
	assert.Equal(t, "DELETE, PATCH", w.Header().Get("Allow"))
}

func TestUnauthenticatedAsksForBearer(t *testing.T) {
	f := newFixture(t)
	w := f.do("GET", "/api/v1/me", "")
	assert.Equal(t, "unauthenticated", errorCode(t, w, 401))
	assert.Equal(t, "Bearer", w.Header().Get("WWW-Authenticate"))
}

func TestBodyCap(t *testing.T) {
	f := newFixture(t)
	const mib = 1 << 20
	over := `{"name":"` + strings.Repeat("a", mib) + `"}`
	w := f.do("POST", "/api/v1/clients", over, bearer(agencyToken))
	assert.Equal(t, "body_too_large", errorCode(t, w, http.StatusRequestEntityTooLarge))

	// Exactly 1 MiB is read in full.
	body := `{"name":"Padded"}`
	exact := body + strings.Repeat(" ", mib-len(body))
	w = f.do("POST", "/api/v1/clients", exact, bearer(agencyToken))
	require.Equal(t, http.StatusCreated, w.Code, w.Body.String())
	w = f.do("POST", "/api/v1/clients", exact+" ", bearer(agencyToken))
	assert.Equal(t, "body_too_large", errorCode(t, w, http.StatusRequestEntityTooLarge))
}

func TestListLimits(t *testing.T) {
	f := newFixture(t)
	for _, q := range []string{"limit=201", "limit=0", "limit=-1", "limit=abc", "limit=", "limit=1e2"} {
		t.Run(q, func(t *testing.T) {
			w := f.do("GET", "/api/v1/clients?"+q, "", bearer(agencyToken))
			assert.Equal(t, "bad_request", errorCode(t, w, 400))
			w = f.do("GET", fmt.Sprintf("/api/v1/clients/%s/users?%s", f.a.ID, q), "", bearer(agencyToken))
			assert.Equal(t, "bad_request", errorCode(t, w, 400))
		})
	}
	w := f.do("GET", "/api/v1/clients?limit=200", "", bearer(agencyToken))
	assert.Equal(t, http.StatusOK, w.Code)
}

func TestListPages(t *testing.T) {
	f := newFixture(t)
	f.env.NewClient(t, "Charlie")
	type clientsPage struct {
		Clients []struct {
			ID          string   `json:"id"`
			Name        string   `json:"name"`
			Permissions []string `json:"permissions"`
		} `json:"clients"`
		Next string `json:"next"`
	}
	w := f.do("GET", "/api/v1/clients?limit=2", "", bearer(agencyToken))
	require.Equal(t, http.StatusOK, w.Code)
	first := decode[clientsPage](t, w)
	require.Len(t, first.Clients, 2)
	assert.Equal(t, "Alpha", first.Clients[0].Name)
	assert.Equal(t, []string{"manage_billing", "view_reports"}, first.Clients[0].Permissions)
	assert.Equal(t, []string{}, first.Clients[1].Permissions, "permissions are always an array")
	require.NotEmpty(t, first.Next)

	w = f.do("GET", "/api/v1/clients?limit=2&cursor="+first.Next, "", bearer(agencyToken))
	require.Equal(t, http.StatusOK, w.Code)
	second := decode[clientsPage](t, w)
	require.Len(t, second.Clients, 1)
	assert.Equal(t, "Charlie", second.Clients[0].Name)
	assert.Contains(t, w.Body.String(), `"next":""`, "the last page says so with an empty next")

	type usersPage struct {
		Users []map[string]any `json:"users"`
		Next  string           `json:"next"`
	}
	w = f.do("GET", fmt.Sprintf("/api/v1/clients/%s/users", f.a.ID), "", bearer(agencyToken))
	require.Equal(t, http.StatusOK, w.Code)
	users := decode[usersPage](t, w)
	require.Len(t, users.Users, 3)
	assert.Empty(t, users.Next)
	byEmail := map[string]map[string]any{}
	for _, u := range users.Users {
		byEmail[u["email"].(string)] = u
	}
	pending := byEmail["pending@example.com"]
	assert.Equal(t, map[string]any{"id": string(f.inv.ID), "name": "", "email": "pending@example.com", "role": "member",
		"status": "pending", "last_active_at": nil, "expires_at": f.inv.ExpiresAt.Format(time.RFC3339)}, pending)
	admin := byEmail["admin-a@example.com"]
	assert.Equal(t, string(f.adminA.UserID), admin["id"])
	assert.Equal(t, "active", admin["status"])
	assert.Equal(t, "admin", admin["role"])
	assert.NotContains(t, admin, "expires_at")
	assert.Contains(t, admin, "last_active_at")
}

// TestUnavailable checks that clientele.ErrUnavailable, wherever it sits
// in the chain, answers 503 unavailable with Retry-After and a warning and
// leaks nothing; that a cancelled request never answers 503; and that the
// HTTP edge reads no driver error itself: one no store named stays 500.
func TestUnavailable(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	down := fmt.Errorf("bunstore: get session: %w", fmt.Errorf("%w: %w", clientele.ErrUnavailable, refused))
	tests := []struct {
		name   string
		err    error
		status int
		code   string
	}{
		{"named by a store", down, 503, "unavailable"},
		{"the bare sentinel", clientele.ErrUnavailable, 503, "unavailable"},
		{"under a service's sentinel", fmt.Errorf("%w: %w", authn.ErrCeremony, down), 503, "unavailable"},
		{"beside not found", fmt.Errorf("%w: %w", clientele.ErrNotFound, down), 503, "unavailable"},

		{"cancelled request", fmt.Errorf("%w: %w", context.Canceled, down), 500, "internal"},
		{"cancelled under a sentinel", fmt.Errorf("%w: %w: %w", authn.ErrCeremony, context.Canceled, down), 400, "passkey_failed"},
		{"a driver error no store named", fmt.Errorf("bunstore: get session: %w", refused), 500, "internal"},
		{"a bad connection no store named", driver.ErrBadConn, 500, "internal"},
		{"plain failure", errors.New("disk full"), 500, "internal"},
		{"a sentinel alone", fmt.Errorf("bunstore: %w", clientele.ErrNotFound), 404, "not_found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			w := httptest.NewRecorder()
			tenancyhttp.WriteError(w, httptest.NewRequest("GET", "/api/v1/me", nil), tt.err, log)
			assert.Equal(t, tt.code, errorCode(t, w, tt.status))
			if tt.status == http.StatusServiceUnavailable {
				assert.Equal(t, "5", w.Header().Get("Retry-After"))
				assert.Contains(t, logs.String(), "level=WARN msg=\"store unavailable\"")
				assert.NotContains(t, w.Body.String(), "refused", "no detail leaks")
				return
			}
			assert.Empty(t, w.Header().Get("Retry-After"))
			assert.NotContains(t, logs.String(), "store unavailable")
			if errors.Is(tt.err, context.Canceled) && tt.status == http.StatusInternalServerError {
				assert.Contains(t, logs.String(), "level=DEBUG msg=\"request failed\"", "a cancelled request is logged at debug level")
			}
		})
	}
}
