package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele/internal/dbtest"
)

// portal is a running reference server for one test.
type portal struct {
	base    string
	token   string
	mailDir string
	client  *http.Client
}

// startPortal runs the server on a free port with dsn and the extra
// flags, as `go run` would, and stops it when t ends.
func startPortal(t *testing.T, dsn string, extra ...string) *portal {
	t.Helper()
	return startPortalWith(t, dsn, nil, extra...)
}

// startPortalWith is startPortal with tweak (when not nil) applied to the
// configuration the flags make: for what no flag sets.
func startPortalWith(t *testing.T, dsn string, tweak func(*config), extra ...string) *portal {
	t.Helper()
	addr := freeAddr(t)
	p := &portal{base: "http://" + addr, token: "agency-token-for-tests", mailDir: t.TempDir(), client: &http.Client{Timeout: 10 * time.Second}}
	p.launch(t, append([]string{"-addr", addr, "-db", dsn, "-mail-dir", p.mailDir}, extra...), tweak)
	return p
}

// freeAddr returns a loopback address with a port free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

// launch runs the server with args, p's token and tweak (when not nil)
// applied to the configuration, until t ends; it returns once it serves.
func (p *portal) launch(t *testing.T, args []string, tweak func(*config)) {
	t.Helper()
	env := map[string]string{"PORTAL_AGENCY_TOKEN": p.token}
	ctx, cancel := context.WithCancel(context.Background())
	var out syncBuffer
	done := make(chan error, 1)
	go func() {
		cfg, err := parseConfig(args, func(k string) string { return env[k] }, io.Discard)
		if err == nil && tweak != nil {
			tweak(&cfg)
		}
		if err == nil {
			err = runConfig(ctx, cfg, &out, io.Discard)
		}
		done <- err
	}()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-done)
	})
	require.Eventually(t, func() bool { return strings.Contains(out.String(), "portal: ") }, 20*time.Second, 10*time.Millisecond)
}

// syncBuffer is a bytes.Buffer safe for one writer and one reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// call sends a JSON request with bearer and decodes the JSON answer into
// out (when not nil); it returns the status.
func (p *portal) call(t *testing.T, method, path, bearer string, body any, out any) int {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		require.NoError(t, err)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, p.base+path, rd)
	require.NoError(t, err)
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := p.client.Do(req)
	require.NoError(t, err)
	defer func() { require.NoError(t, res.Body.Close()) }()
	raw, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	if out != nil && len(raw) > 0 {
		require.NoError(t, json.Unmarshal(raw, out), string(raw))
	}
	return res.StatusCode
}

var linkRE = regexp.MustCompile(`http://[^\s"<>]+/invite/([A-Za-z0-9_-]{43})`)

// inviteToken waits for the email to `to` in the mail folder and returns
// the token of its one link.
func (p *portal) inviteToken(t *testing.T, to string) string {
	t.Helper()
	return waitToken(t, to, p.mailDir)
}

// waitToken waits for an email to `to` in any of dirs (with several
// processes, whichever delivers an outbox entry writes it) and returns the
// token of its link.
func waitToken(t *testing.T, to string, dirs ...string) string {
	t.Helper()
	var tok string
	require.Eventually(t, func() bool {
		for _, dir := range dirs {
			files, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
			for _, f := range files {
				raw, err := os.ReadFile(f)
				if err != nil || !bytes.Contains(raw, []byte(to)) {
					continue
				}
				if m := linkRE.FindAllSubmatch(raw, -1); len(m) > 0 {
					tok = string(m[len(m)-1][1])
				}
			}
		}
		return tok != ""
	}, 20*time.Second, 20*time.Millisecond)
	return tok
}

