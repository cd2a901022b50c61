package faults

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// inviteCall is one invitation asked for by the load and its answer.
type inviteCall struct {
	client, email string
	id            string // the invitation's id, on 201
	answer
}

// recorder keeps every answer of a load. It is safe for concurrent use.
type recorder struct {
	mu      sync.Mutex
	answers []answer
	invites []inviteCall
}

func (r *recorder) add(a answer) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.answers = append(r.answers, a)
}

func (r *recorder) addInvite(c inviteCall) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.answers = append(r.answers, c.answer)
	r.invites = append(r.invites, c)
}

// snapshot returns the answers so far, by start time.
func (r *recorder) snapshot() []answer {
	r.mu.Lock()
	out := slices.Clone(r.answers)
	r.mu.Unlock()
	slices.SortFunc(out, func(a, b answer) int { return a.start.Compare(b.start) })
	return out
}

func (r *recorder) inviteCalls() []inviteCall {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.invites)
}

// readLoad is the loopback load of the outage test: workers that each
// repeat one request at a fixed pace until stopped. Invitations go to the
// clients in turn, slower than the server's per-client limit (60 a
// minute), with unique emails.
type readLoad struct {
	p       *portal
	rec     *recorder
	session string
	clients []string
	stopped atomic.Bool
	emails  atomic.Int64
	wg      sync.WaitGroup
}

// Paces of the load's workers: with two /me workers, one client-list
// worker and two invitation workers, about 130 requests a second.
const (
	readPace   = 25 * time.Millisecond
	invitePace = 200 * time.Millisecond
)

// start runs the workers. Their requests are never cancelled: each ends
// with an answer or the client's timeout.
func (l *readLoad) start(ctx context.Context) {
	work := func(pace time.Duration, step func()) {
		l.wg.Go(func() {
			tick := time.NewTicker(pace)
			defer tick.Stop()
			for !l.stopped.Load() {
				step()
				select {
				case <-ctx.Done():
					return
				case <-tick.C:
				}
			}
		})
	}
	me := func() { l.rec.add(l.p.do(ctx, nil, "me", "GET", "/api/v1/me", l.session, nil)) }
	list := func() { l.rec.add(l.p.do(ctx, nil, "clients", "GET", "/api/v1/clients", agencyToken, nil)) }
	invite := func() {
		n := l.emails.Add(1)
		c := inviteCall{client: l.clients[int(n)%len(l.clients)], email: fmt.Sprintf("load-%05d@outage.example", n)}
		c.answer, c.id = l.p.invite(ctx, c.client, c.email, "member")
		l.rec.addInvite(c)
	}
	work(readPace, me)
	work(readPace, me)
	work(readPace, list)
	work(invitePace, invite)
	work(invitePace, invite)
}

// stop stops the workers and waits for their last answers.
func (l *readLoad) stop() {
	l.stopped.Store(true)
	l.wg.Wait()
}

// tally counts answers by "op status [code]".
func tally(as []answer) map[string]int {
	m := map[string]int{}
	for _, a := range as {
		m[statusKey(a)]++
	}
	return m
}

func statusKey(a answer) string {
	switch {
	case a.err != nil:
		return a.op + " no-answer"
	case a.code != "":
		return fmt.Sprintf("%s %d %s", a.op, a.status, a.code)
	}
	return fmt.Sprintf("%s %d", a.op, a.status)
}

// formatTally prints a tally in a stable order.
func formatTally(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s: %d", k, m[k])
	}
	return strings.Join(parts, ", ")
}

// unavailableAnswer reports the contract's answer of a server whose
// database is away: 503 unavailable with Retry-After.
func unavailableAnswer(a answer) bool {
	return a.err == nil && a.status == http.StatusServiceUnavailable && a.code == "unavailable" && a.retryAfter != ""
}
