package rbac

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/casbin/casbin/v3"
	"github.com/casbin/casbin/v3/model"
	"github.com/clientele/clientele"
	"github.com/stretchr/testify/require"
)

// Scale benchmarks: N clients with usersPerClient users each. Run them all
// with
//
//	go test -run '^$' -bench 'Authorize|CasbinEnforce|CasbinDomains' -benchmem ./rbac
//
// See docs/PERFORMANCE.md for results.

const usersPerClient = 10

var benchSizes = []int{100, 10_000, 100_000}

// domainsFullEnv, when set to 1, makes BenchmarkCasbinDomains run the sizes
// it otherwise skips because loading them takes too long.
const domainsFullEnv = "RBAC_BENCH_DOMAINS_FULL"

// scaleRequest is one decision as the HTTP middleware would ask it: the
// principal resolved for the request, the client's permission set as read
// from the store, and the action of the route.
type scaleRequest struct {
	p     clientele.Principal
	perms clientele.PermissionSet
	act   Action
}

// clientPerms returns the permission set of client c: the eight subsets of
// the built-in permissions in turn.
func clientPerms(c int) clientele.PermissionSet {
	var ps []clientele.Permission
	for i, p := range []clientele.Permission{billing, reports, export} {
		if c&(1<<i) != 0 {
			ps = append(ps, p)
		}
	}
	return clientele.NewPermissionSet(ps...)
}

// userRole is the role of user u of a client: the first user is an admin.
func userRole(u int) clientele.Role {
	if u == 0 {
		return clientele.RoleAdmin
	}
	return clientele.RoleMember
}

// allowedByWant reports whether wantPolicy (written independently of the
// embedded policy) allows sub to do act with perms.
func allowedByWant(sub Subject, act Action, perms clientele.PermissionSet) bool {
	need, ok := wantPolicy[sub][act]
	return ok && (need == open || perms.Has(need))
}

// scaleRequests returns n×usersPerClient allowed requests, one per user,
// ordered so that consecutive requests go to consecutive clients (round
// robin over the clients). The action of request j is the first of
// allActions, starting at j mod len(allActions), that the user may do in its
// client, so the requests mix open actions and actions needing a permission.
func scaleRequests(n int) []scaleRequest {
	perms := make([]clientele.PermissionSet, n)
	clients := make([]clientele.ClientID, n)
	for c := range n {
		perms[c] = clientPerms(c)
		clients[c] = clientele.ClientID("cli_" + strconv.Itoa(c))
	}
	reqs := make([]scaleRequest, 0, n*usersPerClient)
	for u := range usersPerClient {
		for c := range n {
			j := len(reqs)
			role := userRole(u)
			user := clientele.UserID("usr_" + strconv.Itoa(c) + "_" + strconv.Itoa(u))
			r := scaleRequest{p: clientele.ClientUser("agc_1", clients[c], user, role), perms: perms[c]}
			for k := range allActions {
				act := allActions[(j+k)%len(allActions)]
				if allowedByWant(Subject(role), act, perms[c]) {
					r.act = act
					break
				}
			}
			reqs = append(reqs, r)
		}
	}
	return reqs
}

// liveHeap returns the live heap after a full collection.
func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// heapDelta is after-before as a float, clamped at 0 (GC noise).
func heapDelta(before, after uint64) float64 {
	if after < before {
		return 0
	}
	return float64(after - before)
}

// newMeasuredAuthorizer returns an Authorizer with the default policy and
// the live heap it holds.
func newMeasuredAuthorizer(b *testing.B) (*Authorizer, float64) {
	before := liveHeap()
	a := newAuthorizer(b)
	after := liveHeap()
	return a, heapDelta(before, after)
}

