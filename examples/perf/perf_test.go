package perf_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/adapters/bunstore"
	"github.com/clientele/clientele/authn"
	"github.com/clientele/clientele/authn/password"
	"github.com/clientele/clientele/examples/perf"
	"github.com/clientele/clientele/internal/token"
	"github.com/clientele/clientele/invite"
	"github.com/clientele/clientele/rbac"
	"github.com/clientele/clientele/tenancy"
)

// Environment variables naming the seeded databases.
const (
	envPostgres      = "CLIENTELE_PERF_POSTGRES_DSN"
	envPostgresSmall = "CLIENTELE_PERF_POSTGRES_SMALL_DSN"
	envSQLite        = "CLIENTELE_PERF_SQLITE_DSN"
)

func TestNewTokenHashesBack(t *testing.T) {
	tok, hash := perf.NewToken()
	got, err := token.Hash(tok)
	if err != nil || string(got) != string(hash) {
		t.Fatalf("token.Hash(%q) = %x, %v; want %x", tok, got, err, hash)
	}
}

func TestPercentile(t *testing.T) {
	d := make([]time.Duration, 100)
	for i := range d {
		d[i] = time.Duration(i + 1)
	}
	if p := perf.Percentile(d, 50); p != 50 {
		t.Errorf("p50 = %d, want 50", p)
	}
	if p := perf.Percentile(d, 99); p != 99 {
		t.Errorf("p99 = %d, want 99", p)
	}
	s := perf.Summarize(d, time.Second)
	if s.Max != 100 || s.Mean != 50 || s.PerSecond != 100 {
		t.Errorf("Summarize = %+v", s)
	}
}

func intEnv(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// open opens dsn, upgrades its schema and counts its queries.
func open(tb testing.TB, dsn string) (*bun.DB, *bunstore.Store, *perf.QueryCounter) {
	tb.Helper()
	ctx := context.Background()
	db, err := bunstore.Open(ctx, dsn)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = db.Close() })
	if err := bunstore.Migrate(ctx, db); err != nil {
		tb.Fatal(err)
	}
	qc := &perf.QueryCounter{}
	db = db.WithQueryHook(qc)
	st, err := bunstore.New(db)
	if err != nil {
		tb.Fatal(err)
	}
	return db, st, qc
}

func agencyOf(tb testing.TB, db *bun.DB) clientele.AgencyID {
	tb.Helper()
	var id string
	if err := db.NewSelect().TableExpr("clientele_agencies").Column("id").OrderExpr("id").Limit(1).Scan(context.Background(), &id); err != nil {
		tb.Fatal(err)
	}
	return clientele.AgencyID(id)
}

// noInvites is the acceptor authn.New needs; resolving never uses it.
type noInvites struct{}

func (noInvites) Lookup(context.Context, string) (invite.Preview, error) {
	return invite.Preview{}, errors.New("unused")
}

func (noInvites) Pending(context.Context, string) (clientele.Invitation, error) {
	return clientele.Invitation{}, errors.New("unused")
}

func (noInvites) Accept(context.Context, invite.AcceptRequest) (clientele.Member, error) {
	return clientele.Member{}, errors.New("unused")
}

type membership struct {
	ClientID string `bun:"client_id"`
	UserID   string `bun:"user_id"`
}

// sessions creates n sessions of random active members of agency through
// the store (no sign-in, no argon2) and deletes them when tb ends. One in
// ten was last seen 90 s ago, so its first resolution touches it.
func sessions(tb testing.TB, db *bun.DB, st *bunstore.Store, agency clientele.AgencyID, n int) []string {
	tb.Helper()
	ctx := context.Background()
	var ms []membership
	err := db.NewSelect().TableExpr("clientele_memberships AS m").ColumnExpr("m.client_id, m.user_id").
		Join("JOIN clientele_clients AS c ON c.id = m.client_id").Where("c.agency_id = ?", string(agency)).
		Where("m.status = ?", string(clientele.StatusActive)).OrderExpr("random()").Limit(int64(n)).Scan(ctx, &ms)
	if err != nil {
		tb.Fatal(err)
	}
	var hashes [][]byte
	tb.Cleanup(func() {
		start := time.Now()
		for _, h := range hashes {
			if err := st.DeleteSession(context.Background(), h); err != nil {
				tb.Errorf("delete session: %v", err)
			}
		}
		tb.Logf("deleted the %d sessions created in %s", len(hashes), time.Since(start).Round(time.Millisecond))
	})
	now := time.Now().UTC().Truncate(time.Microsecond)
	toks := make([]string, 0, len(ms))
	start := time.Now()
	for i, m := range ms {
		tok, hash := perf.NewToken()
		seen := now
		if i%10 == 0 {
			seen = now.Add(-90 * time.Second)
		}
		err := st.CreateSession(ctx, authn.Session{TokenHash: hash, AgencyID: agency, ClientID: clientele.ClientID(m.ClientID),
			UserID: clientele.UserID(m.UserID), CreatedAt: seen, LastSeenAt: seen, ExpiresAt: now.Add(authn.DefaultAbsoluteTimeout)})
		if err != nil {
			tb.Fatal(err)
		}
		toks = append(toks, tok)
		hashes = append(hashes, hash)
	}
	tb.Logf("created %d sessions (1 in 10 last seen 90 s ago) in %s", len(toks), time.Since(start).Round(time.Millisecond))
	return toks
}

