package faults

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// TestKill kills the server with SIGKILL at a random moment of a write
// load, starts it again on the same database and checks what the
// database holds, several times, on SQLite and on the private PostgreSQL
// (see the package doc).
func TestKill(t *testing.T) {
	sz := sizesOf(t)
	t.Run("sqlite", func(t *testing.T) {
		killCycles(t, "sqlite:"+filepath.Join(t.TempDir(), "portal.db"), sz.kills)
	})
	t.Run("postgres", func(t *testing.T) {
		killCycles(t, privatePostgres(t).freshDatabase(t, "faults_kill"), sz.pgKills)
	})
}

// killWorkers is how many users' lifecycles run at once.
const killWorkers = 4

// killWindow bounds the random moment of a kill after a (re)start. The
// server's cache makes each access change wait until every process with a
// live cache lease has seen it, and a killed process keeps its lease for
// up to 4 s: after a restart, changes first wait for it, then run at full
// speed, and the kills land in both stretches.
const killWindow = 5 * time.Second

// killCycles starts the server on dsn, runs killWorkers lifecycles at a
// time, kills the server at a random moment, starts it again and checks
// the database, kills times; the random seed is logged.
func killCycles(t *testing.T, dsn string, kills int) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("random seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 1))
	mailDir := t.TempDir() // kept across restarts, as a deployment's mail folder
	mails := newMailbox(mailDir)
	p := startPortal(t, portalOpts{db: dsn, mailDir: mailDir})
	clients := make([]string, 4)
	for i := range clients {
		clients[i] = p.createClient(t, fmt.Sprintf("Kill %d", i))
	}
	var (
		lives          []*lifecycle
		answered, lost int
		checks         int
		cutDone        [2]int // writes cut by a kill: found not done, done
		starts         []time.Duration
	)
	for k := 1; k <= kills; k++ {
		ctx, cancel := context.WithCancel(t.Context())
		var (
			mu sync.Mutex
			wg sync.WaitGroup
		)
		for w := range killWorkers {
			wrng := rand.New(rand.NewPCG(rng.Uint64(), uint64(w)))
			wg.Go(func() {
				for i := 0; ctx.Err() == nil; i++ {
					l := &lifecycle{client: clients[wrng.IntN(len(clients))], email: fmt.Sprintf("k%02d-w%d-%03d@kill.example", k, w, i)}
					mu.Lock()
					lives = append(lives, l)
					mu.Unlock()
					if !l.run(ctx, p, mails, wrng) {
						return
					}
				}
			})
		}
		pause(ctx, 200*time.Millisecond+time.Duration(rng.Int64N(int64(killWindow-200*time.Millisecond))))
		p.kill()
		cancel()
		wg.Wait()

		began := time.Now()
		p = startPortal(t, portalOpts{db: dsn, mailDir: mailDir})
		starts = append(starts, time.Since(began))
		var n int
		n, cutDone = checkAfterKill(t, p, dsn, lives)
		checks += n
		if t.Failed() {
			t.Fatalf("after kill %d of %d", k, kills)
		}
	}
	cut := map[string]int{}
	for _, l := range lives {
		for _, o := range l.ops {
			if o.err != nil {
				lost++
				cut[o.kind]++
			} else {
				answered++
			}
		}
	}
	p.stop()
	slowest := time.Duration(0)
	for _, d := range starts {
		slowest = max(slowest, d)
	}
	t.Logf("%d kills, %d restarts (slowest start %v), %d users' lifecycles, %d writes answered before a kill, %d cut by one (%v; %d found done, %d not); %d checks passed",
		kills, len(starts), slowest.Round(time.Millisecond), len(lives), answered, lost, cut, cutDone[1], cutDone[0], checks)
}

// lifecycle is one user's story in a client: invited, accepted through
// the emailed link, role changed once or twice, maybe removed. Its writes
// run in order, each only after the one before was answered 2xx.
type lifecycle struct {
	client, email, role string // role: the invitation's
	userID              string
	ops                 []write
	bad                 string // what broke the contract, besides a status
}

// write is one write of a lifecycle and its answer.
type write struct {
	kind string // "invite", "accept", "role", "remove"
	role string // the new role of a "role" write
	answer
}