// BenchmarkAuthorize is the decision as the middleware asks it, for
// requests spread over N clients × 10 users. Every request is allowed, so
// Authorize returns nil (a denial returns a *DeniedError: see
// BenchmarkAuthorizeDenied). heap-B is the live heap the Authorizer holds.
func BenchmarkAuthorize(b *testing.B) {
	ctx := context.Background()
	for _, n := range benchSizes {
		b.Run("clients="+strconv.Itoa(n), func(b *testing.B) {
			reqs := scaleRequests(n)
			a, heap := newMeasuredAuthorizer(b)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				r := &reqs[i]
				if err := a.Authorize(ctx, r.p, r.act, r.perms); err != nil {
					b.Fatal(err)
				}
				if i++; i == len(reqs) {
					i = 0
				}
			}
			b.ReportMetric(heap, "heap-B")
			runtime.KeepAlive(a)
		})
	}
}

// BenchmarkDecideScale is BenchmarkAuthorize through Decide.
func BenchmarkDecideScale(b *testing.B) {
	ctx := context.Background()
	for _, n := range benchSizes {
		b.Run("clients="+strconv.Itoa(n), func(b *testing.B) {
			reqs := scaleRequests(n)
			a := newAuthorizer(b)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				r := &reqs[i]
				if !a.Decide(ctx, r.p, r.act, r.perms).Allowed {
					b.Fatal(r)
				}
				if i++; i == len(reqs) {
					i = 0
				}
			}
		})
	}
}

// BenchmarkAuthorizeDenied measures the denials, which build an error.
func BenchmarkAuthorizeDenied(b *testing.B) {
	ctx := context.Background()
	a := newAuthorizer(b)
	cases := []struct {
		name  string
		p     clientele.Principal
		act   Action
		perms clientele.PermissionSet
	}{
		{"no_rule", member, ActionUseBilling, clientele.NewPermissionSet(billing)},
		{"missing_permission", clientAdmin, ActionUseBilling, nil},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := a.Authorize(ctx, c.p, c.act, c.perms); err == nil {
					b.Fatal("allowed")
				}
			}
		})
	}
}

// BenchmarkCasbinEnforce makes the decisions of BenchmarkAuthorize through
// Casbin's Enforce on the constant-policy model (the role and the client's
// permission set in the request).
func BenchmarkCasbinEnforce(b *testing.B) {
	for _, n := range benchSizes {
		b.Run("clients="+strconv.Itoa(n), func(b *testing.B) {
			reqs := scaleRequests(n)
			a, heap := newMeasuredAuthorizer(b)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				r := &reqs[i]
				ok, err := a.enforce(Subject(r.p.Role), r.act, r.perms)
				if err != nil || !ok {
					b.Fatal(ok, err)
				}
				if i++; i == len(reqs) {
					i = 0
				}
			}
			b.ReportMetric(heap, "heap-B")
			runtime.KeepAlive(a)
		})
	}
}

// domainsModel is the natural RBAC-with-domains model: users get a role
// per client through grouping lines, and roles get actions per client
// through policy lines.
const domainsModel = `
[request_definition]
r = sub, dom, act

[policy_definition]
p = sub, dom, act

[role_definition]
g = _, _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = g(r.sub, p.sub, r.dom) && r.dom == p.dom && r.act == p.act
`

// domainsRequest is a scaleRequest as the domains model asks it.
type domainsRequest struct{ sub, dom, act string }

// newDomainsEnforcer returns an enforcer of domainsModel holding one
// grouping line per membership of reqs' users and one policy line per
// (role, client, action) the default policy allows with the client's
// permissions.
func newDomainsEnforcer(tb testing.TB, reqs []scaleRequest) *casbin.Enforcer {
	tb.Helper()
	m, err := model.NewModelFromString(domainsModel)
	require.NoError(tb, err)
	e, err := casbin.NewEnforcer(m)
	require.NoError(tb, err)
	var g, p [][]string
	seen := make(map[clientele.ClientID]bool)
	for _, r := range reqs {
		dom := string(r.p.ClientID)
		g = append(g, []string{string(r.p.UserID), string(r.p.Role), dom})
		if seen[r.p.ClientID] {
			continue
		}
		seen[r.p.ClientID] = true
		for _, role := range []clientele.Role{clientele.RoleAdmin, clientele.RoleMember} {
			for _, act := range allActions {
				if allowedByWant(Subject(role), act, r.perms) {
					p = append(p, []string{string(role), dom, string(act)})
				}
			}
		}
	}
	ok, err := e.AddGroupingPolicies(g)
	require.NoError(tb, err)
	require.True(tb, ok)
	ok, err = e.AddPolicies(p)
	require.NoError(tb, err)
	require.True(tb, ok)
	return e
}