// actions alternate between two actions every member may do.
var actions = [...]rbac.Action{rbac.ActionViewClient, rbac.ActionListUsers}

// request is one request's work: resolve the token, authorize an action.
func request(ctx context.Context, svc *authn.Service, az *rbac.Authorizer, tok string, i int) error {
	id, err := svc.Resolve(ctx, tok)
	if err != nil {
		return err
	}
	return az.Authorize(ctx, id.Principal, actions[i%len(actions)], id.Permissions)
}

func TestMeasureRequestPathPostgres(t *testing.T) {
	measureRequestPath(t, os.Getenv(envPostgres), envPostgres)
}

func TestMeasureRequestPathSQLite(t *testing.T) {
	measureRequestPath(t, os.Getenv(envSQLite), envSQLite)
}

func measureRequestPath(t *testing.T, dsn, env string) {
	if dsn == "" {
		t.Skipf("%s is not set", env)
	}
	ctx := context.Background()
	db, st, qc := open(t, dsn)
	agency := agencyOf(t, db)
	describe(t, db)
	toks := sessions(t, db, st, agency, intEnv("CLIENTELE_PERF_SESSIONS", 10000))
	svc, err := authn.New(st, noInvites{}, "https://portal.example")
	if err != nil {
		t.Fatal(err)
	}
	az, err := rbac.New(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n := intEnv("CLIENTELE_PERF_REQUESTS", 20000)

	// One goroutine twice (the first pass also touches the stale sessions
	// and finds the pages cold), then two goroutines sharing the requests.
	for _, pass := range []struct {
		name    string
		workers int
	}{{"1 goroutine, first pass", 1}, {"1 goroutine, second pass", 1}, {"2 goroutines", 2}} {
		if !runRequests(t, pass.name, pass.workers, n, qc, func(i int) error { return request(ctx, svc, az, toks[i%len(toks)], i) }) {
			return
		}
		if pass.workers == 1 {
			explain(t, db, qc.LastSelect())
		}
	}
}

// runRequests runs n requests from workers goroutines and logs their
// latencies and queries; with one goroutine, requests are split by how
// many queries they made.
func runRequests(t *testing.T, name string, workers, n int, qc *perf.QueryCounter, do func(i int) error) bool {
	lat := make([][]time.Duration, workers)
	byQueries := make(map[int64][]time.Duration)
	var next, bad atomic.Int64
	var wg sync.WaitGroup
	all0, writes0 := qc.Counts()
	start := time.Now()
	for w := range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				before, _ := qc.Counts()
				t0 := time.Now()
				if err := do(i); err != nil {
					bad.Add(1)
				}
				d := time.Since(t0)
				lat[w] = append(lat[w], d)
				if workers == 1 {
					after, _ := qc.Counts()
					byQueries[after-before] = append(byQueries[after-before], d)
				}
			}
		})
	}
	wg.Wait()
	wall := time.Since(start)
	all1, writes1 := qc.Counts()
	var every []time.Duration
	for _, l := range lat {
		every = append(every, l...)
	}
	s := perf.Summarize(every, wall)
	s.ErrorsOrDenied = int(bad.Load())
	t.Logf("%s: %s", name, s)
	// bun's hook sees bun's statements only: on PostgreSQL the session read
	// goes through pgx with bind parameters (bunstore.resolvePG) and is
	// counted by pg_stat_statements instead (docs/PERFORMANCE.md).
	t.Logf("  bun statements %d for %d requests (%.4f per request): %d reads, %d writes (touches)",
		all1-all0, n, float64(all1-all0)/float64(n), (all1-all0)-(writes1-writes0), writes1-writes0)
	for q := int64(0); q <= 3; q++ {
		if d := byQueries[q]; len(d) > 0 {
			t.Logf("  requests with %d queries: %s", q, perf.Summarize(d, 0))
		}
	}
	if bad.Load() > 0 {
		t.Errorf("%d requests failed", bad.Load())
		return false
	}
	return true
}

