package faults

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// agencyToken is the PORTAL_AGENCY_TOKEN of every server started here.
const agencyToken = "faults-agency-token-0123456789"

// portalOpts are the flags of one server process.
type portalOpts struct {
	db      string // -db
	mailDir string // -mail-dir ("" makes one)
	smtp    string // -smtp, when set
}

// portal is one running server process.
type portal struct {
	t       *testing.T
	base    string
	mailDir string
	logPath string
	cmd     *exec.Cmd
	exited  chan struct{}
	waitErr error // set when exited is closed
	client  *http.Client
}

// startPortal starts the server with o on a free loopback port and waits
// until it says where it listens. The process is stopped (SIGTERM, then
// SIGKILL) when t ends, and its log is shown if t failed.
func startPortal(t *testing.T, o portalOpts) *portal {
	t.Helper()
	if o.mailDir == "" {
		o.mailDir = t.TempDir()
	}
	var err error
	for range 3 { // a free port may be taken before the server binds it
		var p *portal
		if p, err = tryStartPortal(t, o); err == nil {
			return p
		}
	}
	t.Fatalf("the server did not start: %v", err)
	return nil
}

func tryStartPortal(t *testing.T, o portalOpts) (*portal, error) {
	addr := freeAddr(t)
	logFile, err := os.CreateTemp(t.TempDir(), "portal-*.log")
	require.NoError(t, err)
	args := []string{"-addr", addr, "-db", o.db, "-mail-dir", o.mailDir}
	if o.smtp != "" {
		args = append(args, "-smtp", o.smtp)
	}
	cmd := exec.Command(portalBinary(t), args...)
	cmd.Env = append(withoutPortalEnv(os.Environ()), "PORTAL_AGENCY_TOKEN="+agencyToken)
	cmd.Stderr = logFile
	out := &readyWriter{ready: make(chan struct{})}
	cmd.Stdout = out
	require.NoError(t, cmd.Start())
	require.NoError(t, logFile.Close()) // the child holds its own descriptor
	p := &portal{t: t, base: "http://" + addr, mailDir: o.mailDir, logPath: logFile.Name(), cmd: cmd,
		exited: make(chan struct{}), client: newClient(nil)}
	go func() {
		p.waitErr = cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(p.cleanup)
	select {
	case <-out.ready:
		return p, nil
	case <-p.exited:
		return nil, fmt.Errorf("exited early (%v): %s", p.waitErr, p.logTail(20))
	case <-time.After(60 * time.Second):
		p.kill()
		return nil, fmt.Errorf("not ready after 60 s: %s", p.logTail(20))
	}
}

// readyWriter is the server's standard output: it closes ready once the
// server has said where it listens ("portal: <URL> (listening on …)").
type readyWriter struct {
	mu    sync.Mutex
	out   []byte
	ready chan struct{}
}

func (w *readyWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	said := bytes.Contains(w.out, []byte("portal: "))
	w.out = append(w.out, b...)
	if !said && bytes.Contains(w.out, []byte("portal: ")) {
		close(w.ready)
	}
	return len(b), nil
}

// withoutPortalEnv drops the caller's PORTAL_* variables, so that only
// the flags given here configure the server.
func withoutPortalEnv(env []string) []string {
	out := env[:0:0]
	for _, kv := range env {
		if !strings.HasPrefix(kv, "PORTAL_") {
			out = append(out, kv)
		}
	}
	return out
}

// freeAddr returns a loopback address with a port that was free a moment
// ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

// stop ends the server with SIGTERM, as an operator would, and requires
// a clean exit within 30 s.
func (p *portal) stop() {
	p.t.Helper()
	require.NoError(p.t, p.cmd.Process.Signal(syscall.SIGTERM))
	select {
	case <-p.exited:
		require.NoError(p.t, p.waitErr, "a clean stop exits 0: %s", p.logTail(20))
	case <-time.After(30 * time.Second):
		p.kill()
		p.t.Fatalf("no exit 30 s after SIGTERM: %s", p.logTail(20))
	}
}

// kill ends the server with SIGKILL and waits for it.
func (p *portal) kill() {
	_ = p.cmd.Process.Kill() // fails only when it already exited
	<-p.exited
}

func (p *portal) cleanup() {
	select {
	case <-p.exited:
	default:
		_ = p.cmd.Process.Signal(syscall.SIGTERM) // fails only when it already exited
		select {
		case <-p.exited:
		case <-time.After(30 * time.Second):
			p.kill()
		}
	}
	if p.t.Failed() {
		p.t.Logf("server log (%s), last lines:\n%s", p.base, p.logTail(40))
	}
}

// logTail returns the last n lines of the server's log.
func (p *portal) logTail(n int) string {
	raw, err := os.ReadFile(p.logPath)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(raw), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// newClient is an HTTP client whose connections start from local (nil:
// any loopback address). The server rate limits acceptances per source
// address, so the load spreads them over 127.0.0.0/8 as distinct users
// would come from distinct addresses.
func newClient(local net.IP) *http.Client {
	d := &net.Dialer{Timeout: 5 * time.Second}
	if local != nil {
		d.LocalAddr = &net.TCPAddr{IP: local}
	}
	tr := &http.Transport{DialContext: d.DialContext, MaxIdleConnsPerHost: 16}
	return &http.Client{Transport: tr, Timeout: answerBound + 5*time.Second}
}

// answer is one request and how it was answered.
type answer struct {
	op         string
	start, end time.Time
	status     int    // 0 when no answer came (err)
	code       string // the error's code, for an error answer
	retryAfter string
	body       []byte
	err        error
}

func (a answer) took() time.Duration { return a.end.Sub(a.start) }
func (a answer) ok() bool            { return a.status >= 200 && a.status < 300 }

// String is what a failure message shows.
func (a answer) String() string {
	if a.err != nil {
		return fmt.Sprintf("%s: no answer after %v: %v", a.op, a.took().Round(time.Millisecond), a.err)
	}
	return fmt.Sprintf("%s: %d %s after %v", a.op, a.status, a.code, a.took().Round(time.Millisecond))
}

// do sends one JSON request with client (nil: the portal's) and records
// the answer; it never fails the test.
func (p *portal) do(ctx context.Context, client *http.Client, op, method, path, bearer string, body any) (a answer) {
	if client == nil {
		client = p.client
	}
	a = answer{op: op, start: time.Now()}
	defer func() { a.end = time.Now() }()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			a.err = err
			return a
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, p.base+path, rd)
	if err != nil {
		a.err = err
		return a
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := client.Do(req)
	if err != nil {
		a.err = err
		return a
	}
	a.body, err = io.ReadAll(res.Body)
	_ = res.Body.Close() // fully read; nothing left to report
	if err != nil {
		a.err = err
		return a
	}
	a.status, a.retryAfter = res.StatusCode, res.Header.Get("Retry-After")
	if !a.ok() {
		var e struct {
			Error struct {
				Code string `json:"code"`
			} `json:"error"`
		}
		if json.Unmarshal(a.body, &e) == nil {
			a.code = e.Error.Code
		}
	}
	return a
}

// must sends a request that has to answer want and decodes the answer
// into out (when not nil).
func (p *portal) must(t *testing.T, want int, method, path, bearer string, body, out any) {
	t.Helper()
	a := p.do(t.Context(), nil, path, method, path, bearer, body)
	require.NoError(t, a.err, "%s %s", method, path)
	require.Equal(t, want, a.status, "%s %s: %s", method, path, a.body)
	if out != nil {
		require.NoError(t, json.Unmarshal(a.body, out), "%s", a.body)
	}
}

// createClient makes a client and returns its id.
func (p *portal) createClient(t *testing.T, name string) string {
	t.Helper()
	var c struct {
		ID string `json:"id"`
	}
	p.must(t, http.StatusCreated, "POST", "/api/v1/clients", agencyToken, map[string]string{"name": name}, &c)
	require.NotEmpty(t, c.ID)
	return c.ID
}

// userEntry is an entry of a client's user list.
type userEntry struct {
	ID     string `json:"id"`
	Email  string `json:"email"`
	Role   string `json:"role"`
	Status string `json:"status"`
}

// users lists every user and pending invitation of client, page by page.
func (p *portal) users(t *testing.T, client string) []userEntry {
	t.Helper()
	var all []userEntry
	cursor := ""
	for {
		var page struct {
			Users []userEntry `json:"users"`
			Next  string      `json:"next"`
		}
		p.must(t, http.StatusOK, "GET", "/api/v1/clients/"+client+"/users?limit=200&cursor="+cursor, agencyToken, nil, &page)
		all = append(all, page.Users...)
		if page.Next == "" {
			return all
		}
		cursor = page.Next
	}
}

// auditEvent is an event of the audit log.
type auditEvent struct {
	ID       string `json:"id"`
	ClientID string `json:"client_id"`
	Action   string `json:"action"`
	Target   string `json:"target"`
	After    string `json:"after"`
}

// audit reads the agency's whole audit log.
func (p *portal) audit(t *testing.T) []auditEvent {
	t.Helper()
	var all []auditEvent
	cursor := ""
	for {
		var page struct {
			Events []auditEvent `json:"events"`
			Next   string       `json:"next"`
		}
		p.must(t, http.StatusOK, "GET", "/api/v1/audit?limit=200&cursor="+cursor, agencyToken, nil, &page)
		all = append(all, page.Events...)
		if page.Next == "" {
			return all
		}
		cursor = page.Next
	}
}

// invite asks for an invitation of email to client as role; it returns
// the invitation's id on 201.
func (p *portal) invite(ctx context.Context, client, email, role string) (answer, string) {
	a := p.do(ctx, nil, "invite", "POST", "/api/v1/clients/"+client+"/invitations", agencyToken,
		map[string]string{"email": email, "role": role})
	var inv struct {
		ID string `json:"id"`
	}
	if a.status == http.StatusCreated && json.Unmarshal(a.body, &inv) == nil {
		return a, inv.ID
	}
	return a, ""
}