// TestPortalLifecycle walks the contract end to end on the embedded
// default and on every configured SQL database: client, permissions,
// invitation email, acceptance, /me, role change on the next request,
// billing by permission, removal.
func TestPortalLifecycle(t *testing.T) {
	for _, kind := range dbtest.Kinds() {
		t.Run(string(kind), func(t *testing.T) {
			p := startPortal(t, dbtest.DSN(t, kind))
			agency := p.token

			var client struct {
				ID          string   `json:"id"`
				Name        string   `json:"name"`
				Permissions []string `json:"permissions"`
			}
			require.Equal(t, 201, p.call(t, "POST", "/api/v1/clients", agency, map[string]any{"name": "Globex"}, &client))
			assert.Equal(t, []string{}, client.Permissions)
			require.Equal(t, 200, p.call(t, "PUT", "/api/v1/clients/"+client.ID+"/permissions", agency,
				map[string]any{"permissions": []string{"view_reports"}}, nil))

			var inv map[string]any
			require.Equal(t, 201, p.call(t, "POST", "/api/v1/clients/"+client.ID+"/invitations", agency,
				map[string]any{"email": "ada@globex.example", "role": "admin"}, &inv))
			assert.Equal(t, "pending", inv["status"])
			tok := p.inviteToken(t, "ada@globex.example")

			var preview map[string]any
			require.Equal(t, 200, p.call(t, "GET", "/api/v1/invitations/"+tok, "", nil, &preview))
			assert.Equal(t, "ada@globex.example", preview["email"])

			var accepted struct {
				User         map[string]any `json:"user"`
				SessionToken string         `json:"session_token"`
			}
			require.Equal(t, 201, p.call(t, "POST", "/api/v1/invitations/accept", "",
				map[string]any{"token": tok, "name": "Ada", "password": "analytical engine"}, &accepted))
			ada := accepted.SessionToken
			require.NotEmpty(t, ada)
			require.Equal(t, 410, p.call(t, "POST", "/api/v1/invitations/accept", "",
				map[string]any{"token": tok, "name": "Ada", "password": "analytical engine"}, nil), "a link works once")

			var me struct {
				Role        string   `json:"role"`
				Permissions []string `json:"permissions"`
			}
			require.Equal(t, 200, p.call(t, "GET", "/api/v1/me", ada, nil, &me))
			assert.Equal(t, "admin", me.Role)
			assert.Equal(t, []string{"view_reports"}, me.Permissions)
			assert.Equal(t, 403, p.call(t, "GET", "/api/v1/clients/"+client.ID+"/billing", ada, nil, nil), "no manage_billing")
			assert.Equal(t, 200, p.call(t, "GET", "/api/v1/clients/"+client.ID+"/reports", ada, nil, nil))

			userID, _ := accepted.User["id"].(string)
			require.Equal(t, 200, p.call(t, "PATCH", "/api/v1/clients/"+client.ID+"/users/"+userID, agency, map[string]any{"role": "member"}, nil))
			require.Equal(t, 200, p.call(t, "GET", "/api/v1/me", ada, nil, &me))
			assert.Equal(t, "member", me.Role, "the role change holds from the very next request")
			assert.Equal(t, 403, p.call(t, "POST", "/api/v1/clients/"+client.ID+"/invitations", ada,
				map[string]any{"email": "bob@globex.example", "role": "member"}, nil))

			require.Equal(t, 204, p.call(t, "DELETE", "/api/v1/clients/"+client.ID+"/users/"+userID, agency, nil, nil))
			assert.Equal(t, 401, p.call(t, "GET", "/api/v1/me", ada, nil, nil), "removal is immediate")
			assert.Equal(t, 401, p.call(t, "GET", "/api/v1/clients", "wrong-token", nil, nil))
		})
	}
}

// TestTwoProcessesOneDatabase runs two servers on one database: what one
// does, the other answers at once, including a role change and a removal
// for a session made on the first.
func TestTwoProcessesOneDatabase(t *testing.T) {
	for _, kind := range []dbtest.Kind{dbtest.Postgres, dbtest.MySQL} {
		t.Run(string(kind), func(t *testing.T) {
			dsn := dbtest.DSN(t, kind)
			a, b := startPortal(t, dsn), startPortal(t, dsn)
			agency := a.token

			var client struct {
				ID string `json:"id"`
			}
			require.Equal(t, 201, a.call(t, "POST", "/api/v1/clients", agency, map[string]any{"name": "Globex"}, &client))
			var list struct {
				Clients []map[string]any `json:"clients"`
			}
			require.Equal(t, 200, b.call(t, "GET", "/api/v1/clients", agency, nil, &list))
			require.Len(t, list.Clients, 1)

			require.Equal(t, 201, b.call(t, "POST", "/api/v1/clients/"+client.ID+"/invitations", agency,
				map[string]any{"email": "ada@globex.example", "role": "admin"}, nil))
			tok := waitToken(t, "ada@globex.example", a.mailDir, b.mailDir)
			var accepted struct {
				User         map[string]any `json:"user"`
				SessionToken string         `json:"session_token"`
			}
			require.Equal(t, 201, a.call(t, "POST", "/api/v1/invitations/accept", "",
				map[string]any{"token": tok, "name": "Ada", "password": "analytical engine"}, &accepted))
			userID, _ := accepted.User["id"].(string)

			require.Equal(t, 200, a.call(t, "PATCH", "/api/v1/clients/"+client.ID+"/users/"+userID, agency, map[string]any{"role": "member"}, nil))
			var me struct {
				Role string `json:"role"`
			}
			require.Equal(t, 200, b.call(t, "GET", "/api/v1/me", accepted.SessionToken, nil, &me))
			assert.Equal(t, "member", me.Role)
			require.Equal(t, 204, b.call(t, "DELETE", "/api/v1/clients/"+client.ID+"/users/"+userID, agency, nil, nil))
			assert.Equal(t, 401, a.call(t, "GET", "/api/v1/me", accepted.SessionToken, nil, nil))
		})
	}
}