// describe logs the database's size and, on SQLite, whether stat tables
// exist (ANALYZE would fill sqlite_stat4).
func describe(t *testing.T, db *bun.DB) {
	ctx := context.Background()
	for _, table := range []string{"clientele_clients", "clientele_users", "clientele_memberships", "clientele_invitations"} {
		n, err := db.NewSelect().TableExpr(table).Count(ctx)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d rows", table, n)
	}
	if db.Dialect().Name() == dialect.SQLite {
		var stats []string
		if err := db.NewSelect().TableExpr("sqlite_master").Column("name").Where("name LIKE 'sqlite_stat%'").Scan(ctx, &stats); err != nil {
			t.Fatal(err)
		}
		t.Logf("sqlite stat tables: %v", stats)
	}
}

// explain logs the plan of query q.
func explain(t *testing.T, db *bun.DB, q string) {
	if q == "" {
		return
	}
	ctx := context.Background()
	t.Logf("resolve query: %s", q)
	prefix := "EXPLAIN "
	if db.Dialect().Name() == dialect.SQLite {
		prefix = "EXPLAIN QUERY PLAN "
	}
	rows, err := db.QueryContext(ctx, prefix+q)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = rows.Close() }()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		t.Logf("  plan: %v", fmt.Sprint(vals[len(vals)-1]))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}

// storeOps are the operations measured at scale, in the order they run.
var storeOps = []string{"ListUsers", "CreateInvitation", "AcceptInvitation", "ChangeRole", "RemoveMember"}

func TestMeasureStoreScale(t *testing.T) {
	dsns := []struct{ name, env string }{{"small", envPostgresSmall}, {"large", envPostgres}}
	results := map[string]map[string]perf.Stats{}
	ran := 0
	for _, d := range dsns {
		dsn := os.Getenv(d.env)
		if dsn == "" {
			continue
		}
		ran++
		t.Run(d.name, func(t *testing.T) { results[d.name] = measureStore(t, dsn) })
	}
	if ran == 0 {
		t.Skipf("neither %s nor %s is set", envPostgresSmall, envPostgres)
	}
	small, large := results["small"], results["large"]
	if small == nil || large == nil {
		return
	}
	for _, op := range storeOps {
		s, l := small[op], large[op]
		t.Logf("%-16s large/small p50 %.2fx (%s / %s), p99 %.2fx (%s / %s)", op,
			ratio(l.P50, s.P50), l.P50, s.P50, ratio(l.P99, s.P99), l.P99, s.P99)
	}
}

