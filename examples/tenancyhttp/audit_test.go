package tenancyhttp_test

import (
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/examples/tenancyhttp"
)

type auditPage struct {
	Events []map[string]any `json:"events"`
	Next   string           `json:"next"`
}

// readAudit walks every page of path with limit.
func (f *fixture) readAudit(t *testing.T, path, tok string, limit string) []map[string]any {
	t.Helper()
	var out []map[string]any
	cursor := ""
	for range 100 {
		q := url.Values{"limit": {limit}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		w := f.do("GET", path+"?"+q.Encode(), "", bearer(tok))
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		page := decode[auditPage](t, w)
		require.NotNil(t, page.Events, "a list is never null")
		out = append(out, page.Events...)
		if page.Next == "" {
			return out
		}
		cursor = page.Next
	}
	require.FailNow(t, "pagination does not end")
	return nil
}

func TestAuditLogOverHTTP(t *testing.T) {
	f := newFixture(t)
	adminA := f.signIn("admin-a@example.com", "")
	memberA := f.signIn("member-a@example.com", "")
	assert.Equal(t, "forbidden", errorCode(t, f.do("GET", "/api/v1/clients/"+string(f.a.ID)+"/audit", "", bearer(memberA)),
		http.StatusForbidden), "a member may not read its client's log")
	f.env.Clock.Advance(time.Minute)
	w := f.do("PATCH", "/api/v1/clients/"+string(f.a.ID)+"/users/"+string(f.memberA.UserID), `{"role":"admin"}`,
		bearer(adminA), header("X-Forwarded-For", "203.0.113.5"))
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	f.env.Clock.Advance(time.Minute)
	w = f.do("PUT", "/api/v1/agency/branding", `{"name":"Acme Two"}`, bearer(agencyToken))
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())

	clientLog := f.readAudit(t, "/api/v1/clients/"+string(f.a.ID)+"/audit", adminA, "2")
	require.NotEmpty(t, clientLog)
	ev := clientLog[0]
	keys := make([]string, 0, len(ev))
	for k := range ev {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	assert.Equal(t, []string{"action", "actor", "after", "at", "before", "client_id", "id", "ip", "target"}, keys)
	assert.Equal(t, "member.role", ev["action"])
	assert.Equal(t, string(f.adminA.UserID), ev["actor"])
	assert.Equal(t, string(f.memberA.UserID), ev["target"])
	assert.Equal(t, string(f.a.ID), ev["client_id"])
	assert.Equal(t, "member", ev["before"])
	assert.Equal(t, "admin", ev["after"])
	assert.Equal(t, "192.0.2.1", ev["ip"], "the peer: X-Forwarded-For of an untrusted peer is ignored")
	assert.Equal(t, f.env.Clock.Now().Add(-time.Minute).Format(time.RFC3339Nano), ev["at"])
	for _, ev := range clientLog {
		assert.Equal(t, string(f.a.ID), ev["client_id"], "only client A's events")
	}

	agencyLog := f.readAudit(t, "/api/v1/audit", agencyToken, "200")
	assert.Greater(t, len(agencyLog), len(clientLog), "client B's events too")
	assert.Equal(t, "agency.branding", agencyLog[0]["action"], "newest first")
	assert.Equal(t, "", agencyLog[0]["client_id"])
	assert.Equal(t, "agency", agencyLog[0]["actor"])
	assert.Equal(t, agencyLog, f.readAudit(t, "/api/v1/audit", agencyToken, "1"), "pages without gaps")
	seen := map[any]bool{}
	for _, ev := range agencyLog {
		seen[ev["client_id"]] = true
	}
	assert.Equal(t, map[any]bool{string(f.a.ID): true, string(f.b.ID): true, "": true}, seen)

	whole := f.do("GET", "/api/v1/audit?limit=200", "", bearer(agencyToken)).Body.String()
	assert.NotContains(t, whole, f.invTok, "no token in the log")
	assert.NotContains(t, whole, "$argon2id$", "no password hash in the log")

	for _, q := range []string{"?limit=0", "?limit=201", "?limit=x", "?cursor=nope"} {
		w := f.do("GET", "/api/v1/audit"+q, "", bearer(agencyToken))
		assert.Equal(t, "bad_request", errorCode(t, w, http.StatusBadRequest), q)
	}
	assert.Equal(t, "forbidden", errorCode(t, f.do("GET", "/api/v1/audit", "", bearer(adminA)), http.StatusForbidden),
		"a client admin may not read the agency's log")
	adminB := f.signIn("admin-b@example.com", "")
	assert.Equal(t, "not_found", errorCode(t, f.do("GET", "/api/v1/clients/"+string(f.a.ID)+"/audit", "", bearer(adminB)),
		http.StatusNotFound))
}

// Behind a trusted proxy the event's IP is the forwarded client's.
func TestAuditIPBehindATrustedProxy(t *testing.T) {
	f := newFixture(t)
	api, err := tenancyhttp.New(tenancyhttp.Config{
		Tenancy: f.env.Tenancy, Invites: f.env.Invites, Authn: f.env.Authn, Authorizer: f.env.Authorizer,
		AgencyID: f.env.Agency.ID, AgencyToken: agencyToken, BaseURL: "https://" + portalHost,
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")},
		Logger:         slog.New(slog.DiscardHandler), Clock: f.env.Clock.Now,
	})
	require.NoError(t, err)
	f.env.Clock.Advance(time.Minute)
	w := serve(api.Handler(), "POST", "/api/v1/clients/"+string(f.a.ID)+"/users/"+string(f.memberA.UserID)+"/deactivate", "",
		bearer(agencyToken), header("X-Forwarded-For", "198.51.100.1, 203.0.113.5"))
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())

	ev := f.env.AuditLog(t, f.a.ID)[0]
	assert.Equal(t, clientele.AuditMemberDeactivate, ev.Action)
	assert.Equal(t, "203.0.113.5", ev.IP, "the right-most address that is not a trusted proxy")
	assert.False(t, strings.Contains(ev.IP, ","))
}