// BenchmarkCasbinDomains makes the decisions of BenchmarkAuthorize through
// Enforce on domainsModel, where every membership and every client feature
// is a line of the policy. heap-B is the live heap the loaded enforcer
// holds; load-s the time to load it.
func BenchmarkCasbinDomains(b *testing.B) {
	full := os.Getenv(domainsFullEnv) == "1"
	for _, n := range benchSizes {
		b.Run("clients="+strconv.Itoa(n), func(b *testing.B) {
			if n > 10_000 && !full {
				b.Skipf("skipped by default: %d clients are %d grouping lines and ~%d policy lines; here loading them took ~6 s and held ~1.2 GB of heap (docs/PERFORMANCE.md); set %s=1 to run it",
					n, n*usersPerClient, n*25/2, domainsFullEnv)
			}
			reqs := scaleRequests(n)
			dreqs := make([]domainsRequest, len(reqs))
			for i, r := range reqs {
				dreqs[i] = domainsRequest{string(r.p.UserID), string(r.p.ClientID), string(r.act)}
			}
			before := liveHeap()
			start := time.Now()
			e := newDomainsEnforcer(b, reqs)
			load := time.Since(start)
			heap := heapDelta(before, liveHeap())
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				r := &dreqs[i]
				ok, err := e.Enforce(r.sub, r.dom, r.act)
				if err != nil || !ok {
					b.Fatal(r, ok, err)
				}
				if i++; i == len(dreqs) {
					i = 0
				}
			}
			b.ReportMetric(heap, "heap-B")
			b.ReportMetric(load.Seconds(), "load-s")
			runtime.KeepAlive(e)
		})
	}
}

// TestAuthorizerStateDoesNotGrowWithClients makes decisions for many
// distinct clients and users and checks that the Authorizer's state is
// unchanged: the same table, the same Casbin policy, no retained heap.
func TestAuthorizerStateDoesNotGrowWithClients(t *testing.T) {
	ctx := context.Background()
	reqs := scaleRequests(10_000)
	a := newAuthorizer(t)
	tbl := a.load()
	rules, err := a.enforcer.GetPolicy()
	require.NoError(t, err)
	before := liveHeap()
	for _, r := range reqs {
		require.NoError(t, a.Authorize(ctx, r.p, r.act, r.perms))
	}
	after := liveHeap()
	require.Same(t, tbl, a.load(), "decisions do not change the table")
	now, err := a.enforcer.GetPolicy()
	require.NoError(t, err)
	require.Equal(t, rules, now)
	require.Less(t, heapDelta(before, after), float64(64<<10), "heap retained after %d decisions", len(reqs))
	runtime.KeepAlive(reqs)
}

// TestDomainsEnforcerAgrees checks that the domains model used by
// BenchmarkCasbinDomains allows the same requests as the Authorizer, and
// denies a user in another client.
func TestDomainsEnforcerAgrees(t *testing.T) {
	ctx := context.Background()
	reqs := scaleRequests(16)
	e := newDomainsEnforcer(t, reqs)
	a := newAuthorizer(t)
	for _, r := range reqs {
		require.NoError(t, a.Authorize(ctx, r.p, r.act, r.perms))
		ok, err := e.Enforce(string(r.p.UserID), string(r.p.ClientID), string(r.act))
		require.NoError(t, err)
		require.True(t, ok, fmt.Sprint(r))
		ok, err = e.Enforce(string(r.p.UserID), "cli_other", string(r.act))
		require.NoError(t, err)
		require.False(t, ok)
	}
}