func ratio(a, b time.Duration) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// measureStore runs each operation CLIENTELE_PERF_OPS times on random
// clients of the seeded agency. The invitations it creates are accepted,
// their members' role changed to admin, then removed; every row it adds is
// deleted at the end.
func measureStore(t *testing.T, dsn string) map[string]perf.Stats {
	ctx := context.Background()
	db, st, qc := open(t, dsn)
	agency := agencyOf(t, db)
	describe(t, db)
	ops := intEnv("CLIENTELE_PERF_OPS", 2000)

	var clients []string
	if err := db.NewSelect().TableExpr("clientele_clients").Column("id").Where("agency_id = ?", string(agency)).
		OrderExpr("random()").Limit(10000).Scan(ctx, &clients); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	pick := make([]clientele.ClientID, ops)
	for i := range pick {
		pick[i] = clientele.ClientID(clients[rng.IntN(len(clients))])
	}
	hasher, err := password.New()
	if err != nil {
		t.Fatal(err)
	}
	pwHash, err := hasher.Hash(ctx, "perf-password-123")
	if err != nil {
		t.Fatal(err)
	}

	var invIDs, userIDs, auditIDs []string
	t.Cleanup(func() { cleanup(t, db, invIDs, userIDs, auditIDs) })
	stamp := func(p clientele.Principal) clientele.AuditEvent {
		ev := clientele.NewAuditStamp(ctx, p, time.Now().UTC().Truncate(time.Microsecond))
		auditIDs = append(auditIDs, ev.ID)
		return ev
	}
	admin := clientele.AgencyAdmin(agency)
	results := map[string]perf.Stats{}
	measure := func(op string, fn func(i int) error) {
		lat := make([]time.Duration, 0, ops)
		all0, _ := qc.Counts()
		start := time.Now()
		for i := range ops {
			t0 := time.Now()
			if err := fn(i); err != nil {
				t.Fatalf("%s %d: %v", op, i, err)
			}
			lat = append(lat, time.Since(t0))
		}
		s := perf.Summarize(lat, time.Since(start))
		all1, _ := qc.Counts()
		t.Logf("%-16s %s queries/op %.1f", op, s, float64(all1-all0)/float64(ops))
		results[op] = s
	}

	entries := 0
	measure("ListUsers", func(i int) error {
		es, err := st.ListUsers(ctx, pick[i], tenancy.ListQuery{Now: time.Now().UTC(), Limit: 50})
		entries += len(es)
		return err
	})
	t.Logf("ListUsers: limit 50, %.1f entries per page on average", float64(entries)/float64(ops))

	tag := strings.ToLower(clientele.NewID("p")[2:10])
	hashes := make([][]byte, ops)
	measure("CreateInvitation", func(i int) error {
		_, hash := perf.NewToken()
		hashes[i] = hash
		email, err := clientele.ParseEmail(fmt.Sprintf("perf%s-%d@perf.example", tag, i))
		if err != nil {
			return err
		}
		now := time.Now().UTC().Truncate(time.Microsecond)
		inv := clientele.Invitation{ID: clientele.InvitationID(clientele.NewID("inv")), AgencyID: agency, ClientID: pick[i],
			Email: email, Role: clientele.RoleMember, Status: clientele.InvitationPending, TokenHash: hash,
			CreatedAt: now, ExpiresAt: now.Add(7 * 24 * time.Hour)}
		invIDs = append(invIDs, string(inv.ID))
		return st.CreateInvitation(ctx, inv, now, nil, stamp(admin))
	})
	users := make([]clientele.UserID, ops)
	measure("AcceptInvitation", func(i int) error {
		now := time.Now().UTC().Truncate(time.Microsecond)
		u := clientele.UserID(clientele.NewID("usr"))
		userIDs = append(userIDs, string(u))
		m, err := st.AcceptInvitation(ctx, invite.Acceptance{TokenHash: hashes[i], Now: now,
			NewUser: clientele.User{ID: u, Name: "Perf User", CreatedAt: now}, PasswordHash: pwHash,
			Audit: stamp(clientele.Principal{})})
		users[i] = m.UserID
		return err
	})
	measure("ChangeRole", func(i int) error {
		_, err := st.ChangeRole(ctx, pick[i], users[i], clientele.RoleAdmin, true, stamp(admin))
		return err
	})
	measure("RemoveMember", func(i int) error {
		return st.RemoveMember(ctx, pick[i], users[i], true, stamp(admin))
	})
	return results
}

// cleanup deletes what measureStore added.
func cleanup(t *testing.T, db *bun.DB, invIDs, userIDs, auditIDs []string) {
	ctx := context.Background()
	del := func(table, col string, ids []string) {
		n := int64(0)
		for len(ids) > 0 {
			batch := ids[:min(len(ids), 1000)]
			ids = ids[len(batch):]
			res, err := db.NewDelete().TableExpr(table).Where("? IN (?)", bun.Ident(col), bun.List(batch)).Exec(ctx)
			if err != nil {
				t.Errorf("delete from %s: %v", table, err)
				return
			}
			k, _ := res.RowsAffected()
			n += k
		}
		t.Logf("cleanup: %d rows deleted from %s", n, table)
	}
	del("clientele_memberships", "user_id", userIDs)
	del("clientele_invitations", "id", invIDs)
	del("clientele_users", "id", userIDs)
	del("clientele_audit", "id", auditIDs)
}

// BenchmarkRequestPath resolves and authorizes sessions of the seeded
// database named by CLIENTELE_PERF_POSTGRES_DSN or CLIENTELE_PERF_SQLITE_DSN.
func BenchmarkRequestPath(b *testing.B) {
	for _, d := range []struct{ name, env string }{{"postgres", envPostgres}, {"sqlite", envSQLite}} {
		b.Run(d.name, func(b *testing.B) {
			dsn := os.Getenv(d.env)
			if dsn == "" {
				b.Skipf("%s is not set", d.env)
			}
			ctx := context.Background()
			db, st, _ := open(b, dsn)
			toks := sessions(b, db, st, agencyOf(b, db), 1000)
			svc, err := authn.New(st, noInvites{}, "https://portal.example")
			if err != nil {
				b.Fatal(err)
			}
			az, err := rbac.New(ctx)
			if err != nil {
				b.Fatal(err)
			}
			i := 0
			for b.Loop() {
				if err := request(ctx, svc, az, toks[i%len(toks)], i); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}
