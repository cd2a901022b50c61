package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele/authn"
)

func TestParseTrustedProxies(t *testing.T) {
	prefixes := func(ss ...string) []netip.Prefix {
		var out []netip.Prefix
		for _, s := range ss {
			out = append(out, netip.MustParsePrefix(s))
		}
		return out
	}
	for _, tc := range []struct {
		name string
		flag string // "-" for no flag
		env  string
		want []netip.Prefix
		bad  bool
	}{
		{name: "none", flag: "-"},
		{name: "one CIDR", flag: "10.0.0.0/8", want: prefixes("10.0.0.0/8")},
		{name: "bare IPv4", flag: "10.0.0.1", want: prefixes("10.0.0.1/32")},
		{name: "bare IPv6", flag: "::1", want: prefixes("::1/128")},
		{name: "IPv6 CIDR", flag: "2001:db8::/32", want: prefixes("2001:db8::/32")},
		{name: "a list, spaces and an empty item", flag: " 10.0.0.0/8 , 192.168.1.0/24 ,", want: prefixes("10.0.0.0/8", "192.168.1.0/24")},
		{name: "host bits cleared", flag: "10.1.2.3/8", want: prefixes("10.0.0.0/8")},
		{name: "IPv4-mapped read as IPv4", flag: "::ffff:10.0.0.1,::ffff:10.0.0.0/104", want: prefixes("10.0.0.1/32", "10.0.0.0/8")},
		{name: "from the environment", flag: "-", env: "172.16.0.0/12", want: prefixes("172.16.0.0/12")},
		{name: "the flag wins over the environment", flag: "127.0.0.1", env: "172.16.0.0/12", want: prefixes("127.0.0.1/32")},
		{name: "bits out of range", flag: "10.0.0.0/33", bad: true},
		{name: "a name", flag: "proxy.internal", bad: true},
		{name: "semicolons", flag: "10.0.0.0/8;10.1.0.0/16", bad: true},
		{name: "an IPv6 zone", flag: "fe80::1%eth0", bad: true},
		{name: "no bits", flag: "10.0.0.1/", bad: true},
		{name: "malformed in the environment", flag: "-", env: "10.0.0.0/8,nope", bad: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var args []string
			if tc.flag != "-" {
				args = []string{"-trusted-proxies", tc.flag}
			}
			cfg, err := parseConfig(args, func(k string) string {
				if k == "PORTAL_TRUSTED_PROXIES" {
					return tc.env
				}
				return ""
			}, io.Discard)
			if tc.bad {
				require.ErrorIs(t, err, errUsage, "a usage error: exit code 2")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, cfg.TrustedProxies)
		})
	}
}

// callFrom is portal.call with an X-Forwarded-For header (when not "").
func (p *portal) callFrom(t *testing.T, forwardedFor, method, path, bearer string, body, out any) int {
	t.Helper()
	b, err := json.Marshal(body)
	require.NoError(t, err)
	req, err := http.NewRequest(method, p.base+path, bytes.NewReader(b))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	if forwardedFor != "" {
		req.Header.Set("X-Forwarded-For", forwardedFor)
	}
	res, err := p.client.Do(req)
	require.NoError(t, err)
	defer func() { require.NoError(t, res.Body.Close()) }()
	if out != nil {
		require.NoError(t, json.NewDecoder(res.Body).Decode(out))
	}
	return res.StatusCode
}

// brandingAuditIP changes the branding with X-Forwarded-For forwardedFor
// and returns the ip of its audit event.
func (p *portal) brandingAuditIP(t *testing.T, forwardedFor string) string {
	t.Helper()
	require.Equal(t, http.StatusOK, p.callFrom(t, forwardedFor, "PUT", "/api/v1/agency/branding", p.token, map[string]string{"name": "Acme"}, nil))
	var audit struct {
		Events []struct{ Action, IP string }
	}
	require.Equal(t, http.StatusOK, p.call(t, "GET", "/api/v1/audit", p.token, nil, &audit))
	for _, ev := range audit.Events {
		if ev.Action == "agency.branding" {
			return ev.IP
		}
	}
	require.Fail(t, "no branding event in the audit log")
	return ""
}

// TestTrustedProxies runs the server with and without -trusted-proxies
// 127.0.0.0/8 (the tests' peer) and a per-IP sign-in limit of 3: behind a
// trusted proxy, the addresses of X-Forwarded-For are counted apart and
// recorded in the audit log; without the flag the header is ignored, and
// changing it does not dodge the limit.
func TestTrustedProxies(t *testing.T) {
	limits := authn.DefaultLimits
	limits.SignInPerIP = authn.Rule{Max: 3, Window: time.Hour}
	small := func(c *config) { c.authnOptions = []authn.Option{authn.WithLimits(limits)} }
	n := 0
	signIn := func(t *testing.T, p *portal, forwardedFor string) int {
		t.Helper()
		n++ // a new email every time: only the per-IP limit counts
		return p.callFrom(t, forwardedFor, "POST", "/api/v1/session", "",
			map[string]string{"email": fmt.Sprintf("nobody%d@example.com", n), "password": "not the password"}, nil)
	}

	t.Run("trusted", func(t *testing.T) {
		p := startPortalWith(t, "sqlite:"+filepath.Join(t.TempDir(), "portal.db"), small, "-trusted-proxies", "127.0.0.0/8")
		for range 3 {
			require.Equal(t, http.StatusUnauthorized, signIn(t, p, "198.51.100.1"))
		}
		assert.Equal(t, http.StatusTooManyRequests, signIn(t, p, "198.51.100.1"), "198.51.100.1 used its attempts")
		assert.Equal(t, http.StatusTooManyRequests, signIn(t, p, "198.51.100.2, 198.51.100.1"),
			"what the client adds left of its own address changes nothing")
		assert.Equal(t, http.StatusUnauthorized, signIn(t, p, "198.51.100.2"), "another address has its own count")
		assert.Equal(t, "203.0.113.7", p.brandingAuditIP(t, "203.0.113.7"))
		assert.Equal(t, "127.0.0.1", p.brandingAuditIP(t, ""), "no header: the peer")
	})
	t.Run("not trusted", func(t *testing.T) {
		p := startPortalWith(t, "sqlite:"+filepath.Join(t.TempDir(), "portal.db"), small)
		for i := range 3 {
			require.Equal(t, http.StatusUnauthorized, signIn(t, p, fmt.Sprintf("198.51.100.%d", i+1)))
		}
		assert.Equal(t, http.StatusTooManyRequests, signIn(t, p, "198.51.100.9"), "X-Forwarded-For does not dodge the limit")
		assert.Equal(t, "127.0.0.1", p.brandingAuditIP(t, "203.0.113.7"), "the header is ignored")
	})
}
