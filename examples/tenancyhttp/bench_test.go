package tenancyhttp_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/authn"
	"github.com/clientele/clientele/clienteletest"
	"github.com/clientele/clientele/examples/tenancyhttp"
)

// BenchmarkMe serves an authorized GET /api/v1/me through the whole API
// (portal, caller, route, decision, JSON) on the in-memory store, beside
// BenchmarkBare, a handler writing the same bytes: the HTTP layer's own
// cost per request, without network or database.
func BenchmarkMe(b *testing.B) {
	env := clienteletest.New(b)
	api, err := tenancyhttp.New(tenancyhttp.Config{Tenancy: env.Tenancy, Invites: env.Invites, Authn: env.Authn,
		Authorizer: env.Authorizer, AgencyID: env.Agency.ID, AgencyToken: agencyToken, BaseURL: clienteletest.BaseURL,
		Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	c := env.NewClient(b, "Alpha", clientele.PermViewReports)
	env.AddUser(b, c.ID, "ada@example.com", clientele.RoleMember)
	tok, _, err := env.Authn.SignIn(context.Background(), authn.SignInRequest{AgencyID: env.Agency.ID, Email: "ada@example.com",
		Password: clienteletest.Password, IP: netip.MustParseAddr("192.0.2.1")})
	if err != nil {
		b.Fatal(err)
	}
	h := api.Handler()
	req := httptest.NewRequest("GET", clienteletest.BaseURL+"/api/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != http.StatusOK {
		b.Fatalf("GET /api/v1/me: %d %s", w.Code, w.Body)
	}
	body := w.Body.Bytes()
	b.Run("api", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
		}
	})
	b.Run("bare", func(b *testing.B) {
		bare := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(body)
		})
		b.ReportAllocs()
		for b.Loop() {
			w := httptest.NewRecorder()
			bare.ServeHTTP(w, req)
		}
	})
}
