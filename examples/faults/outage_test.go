package faults

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele/adapters/bunstore"
	"github.com/clientele/clientele/invite"
)

// cacheWindow is how long the server's principal cache keeps answering
// from memory after its last lease renewal reached the database: the
// reference server turns on bunstore.WithCache with its defaults, a 4 s
// lease of which the process counts 1 s less. No access change can commit
// while the database is down, so a session's GET /api/v1/me may answer
// 200 that long into an outage, exactly, and never longer.
const cacheWindow = 3 * time.Second

// outage is the timeline of one database stop.
type outage struct {
	stopBegin, stopDone   time.Time // the server was stopped (outageDB.down)
	startBegin, startDone time.Time // it was started again (outageDB.up)
	recovered             time.Time // the end of the last answer that was not 2xx
}

// outageDB is a private database server that an outage test stops and
// starts again under load: the PostgreSQL cluster or the MariaDB server.
type outageDB interface {
	// freshDatabase creates an empty database for t and returns its DSN.
	freshDatabase(t *testing.T, name string) string
	// down stops the server as an operator would (every connection
	// closed, open transactions rolled back) and returns once it is down.
	down() error
	// up starts it again and returns once it accepts connections.
	up() error
}

// TestPostgresOutage stops the server's PostgreSQL under load and starts
// it again: 503 unavailable while it is away, never 500, never a hang,
// recovery without restarting the server, and no partial write (see the
// package doc).
func TestPostgresOutage(t *testing.T) {
	sz := sizesOf(t)
	testOutage(t, privatePostgres(t), sz, sz.pgOutages)
}

// TestMariaDBOutage is TestPostgresOutage on a private MariaDB server,
// stopped with SIGTERM.
func TestMariaDBOutage(t *testing.T) {
	sz := sizesOf(t)
	testOutage(t, privateMariaDB(t), sz, sz.mariadbOutages)
}

// testOutage runs the server on a fresh database of db under load, stops
// db n times for sz.outageDown and checks every answer, the recoveries
// and the writes.
func testOutage(t *testing.T, db outageDB, sz sizes, n int) {
	dsn := db.freshDatabase(t, "faults_outage")
	p := startPortal(t, portalOpts{db: dsn})
	ctx := t.Context()
	mails := newMailbox(p.mailDir)

	// 16 clients keep the invitations (10 a second) under the server's
	// limit of 60 a minute per client.
	clients := make([]string, 16)
	for i := range clients {
		clients[i] = p.createClient(t, fmt.Sprintf("Outage %02d", i))
	}
	a, _ := p.invite(ctx, clients[0], "ada@outage.example", "admin")
	require.Equal(t, http.StatusCreated, a.status, "%s", a.body)
	tok, err := mails.wait(ctx, "ada@outage.example", 20*time.Second)
	require.NoError(t, err)
	var accepted struct {
		SessionToken string `json:"session_token"`
	}
	p.must(t, http.StatusCreated, "POST", "/api/v1/invitations/accept", "",
		map[string]string{"token": tok, "name": "Ada", "password": "analytical engine"}, &accepted)

	rec := &recorder{}
	load := &readLoad{p: p, rec: rec, session: accepted.SessionToken, clients: clients}
	loadStart := time.Now()
	load.start(ctx)
	stopped := false
	defer func() {
		if !stopped {
			load.stop()
		}
	}()
	between := max(sz.outageLoad/time.Duration(n+1), time.Second)
	outages := make([]outage, n)
	for i := range outages {
		o := &outages[i]
		pause(ctx, between)
		o.stopBegin = time.Now()
		require.NoError(t, db.down())
		o.stopDone = time.Now()
		pause(ctx, sz.outageDown)
		o.startBegin = time.Now()
		require.NoError(t, db.up())
		o.startDone = time.Now()
		waitRecovered(ctx, rec, o.startDone, answerBound+5*time.Second)
	}
	pause(ctx, between)
	load.stop()
	stopped = true
	loadEnd := time.Now()

	all := rec.snapshot()
	t.Logf("load: %d answers in %v: %s", len(all), loadEnd.Sub(loadStart).Round(time.Millisecond), formatTally(tally(all)))
	for _, a := range all {
		if !assert.NoError(t, a.err, "every request is answered") {
			continue
		}
		assert.Less(t, a.took(), answerBound, "every request answers within %v: %v", answerBound, a)
		assert.True(t, a.ok() || unavailableAnswer(a), "2xx, or 503 unavailable with Retry-After, never 500: %v %s", a, a.body)
	}
	for i := range outages {
		checkOutage(t, i, &outages[i], all, nextStop(outages, i, loadEnd))
	}
	checkNoPartialInvitations(t, p, dsn, rec, clients)
	checkOutageMails(t, mails, p, clients)
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// nextStop is when the load after outage i ends: the next stop, or the
// end of the load.
func nextStop(outages []outage, i int, loadEnd time.Time) time.Time {
	if i+1 < len(outages) {
		return outages[i+1].stopBegin
	}
	return loadEnd
}

// pause waits d, or until ctx ends: the load runs meanwhile.
func pause(ctx context.Context, d time.Duration) {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
	case <-timer.C:
	}
}