// run plays l until a write is not answered 2xx; false when the server
// went away (no answer) or ctx ended.
func (l *lifecycle) run(ctx context.Context, p *portal, mails *mailbox, rng *rand.Rand) bool {
	l.role = []string{"admin", "member"}[rng.IntN(2)]
	a, _ := p.invite(ctx, l.client, l.email, l.role)
	if !l.record(write{kind: "invite", answer: a}) {
		return a.err == nil
	}
	tok, err := mails.wait(ctx, l.email, 10*time.Second)
	if err != nil {
		return false
	}
	client := newClient(nextLoopback())
	defer client.CloseIdleConnections()
	a = p.do(ctx, client, "accept", "POST", "/api/v1/invitations/accept", "",
		map[string]string{"token": tok, "name": "Kim", "password": "correct horse battery staple"})
	if !l.record(write{kind: "accept", answer: a}) {
		return a.err == nil
	}
	var acc struct {
		User struct {
			ID string `json:"id"`
		} `json:"user"`
	}
	if json.Unmarshal(a.body, &acc) != nil || acc.User.ID == "" {
		l.bad = fmt.Sprintf("accept answered 201 without a user id: %s", a.body)
		return false
	}
	l.userID = acc.User.ID
	role, path := l.role, "/api/v1/clients/"+l.client+"/users/"+l.userID
	for range 1 + rng.IntN(2) {
		role = map[string]string{"admin": "member", "member": "admin"}[role]
		a = p.do(ctx, nil, "role", "PATCH", path, agencyToken, map[string]string{"role": role})
		if !l.record(write{kind: "role", role: role, answer: a}) {
			return a.err == nil
		}
	}
	if rng.IntN(2) == 0 {
		a = p.do(ctx, nil, "remove", "DELETE", path, agencyToken, nil)
		if !l.record(write{kind: "remove", answer: a}) {
			return a.err == nil
		}
	}
	return true
}

// record keeps w and reports whether it was answered 2xx.
func (l *lifecycle) record(w write) bool {
	l.ops = append(l.ops, w)
	return w.ok()
}

// loopbacks counts the source addresses handed out by nextLoopback.
var loopbacks atomic.Uint32

// nextLoopback returns a fresh address of 127.1.0.0/16 to connect from.
func nextLoopback() net.IP {
	n := loopbacks.Add(1)
	return net.IPv4(127, 1, byte(n/250%250), byte(n%250+1))
}

// userState is what the database holds of one lifecycle.
type userState struct {
	listed  string // "", "pending" or "active"
	role    string // the listed role
	creates int    // invitation.create events
	accepts int    // invitation.accept events
	roles   int    // member.role events
	removes int    // member.remove events
}

// apply is the state after w succeeded.
func (s userState) apply(l *lifecycle, w write) userState {
	switch w.kind {
	case "invite":
		s.listed, s.role, s.creates = "pending", l.role, s.creates+1
	case "accept":
		s.listed, s.accepts = "active", s.accepts+1
	case "role":
		s.role, s.roles = w.role, s.roles+1
	case "remove":
		s.listed, s.role, s.removes = "", "", s.removes+1
	}
	return s
}

// expected lists the states l may be in: after its writes answered 2xx,
// or also after the write cut by the kill.
func (l *lifecycle) expected() []userState {
	var s userState
	for _, w := range l.ops {
		switch {
		case w.ok():
			s = s.apply(l, w)
		case w.err != nil: // no answer: done or not
			return []userState{s, s.apply(l, w)}
		default: // answered otherwise: not done (and reported as a failure)
			return []userState{s}
		}
	}
	return []userState{s}
}

// checkAfterKill checks the database the restarted server p runs on: the
// engine's own checks, the invariants of the schema, and each
// lifecycle's state and audit events. It returns how many checks passed,
// and how many writes cut by a kill were found not done and done.
func checkAfterKill(t *testing.T, p *portal, dsn string, lives []*lifecycle) (int, [2]int) {
	t.Helper()
	checks, cutDone := 0, [2]int{}
	db := readDatabase(t, dsn)
	checks += db.engineChecks
	for _, v := range db.invariantViolations() {
		assert.Fail(t, "invariant broken", v)
	}
	checks += 6

	listed := map[string]userEntry{}
	for _, c := range uniqueClients(lives) {
		for _, u := range p.users(t, c) {
			listed[c+" "+u.Email] = u
		}
	}
	for _, l := range lives {
		assert.Empty(t, l.bad, l.email)
		for _, w := range l.ops {
			assert.True(t, w.ok() || w.err != nil, "%s: %s answered %d %s: %s", l.email, w.kind, w.status, w.code, w.body)
		}
		got := db.stateOf(l)
		if u, ok := listed[l.client+" "+l.email]; ok {
			got.listed, got.role = u.Status, u.Role
		}
		want := l.expected()
		if assert.Contains(t, want, got, "%s in %s after %s", l.email, l.client, describe(l.ops)) {
			checks++
			if len(want) == 2 {
				cutDone[slices.Index(want, got)]++
			}
		}
	}
	return checks, cutDone
}

func uniqueClients(lives []*lifecycle) []string {
	seen := map[string]bool{}
	var out []string
	for _, l := range lives {
		if !seen[l.client] {
			seen[l.client] = true
			out = append(out, l.client)
		}
	}
	return out
}

// describe lists a lifecycle's writes and their answers.
func describe(ops []write) string {
	s := ""
	for _, w := range ops {
		if w.err != nil {
			s += fmt.Sprintf(" %s%s:no-answer", w.kind, w.role)
		} else {
			s += fmt.Sprintf(" %s%s:%d", w.kind, w.role, w.status)
		}
	}
	return s
}
