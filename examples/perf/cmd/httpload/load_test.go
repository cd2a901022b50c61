package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakePortal answers GET /api/v1/me like the portal: 401 for a token it
// does not know or a removed user, else 200 with the user's role. It
// counts the tokens it saw.
type fakePortal struct {
	mu      sync.Mutex
	roles   map[string]string // by bearer token; "" is removed
	seen    map[string]int
	badHost int
}

func newFakePortal(ms []member) *fakePortal {
	f := &fakePortal{roles: make(map[string]string), seen: make(map[string]int)}
	for _, m := range ms {
		f.roles[sessionToken(m.Client, m.User)] = m.Role
	}
	return f
}

func (f *fakePortal) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	f.mu.Lock()
	f.seen[tok]++
	role, ok := f.roles[tok]
	if r.Host != "portal.test" {
		f.badHost++
	}
	f.mu.Unlock()
	if !ok || role == "" {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"user":{"role":"x"},"client":{"id":"c"},"role":%q,"permissions":[]}`, role)
}

func sessionsOf(t *testing.T, ms []member) *sessionList {
	t.Helper()
	var b strings.Builder
	for _, m := range ms {
		b.WriteString(m.Client + "\t" + m.User + "\t" + m.Role + "\n")
	}
	l, err := parseSessions(strings.NewReader(b.String()), 0)
	require.NoError(t, err)
	return l
}

func TestLoadWarmRecordsTheFlipSet(t *testing.T) {
	var ms []member
	for i := range 20 {
		ms = append(ms, member{fmt.Sprintf("cli_%d", i/4), fmt.Sprintf("usr_%d", i), "member"})
	}
	ms[5].Role, ms[6].Role = "admin", "" // usr_6 removed
	fake := newFakePortal(ms)
	srv := httptest.NewServer(fake)
	defer srv.Close()

	flipSet := []member{ms[5], ms[6], {"cli_x", "usr_beyond_warm", "member"}}
	cfg := runConfig{URL: srv.URL + "/api/v1/me", Host: "portal.test", Mode: modeWarm, Warm: 10, FlipShare: 0.5,
		Conns: 4, Duration: 150 * time.Millisecond, Phase: "test", Seed: 1}
	l, err := newLoad(cfg, sessionsOf(t, ms), flipSet)
	require.NoError(t, err)
	res, err := l.run(context.Background())
	require.NoError(t, err)

	require.Positive(t, res.Requests)
	assert.Equal(t, res.Requests, res.Status["200"]+res.Status["401"], "statuses: %v (%s)", res.Status, res.FirstErr)
	assert.Equal(t, res.Requests, res.Latency.N)
	assert.Zero(t, fake.badHost, "every request carries -host")
	assert.Equal(t, []string{"usr_5", "usr_6", "usr_beyond_warm"}, res.FlipUsers)
	require.NotEmpty(t, res.Flip)
	byUser := map[string]int{}
	for _, a := range res.answers() {
		byUser[a.User]++
		assert.LessOrEqual(t, a.SendNS, a.RecvNS)
		switch a.User {
		case "usr_5":
			assert.Equal(t, answer{User: a.User, SendNS: a.SendNS, RecvNS: a.RecvNS, Status: 200, Role: "admin"}, a)
		case "usr_6", "usr_beyond_warm":
			assert.Equal(t, 401, a.Status, "removed or unknown")
			assert.Empty(t, a.Role)
		}
	}
	assert.Len(t, byUser, 3, "every flip-set user was asked for")
	// Half the requests go to the flip set, and usr_5 and usr_6 are also
	// in the warm set: about 0.5 + 0.5*2/10 of them.
	share := float64(len(res.Flip)) / float64(res.Requests)
	assert.InDelta(t, 0.6, share, 0.15, "share of flip-set answers")
	used := map[string]bool{sessionToken("cli_x", "usr_beyond_warm"): true}
	for _, m := range ms[:10] {
		used[sessionToken(m.Client, m.User)] = true
	}
	for tok := range fake.seen {
		assert.Contains(t, used, tok, "only the warm and flip sets are used")
	}
	assert.Len(t, fake.seen, 11, "the 10 warm sessions and the one beyond")
}

func TestLoadColdNeverRepeatsASession(t *testing.T) {
	var ms []member
	for i := range 5000 {
		ms = append(ms, member{fmt.Sprintf("cli_%d", i/10), fmt.Sprintf("usr_%d", i), "member"})
	}
	fake := newFakePortal(ms)
	srv := httptest.NewServer(fake)
	defer srv.Close()
	cfg := runConfig{URL: srv.URL + "/api/v1/me", Host: "portal.test", Mode: modeCold, Warm: 10, Conns: 4,
		Duration: 100 * time.Millisecond, Phase: "cold", Seed: 1}
	l, err := newLoad(cfg, sessionsOf(t, ms), nil)
	require.NoError(t, err)
	res, err := l.run(context.Background())
	require.NoError(t, err)
	require.Positive(t, res.Requests)
	require.Less(t, res.Requests, len(ms)-10, "the test needs fewer requests than cold sessions")
	assert.False(t, res.ColdWrapped)
	assert.Equal(t, res.Requests, res.Status["200"], "statuses: %v (%s)", res.Status, res.FirstErr)
	assert.Len(t, fake.seen, res.Requests, "no session twice")
	for _, m := range ms[:10] {
		assert.NotContains(t, fake.seen, sessionToken(m.Client, m.User), "no warm session")
	}
	assert.Empty(t, res.Flip)
}

func TestRoleOf(t *testing.T) {
	assert.Equal(t, "admin", roleOf(200, []byte(`{"user":{"role":"member"},"role":"admin"}`)), "the top-level role")
	assert.Empty(t, roleOf(401, []byte(`{"role":"admin"}`)))
	assert.Empty(t, roleOf(200, []byte(`not json`)))
}

func TestLoadSweepSendsEveryWarmSession(t *testing.T) {
	var ms []member
	for i := range 300 {
		ms = append(ms, member{fmt.Sprintf("cli_%d", i/10), fmt.Sprintf("usr_%d", i), "member"})
	}
	fake := newFakePortal(ms)
	srv := httptest.NewServer(fake)
	defer srv.Close()
	cfg := runConfig{URL: srv.URL + "/api/v1/me", Host: "portal.test", Mode: modeWarm, Warm: 200, Conns: 3,
		Duration: time.Nanosecond, Phase: "warmup", Seed: 1, Sweep: true}
	l, err := newLoad(cfg, sessionsOf(t, ms), nil)
	require.NoError(t, err)
	res, err := l.run(context.Background())
	require.NoError(t, err)
	assert.GreaterOrEqual(t, res.Requests, 200, "runs past its duration until the sweep is done")
	assert.Less(t, res.Requests, 200+2*cfg.Conns, "and stops soon after")
	assert.Len(t, fake.seen, 200, "every warm session, none beyond")
	for _, m := range ms[:200] {
		assert.Contains(t, fake.seen, sessionToken(m.Client, m.User))
	}
}