// waitRecovered waits until every kind of request has been answered 2xx,
// in a request started after since, and the newest answer of each kind is
// 2xx; at most bound.
func waitRecovered(ctx context.Context, rec *recorder, since time.Time, bound time.Duration) {
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	deadline := time.Now().Add(bound)
	for time.Now().Before(deadline) {
		last := map[string]answer{}
		for _, a := range rec.snapshot() {
			if !a.start.Before(since) && a.end.After(last[a.op].end) {
				last[a.op] = a
			}
		}
		if len(last) == 3 && last["me"].ok() && last["clients"].ok() && last["invite"].ok() {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// checkOutage checks the answers around outage i and logs its figures.
func checkOutage(t *testing.T, i int, o *outage, all []answer, until time.Time) {
	t.Helper()
	var firstUnavailable time.Time
	for _, a := range all {
		if a.start.Before(o.startDone) || !a.start.Before(until) {
			continue
		}
		if !a.ok() && a.end.After(o.recovered) {
			o.recovered = a.end
		}
	}
	if o.recovered.IsZero() {
		o.recovered = o.startDone
	}
	phases := map[string][]answer{}
	for _, a := range all {
		if a.start.Before(o.stopBegin.Add(-time.Second)) || !a.start.Before(until) {
			continue
		}
		if unavailableAnswer(a) && (firstUnavailable.IsZero() || a.end.Before(firstUnavailable)) {
			firstUnavailable = a.end
		}
		ph := phaseOf(a, o)
		phases[ph] = append(phases[ph], a)
	}
	down := phases["3 down"]
	require.NotEmpty(t, down, "outage %d: requests were made while the database was down", i+1)
	var lastCached time.Time
	meUnavailable := 0
	for _, a := range down {
		if a.op == "me" && a.ok() {
			assert.Less(t, a.start.Sub(o.stopDone), cacheWindow, "outage %d: /me answered from the cache only within its lease", i+1)
			lastCached = maxTime(lastCached, a.end)
			continue
		}
		if assert.True(t, unavailableAnswer(a), "outage %d: while the database is down: 503 unavailable with Retry-After, got %v", i+1, a) && a.op == "me" {
			meUnavailable++
		}
	}
	if o.startBegin.Sub(o.stopDone) > cacheWindow+time.Second {
		assert.Positive(t, meUnavailable, "outage %d: once its lease is over the cache stops answering /me", i+1)
	}
	recovery := o.recovered.Sub(o.startDone)
	assert.Less(t, recovery, answerBound, "outage %d: the server recovers by itself within %v", i+1, answerBound)
	after := tally(phases["6 after"])
	for _, op := range []string{"me 200", "clients 200", "invite 201"} {
		assert.Positive(t, after[op], "outage %d: %s after recovery", i+1, op)
	}
	require.False(t, firstUnavailable.IsZero(), "outage %d: some request answered 503", i+1)
	cached := "none"
	if !lastCached.IsZero() {
		cached = lastCached.Sub(o.stopBegin).Round(time.Millisecond).String()
	}
	t.Logf("outage %d: stop took %v, down %v, start took %v; first 503 %v after the stop began; last /me 200 from the cache %s after it; recovered %v after the start returned",
		i+1, o.stopDone.Sub(o.stopBegin).Round(time.Millisecond), o.startBegin.Sub(o.stopDone).Round(time.Millisecond),
		o.startDone.Sub(o.startBegin).Round(time.Millisecond), firstUnavailable.Sub(o.stopBegin).Round(time.Millisecond),
		cached, recovery.Round(time.Millisecond))
	for _, ph := range []string{"1 before (its last second)", "2 stopping", "3 down", "4 starting", "5 recovering", "6 after"} {
		as := phases[ph]
		slowest := time.Duration(0)
		for _, a := range as {
			slowest = max(slowest, a.took())
		}
		t.Logf("outage %d, %s: %d answers, slowest %v: %s", i+1, ph[2:], len(as), slowest.Round(time.Millisecond), formatTally(tally(as)))
	}
}

// phaseOf places a by its start in o's timeline; "down" holds only the
// requests made and answered while the database was down.
func phaseOf(a answer, o *outage) string {
	switch {
	case a.start.Before(o.stopBegin):
		return "1 before (its last second)"
	case a.start.Before(o.stopDone):
		return "2 stopping"
	case a.start.Before(o.startBegin) && !a.end.After(o.startBegin):
		return "3 down"
	case a.start.Before(o.startDone):
		return "4 starting"
	case !a.start.After(o.recovered):
		return "5 recovering"
	}
	return "6 after"
}

// checkNoPartialInvitations checks that every invitation the load asked for
// is either whole (in the user list, with exactly one invitation.create
// event and one outbox row) or absent (nothing at all), that every one
// answered 201 is whole, and that nothing else appeared.
func checkNoPartialInvitations(t *testing.T, p *portal, dsn string, rec *recorder, clients []string) {
	t.Helper()
	type listed struct {
		client string
		entry  userEntry
	}
	byEmail := map[string]listed{}
	for _, c := range clients {
		for _, u := range p.users(t, c) {
			if strings.HasPrefix(u.Email, "load-") {
				_, dup := byEmail[u.Email]
				assert.False(t, dup, "%s is listed once", u.Email)
				byEmail[u.Email] = listed{c, u}
			}
		}
	}
	creates, createsByEmail := map[string]int{}, map[string]int{}
	for _, ev := range p.audit(t) {
		if ev.Action != "invitation.create" {
			continue
		}
		creates[ev.Target]++
		var after struct {
			Email string `json:"email"`
		}
		require.NoError(t, json.Unmarshal([]byte(ev.After), &after), ev.After)
		createsByEmail[after.Email]++
	}
	outbox := outboxRows(t, dsn)

	calls := rec.inviteCalls()
	asked := map[string]bool{}
	var created, unansweredWhole, unansweredAbsent int
	for _, c := range calls {
		asked[c.email] = true
		l, present := byEmail[c.email]
		switch {
		case c.status == http.StatusCreated:
			created++
			if assert.True(t, present, "invitation of %s answered 201 is listed", c.email) {
				assert.Equal(t, c.id, l.entry.ID, c.email)
				assert.Equal(t, c.client, l.client, c.email)
				assert.Equal(t, "pending", l.entry.Status, c.email)
			}
		case present:
			unansweredWhole++ // committed, its answer lost with the connection
		default:
			unansweredAbsent++
			assert.Zero(t, createsByEmail[c.email], "no audit event for the invitation of %s that is not there", c.email)
		}
		if present {
			assert.Equal(t, 1, creates[l.entry.ID], "exactly one invitation.create event for %s", c.email)
			assert.Equal(t, 1, createsByEmail[c.email], "exactly one invitation.create event for %s", c.email)
			assert.Equal(t, 1, outbox[l.entry.ID], "exactly one outbox row for %s", c.email)
		}
	}
	for email := range byEmail {
		assert.True(t, asked[email], "pending invitation of %s was asked for", email)
	}
	t.Logf("invitations: %d asked, %d answered 201 (all listed), %d not answered 201 but committed whole, %d not answered 201 and absent",
		len(calls), created, unansweredWhole, unansweredAbsent)
}

// outboxRows counts the outbox rows of each invitation, read directly.
func outboxRows(t *testing.T, dsn string) map[string]int {
	t.Helper()
	db, err := bunstore.Open(t.Context(), dsn)
	require.NoError(t, err)
	defer func() { require.NoError(t, db.Close()) }()
	rows, err := db.QueryContext(t.Context(), `SELECT i.id, COUNT(o.id) FROM clientele_invitations i
		LEFT JOIN clientele_outbox o ON o.invitation_id = i.id GROUP BY i.id`)
	require.NoError(t, err)
	defer func() { require.NoError(t, rows.Close()) }()
	out := map[string]int{}
	for rows.Next() {
		var id string
		var n int
		require.NoError(t, rows.Scan(&id, &n))
		out[id] = n
	}
	require.NoError(t, rows.Err())
	return out
}

// checkOutageMails counts the emails of the pending invitations. A
// delivery claimed just as the database went away keeps its lease
// (invite.DefaultLease) before another attempt, so only the full run
// waits for every email; the short one reports the count.
func checkOutageMails(t *testing.T, mails *mailbox, p *portal, clients []string) {
	t.Helper()
	want := map[string]bool{}
	for _, c := range clients {
		for _, u := range p.users(t, c) {
			if u.Status == "pending" {
				want[u.Email] = true
			}
		}
	}
	bound := 5 * time.Second
	if os.Getenv(envFull) == "1" {
		bound = invite.DefaultLease + 15*time.Second
	}
	start := time.Now()
	var got map[string]int
	for {
		require.NoError(t, mails.scan())
		got = mails.count()
		missing := 0
		for email := range want {
			if got[email] == 0 {
				missing++
			}
		}
		if missing == 0 || time.Since(start) > bound {
			t.Logf("emails: %d of %d pending invitations mailed after %v more", len(want)-missing, len(want),
				time.Since(start).Round(time.Millisecond))
			if os.Getenv(envFull) == "1" {
				assert.Zero(t, missing, "every queued invitation email is sent within the lease")
			}
			break
		}
		pause(t.Context(), 100*time.Millisecond)
	}
	again := 0
	for _, n := range got {
		again += n - 1
	}
	// A send whose outcome could not be recorded (the database went away
	// just after it) is sent again with a new link once its lease ends:
	// the contract of invite.Deliverer.
	t.Logf("emails: %d sent again after an unrecorded send", again)
}
