package main

import (
	"net/http"
	"net/url"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hstsRequests are answers of every kind: a page, an API success, an API
// error, a static asset, unknown paths.
var hstsRequests = []struct {
	name, path string
	agency     bool // send the agency's bearer token
	status     int
}{
	{"page", "/login", false, http.StatusOK},
	{"api 200", "/api/v1/clients", true, http.StatusOK},
	{"api error", "/api/v1/clients", false, http.StatusUnauthorized},
	{"static asset", "/static/app.css", false, http.StatusOK},
	{"unknown page", "/no-such-page", false, http.StatusNotFound},
	{"unknown api path", "/api/v1/no-such-thing", true, http.StatusNotFound},
}

// getWithHost sends GET path with Host host (and the agency's bearer when agency)
// and returns the answer's status and Strict-Transport-Security.
func (p *portal) getWithHost(t *testing.T, host, path string, agency bool) (int, string) {
	t.Helper()
	req, err := http.NewRequest("GET", p.base+path, nil)
	require.NoError(t, err)
	req.Host = host
	if agency {
		req.Header.Set("Authorization", "Bearer "+p.token)
	}
	res, err := p.client.Do(req)
	require.NoError(t, err)
	require.NoError(t, res.Body.Close())
	return res.StatusCode, res.Header.Get("Strict-Transport-Security")
}

// TestStrictTransportSecurity: with an https base URL every answer carries
// Strict-Transport-Security, even one for an unknown host; with an http
// base URL none on the base host does, but the agency's custom domain
// (whose portal URL is https) does.
func TestStrictTransportSecurity(t *testing.T) {
	t.Run("https base URL", func(t *testing.T) {
		p := startPortal(t, "sqlite:"+filepath.Join(t.TempDir(), "portal.db"), "-base-url", "https://portal.example.test")
		for _, tc := range hstsRequests {
			status, hsts := p.getWithHost(t, "portal.example.test", tc.path, tc.agency)
			assert.Equal(t, tc.status, status, tc.name)
			assert.Equal(t, "max-age=31536000", hsts, tc.name)
		}
		status, hsts := p.getWithHost(t, "elsewhere.example.test", "/login", false)
		assert.Equal(t, http.StatusNotFound, status, "an unknown host")
		assert.Equal(t, "max-age=31536000", hsts, "an unknown host")
	})
	t.Run("http base URL", func(t *testing.T) {
		p := startPortal(t, "sqlite:"+filepath.Join(t.TempDir(), "portal.db"))
		u, err := url.Parse(p.base)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, p.call(t, "PUT", "/api/v1/agency/branding", p.token,
			map[string]string{"name": "Acme", "custom_domain": "portal.acme.test"}, nil))
		for _, tc := range hstsRequests {
			status, hsts := p.getWithHost(t, u.Host, tc.path, tc.agency)
			assert.Equal(t, tc.status, status, tc.name)
			assert.Empty(t, hsts, tc.name)

			status, hsts = p.getWithHost(t, "portal.acme.test", tc.path, tc.agency)
			assert.Equal(t, tc.status, status, "custom domain: "+tc.name)
			assert.Equal(t, "max-age=31536000", hsts, "custom domain: "+tc.name)
		}
		status, hsts := p.getWithHost(t, "elsewhere.example.test", "/login", false)
		assert.Equal(t, http.StatusNotFound, status, "an unknown host")
		assert.Empty(t, hsts, "an unknown host")
	})
}
