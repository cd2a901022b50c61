package conformance

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/authn/password"
	"github.com/clientele/clientele/clienteletest"
	"github.com/clientele/clientele/invite"
	"github.com/clientele/clientele/rbac"
	"github.com/clientele/clientele/tenancy"
)

// Environment variables RunIsolation reads.
const (
	// IsolationStepsEnv overrides the number of steps.
	IsolationStepsEnv = "CLIENTELE_ISOLATION_STEPS"
	// IsolationSeedEnv overrides the seed; "random" picks one from the
	// clock (and the run logs it).
	IsolationSeedEnv = "CLIENTELE_ISOLATION_SEED"
)

// Sizes of the isolation property's world.
const (
	isoAgencies   = 3
	isoEmails     = 12  // the email pool every agency invites from
	isoCheckEvery = 100 // steps between comparisons of the whole state
	isoRecent     = 20  // audit events compared by a periodic check
	isoBaseURL    = "https://portal.test"
	isoPassword   = "correct horse battery"
)

// isoClientNames names every agency's clients: the same names in each
// agency, so that a leak across agencies cannot hide behind a name.
var isoClientNames = []string{"Globex", "Initech", "Umbrella", "Hooli"}

// RunIsolation checks tenant isolation as a property. On one store from
// newStore it builds 3 agencies of 4 clients each, through the tenancy and
// invite services with an injected clock, and runs steps operations
// chosen at random from seed: invite, accept, resend, cancel, role
// change, removal, deactivation, reactivation, permission change, and the
// reads (ListUsers, Member, Client, ListClients, ListAudit, Lookup). The
// actors are the agency admins, the current members of every client, stale
// principals (removed, deactivated or since re-roled members) and forged
// ones (a member's principal naming another agency); the targets are the
// actor's own client or any other, and ids of the target, of other
// clients or of nothing. The clock moves forward at every step, now and
// then past an invitation's 7 days.
//
// After every step it checks the outcome against a small reference model:
// success, or exactly the sentinel error the contracts give (an id of
// another client is clientele.ErrNotFound, a role without the right
// rbac.ErrDenied, tenancy.ErrLastAdmin, the invitation status errors...);
// that a refused change sends no email and writes no audit event; that a
// read returns exactly the model's data; and that no principal ever
// succeeds outside its own client (or, for the agency admin, its agency).
// Every 100 steps and at the end it compares the whole state of every
// client, user, invitation and audit log with the model.
//
// The service contract trusts the principal it is given (the host
// resolves it fresh per request), so the model lets a stale principal act
// within the client it names, and nowhere else.
//
// CLIENTELE_ISOLATION_STEPS overrides steps and CLIENTELE_ISOLATION_SEED
// the seed ("random" for a new one). The run logs its seed, its size and
// the count of each operation and outcome; a failure names the seed, the
// step and the operation, and replays with those two variables.
func RunIsolation(t *testing.T, newStore func(t *testing.T) Store, steps int, seed int64) {
	steps, seed = isolationSize(t, steps, seed)
	t.Logf("isolation: seed %d, %d steps (%s=%d %s=%d)", seed, steps, IsolationSeedEnv, seed, IsolationStepsEnv, steps)
	w := newIsoWorld(t, newStore(t), seed)
	start := time.Now()
	w.setup()
	for w.step = 0; w.step < steps; w.step++ {
		w.advance()
		w.runOp()
		if (w.step+1)%isoCheckEvery == 0 {
			w.checkAll(false)
		}
	}
	w.checkAll(true)
	w.report(time.Since(start))
}

// isolationSize applies the environment's overrides.
func isolationSize(t *testing.T, steps int, seed int64) (int, int64) {
	if v := os.Getenv(IsolationStepsEnv); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			t.Fatalf("conformance: %s=%q: want a number of steps", IsolationStepsEnv, v)
		}
		steps = n
	}
	switch v := os.Getenv(IsolationSeedEnv); v {
	case "":
	case "random":
		seed = time.Now().UnixNano()
	default:
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			t.Fatalf("conformance: %s=%q: want an integer or \"random\"", IsolationSeedEnv, v)
		}
		seed = n
	}
	return steps, seed
}

// isoWorld is one run: the services on the store under test, the model,
// the random source and the tallies.
type isoWorld struct {
	t       *testing.T
	ctx     context.Context
	store   Store
	tenancy *tenancy.Service
	invites *invite.Service
	clock   *clienteletest.Clock
	mail    *isoMailer
	rng     *rand.Rand
	seed    int64
	step    int    // -1 during setup
	op      string // the current operation, for failure messages
	m       isoModel
	history []clientele.Principal // every principal a member ever had

	outcomes map[string]map[string]int // operation -> outcome -> count
	byActor  map[string]map[string]int // actor kind -> outcome -> count
	outside  map[string]int            // outcome of attempts outside the actor's scope
	checks   int
	lapsed   int // invitations a new one marked expired
	revived  int // invitations resent after their expiry
}

func newIsoWorld(t *testing.T, s Store, seed int64) *isoWorld {
	w := &isoWorld{
		t: t, ctx: t.Context(), store: s, clock: clienteletest.NewClock(base), mail: &isoMailer{},
		rng: rand.New(rand.NewPCG(uint64(seed), 0x15014710)), seed: seed, step: -1,
		m:        isoModel{now: base, byClient: map[clientele.ClientID]*isoClient{}, byToken: map[string]*isoInv{}},
		outcomes: map[string]map[string]int{}, byActor: map[string]map[string]int{}, outside: map[string]int{},
	}
	authz, err := rbac.New(w.ctx)
	require.NoError(t, err)
	w.tenancy, err = tenancy.New(s, authz, tenancy.WithClock(w.clock.Now))
	require.NoError(t, err)
	hasher, err := password.New(password.WithParams(password.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}))
	require.NoError(t, err)
	w.invites, err = invite.New(s, authz, w.mail, isoBaseURL, invite.WithClock(w.clock.Now), invite.WithPasswordHasher(hasher))
	require.NoError(t, err)
	return w
}

// String describes where the run stands, for failure messages.
func (w *isoWorld) String() string {
	if w.step < 0 {
		return fmt.Sprintf("isolation seed %d, setup, op %s", w.seed, w.op)
	}
	return fmt.Sprintf("isolation seed %d, step %d, op %s (replay: %s=%d %s=%d)",
		w.seed, w.step, w.op, IsolationSeedEnv, w.seed, IsolationStepsEnv, w.step+1)
}

// setup creates the agencies and their clients, each with one Admin and
// one Member, through the same checked operations the steps use.
func (w *isoWorld) setup() {
	for i := range isoAgencies {
		w.tick(time.Second)
		label := fmt.Sprintf("a%d", i+1)
		w.op = "create agency " + label
		a, err := w.tenancy.CreateAgency(w.ctx, clientele.Branding{Name: "Agency " + label})
		require.NoError(w.t, err, "%v", w)
		ag := &isoAgency{id: a.ID, label: label, branding: a.Branding, users: map[clientele.Email]*isoUser{}}
		w.m.agencies = append(w.m.agencies, ag)
		staff := isoActor{p: clientele.AgencyAdmin(a.ID), kind: "agency", label: "agency " + label}
		for j, name := range isoClientNames {
			w.tick(time.Second)
			w.op = "create client " + label + "/" + name
			c, err := w.tenancy.CreateClient(w.ctx, staff.p, name)
			require.NoError(w.t, err, "%v", w)
			mc := &isoClient{id: c.ID, agency: ag, label: label + "/" + name, name: name, created: w.m.now}
			require.Equal(w.t, normClient(mc.client()), normClient(c), "%v", w)
			ag.clients = append(ag.clients, mc)
			w.m.clients = append(w.m.clients, mc)
			w.m.byClient[mc.id] = mc
			target := isoTarget{id: mc.id, c: mc, label: mc.label}
			for k, role := range []clientele.Role{clientele.RoleAdmin, clientele.RoleMember} {
				w.tick(time.Second)
				inv := w.invite(staff, target, isoEmail(j+5*k), role)
				require.NotNil(w.t, inv, "%v: the setup's invitation was refused", w)
				w.tick(time.Second)
				require.NotNil(w.t, w.accept(inv.token, inv.label), "%v: the setup's acceptance was refused", w)
			}
		}
	}
	clear(w.outcomes)
	clear(w.byActor)
	clear(w.outside)
	w.lapsed, w.revived = 0, 0
}

func isoEmail(i int) clientele.Email {
	return clientele.Email(fmt.Sprintf("u%d@example.com", i%isoEmails))
}

// tick moves the clock forward by d.
func (w *isoWorld) tick(d time.Duration) {
	w.clock.Advance(d)
	w.m.now = w.clock.Now().UTC().Truncate(time.Microsecond)
}

// advance moves the clock at the start of a step: by seconds to minutes
// mostly, now and then by days, rarely past a whole invitation lifetime.
// Every step's time differs, so the audit log's order is the steps'.
func (w *isoWorld) advance() {
	switch r := w.rng.IntN(1000); {
	case r < 3:
		w.tick(invite.DefaultTTL + time.Duration(w.rng.IntN(48))*time.Hour)
	case r < 13:
		w.tick(time.Duration(1+w.rng.IntN(72)) * time.Hour)
	default:
		w.tick(time.Second + time.Duration(w.rng.IntN(900))*time.Second)
	}
}

// isoOps are the operations a step picks from, by weight.
var isoOps = []struct {
	name   string
	weight int
	run    func(w *isoWorld)
}{
	{"invite", 14, (*isoWorld).opInvite},
	{"accept", 6, (*isoWorld).opAccept},
	{"resend", 6, (*isoWorld).opResend},
	{"cancel", 5, (*isoWorld).opCancel},
	{"change_role", 8, (*isoWorld).opChangeRole},
	{"remove", 9, (*isoWorld).opRemove},
	{"deactivate", 4, (*isoWorld).opDeactivate},
	{"reactivate", 4, (*isoWorld).opReactivate},
	{"set_permissions", 4, (*isoWorld).opSetPermissions},
	{"list_users", 8, (*isoWorld).opListUsers},
	{"member", 7, (*isoWorld).opMember},
	{"client", 5, (*isoWorld).opClient},
	{"list_clients", 3, (*isoWorld).opListClients},
	{"list_audit", 5, (*isoWorld).opListAudit},
	{"lookup", 5, (*isoWorld).opLookup},
}

func (w *isoWorld) runOp() {
	total := 0
	for _, op := range isoOps {
		total += op.weight
	}
	r := w.rng.IntN(total)
	for _, op := range isoOps {
		if r < op.weight {
			op.run(w)
			return
		}
		r -= op.weight
	}
}

// isoActor is who acts in a step, with how it was chosen.
type isoActor struct {
	p     clientele.Principal
	kind  string // agency, fresh, stale, forged, or token for an acceptance
	label string
}

// actor picks who acts: an agency admin, a current active member, a
// principal from the past (stale unless it still matches), or a member's
// principal forged to name another agency.
func (w *isoWorld) actor() isoActor {
	r := w.rng.IntN(100)
	switch {
	case r < 55:
		if a, ok := w.freshActor(); ok {
			return a
		}
	case r < 80:
		if len(w.history) > 0 {
			return w.pastActor(w.history[w.rng.IntN(len(w.history))])
		}
	case r < 85:
		if a, ok := w.freshActor(); ok {
			other := w.m.agencies[w.rng.IntN(len(w.m.agencies))]
			if other.id != a.p.AgencyID {
				a.p.AgencyID = other.id
				return isoActor{p: a.p, kind: "forged", label: a.label + " forged into " + other.label}
			}
		}
	}
	ag := w.m.agencies[w.rng.IntN(len(w.m.agencies))]
	return isoActor{p: clientele.AgencyAdmin(ag.id), kind: "agency", label: "agency " + ag.label}
}

func (w *isoWorld) freshActor() (isoActor, bool) {
	type pair struct {
		c *isoClient
		m *isoMember
	}
	var active []pair
	for _, c := range w.m.clients {
		for _, m := range c.members {
			if m.status == clientele.StatusActive {
				active = append(active, pair{c, m})
			}
		}
	}
	if len(active) == 0 {
		return isoActor{}, false
	}
	x := active[w.rng.IntN(len(active))]
	return isoActor{p: clientele.ClientUser(x.c.agency.id, x.c.id, x.m.user.id, x.m.role), kind: "fresh",
		label: fmt.Sprintf("%s %s %s", x.c.label, x.m.role, x.m.user.label)}, true
}

// pastActor classifies a principal from the history against the model now.
func (w *isoWorld) pastActor(p clientele.Principal) isoActor {
	c := w.m.byClient[p.ClientID]
	label := fmt.Sprintf("%s %s %s", c.label, p.Role, w.userLabel(p.UserID))
	m := c.member(p.UserID)
	switch {
	case m == nil:
		return isoActor{p: p, kind: "stale", label: label + " (removed)"}
	case m.status != clientele.StatusActive:
		return isoActor{p: p, kind: "stale", label: label + " (deactivated)"}
	case m.role != p.Role:
		return isoActor{p: p, kind: "stale", label: label + " (now " + string(m.role) + ")"}
	}
	return isoActor{p: p, kind: "fresh", label: label}
}

func (w *isoWorld) userLabel(id clientele.UserID) string {
	for _, u := range w.m.users {
		if u.id == id {
			return u.label
		}
	}
	return string(id)
}

// target picks the client an operation names: mostly the actor's own (any
// of its agency's for the agency admin), else any client, else none.
func (w *isoWorld) target(a isoActor) isoTarget {
	switch r := w.rng.IntN(100); {
	case r < 70:
		c := w.m.byClient[a.p.ClientID]
		if a.p.Kind == clientele.KindAgencyAdmin {
			for _, ag := range w.m.agencies {
				if ag.id == a.p.AgencyID {
					c = ag.clients[w.rng.IntN(len(ag.clients))]
				}
			}
		}
		return isoTarget{id: c.id, c: c, label: c.label}
	case r < 95:
		c := w.m.clients[w.rng.IntN(len(w.m.clients))]
		return isoTarget{id: c.id, c: c, label: c.label}
	}
	return isoTarget{id: clientele.ClientID(clientele.NewID("cli")), label: "unknown client"}
}

// isoUserRef is a user id an operation names, with a readable label.
type isoUserRef struct {
	id    clientele.UserID
	label string
}

// user picks a user id: mostly a member of t, else any user of any
// agency, else an id of nobody.
func (w *isoWorld) user(t isoTarget) isoUserRef {
	r := w.rng.IntN(100)
	if r < 60 && t.c != nil && len(t.c.members) > 0 {
		u := t.c.members[w.rng.IntN(len(t.c.members))].user
		return isoUserRef{u.id, u.label}
	}
	if r < 92 && len(w.m.users) > 0 {
		u := w.m.users[w.rng.IntN(len(w.m.users))]
		return isoUserRef{u.id, u.label}
	}
	return isoUserRef{clientele.UserID(clientele.NewID("usr")), "unknown user"}
}

// isoInvRef is an invitation id an operation names; inv is nil for an id of
// nothing.
type isoInvRef struct {
	id    clientele.InvitationID
	inv   *isoInv
	label string
}

// invitation picks an invitation id: mostly one of t (an open one when it
// has some), else any invitation of any client, else an id of nothing.
func (w *isoWorld) invitation(t isoTarget) isoInvRef {
	r := w.rng.IntN(100)
	pick := func(invs []*isoInv) isoInvRef {
		inv := invs[w.rng.IntN(len(invs))]
		return isoInvRef{inv.id, inv, inv.label}
	}
	if r < 65 && t.c != nil && len(t.c.invs) > 0 {
		if len(t.c.open) > 0 && w.rng.IntN(100) < 70 {
			return pick(t.c.open)
		}
		return pick(t.c.invs)
	}
	if r < 92 && len(w.m.invs) > 0 {
		return pick(w.m.invs)
	}
	return isoInvRef{clientele.InvitationID(clientele.NewID("inv")), nil, "unknown invitation"}
}

// token picks a token to accept or look up: mostly one of an invitation
// still pending (by its stored status, so sometimes past its expiry) in
// any client, else any token ever mailed, else one never issued. inv is
// nil for the last.
func (w *isoWorld) token() (string, *isoInv, string) {
	r := w.rng.IntN(100)
	if r < 75 {
		var open []*isoInv
		for _, c := range w.m.clients {
			for _, inv := range c.open {
				if r < 15 || w.m.now.Before(inv.expires) {
					open = append(open, inv)
				}
			}
		}
		if len(open) > 0 {
			inv := open[w.rng.IntN(len(open))]
			return inv.token, inv, "token of " + inv.label
		}
	}
	if r < 96 && len(w.m.tokens) > 0 {
		tok := w.m.tokens[w.rng.IntN(len(w.m.tokens))]
		inv := w.m.byToken[tok]
		return tok, inv, "token of " + inv.label
	}
	b := make([]byte, 0, invite.TokenLength)
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	for range invite.TokenLength - 1 {
		b = append(b, alphabet[w.rng.IntN(len(alphabet))])
	}
	b = append(b, 'A') // the last character of 32 bytes carries 2 zero bits
	return string(b), nil, "token never issued"
}

func (w *isoWorld) role() clientele.Role {
	if w.rng.IntN(2) == 0 {
		return clientele.RoleAdmin
	}
	return clientele.RoleMember
}

// describe sets the current operation's description.
func (w *isoWorld) describe(op string, a isoActor, t isoTarget, format string, args ...any) {
	w.op = fmt.Sprintf("%s by %s [%s] on %s", op, a.label, a.kind, t.label)
	if format != "" {
		w.op += ": " + fmt.Sprintf(format, args...)
	}
}

// isoSentinels are the errors an outcome is told apart by.
var isoSentinels = []struct {
	name string
	err  error
}{
	{"not_found", clientele.ErrNotFound},
	{"denied", rbac.ErrDenied},
	{"last_admin", tenancy.ErrLastAdmin},
	{"unknown_permission", tenancy.ErrUnknownPermission},
	{"already_member", invite.ErrAlreadyMember},
	{"pending_exists", invite.ErrPendingExists},
	{"sign_in_required", invite.ErrSignInRequired},
	{"unknown_token", invite.ErrUnknownToken},
	{"expired", invite.ErrExpired},
	{"cancelled", invite.ErrCancelled},
	{"replaced", invite.ErrReplaced},
	{"used", invite.ErrUsed},
	{"not_delivered", invite.ErrNotDelivered},
	{"unauthenticated", clientele.ErrUnauthenticated},
	{"missing_scope", clientele.ErrMissingScope},
	{"invalid_argument", clientele.ErrInvalidArgument},
	{"duplicate", clientele.ErrDuplicate},
}

// expect checks an outcome: no error when want is nil, else an error that
// matches want and no other sentinel. It tallies the outcome, and fails
// the run if a principal succeeded outside its scope.
func (w *isoWorld) expect(op string, a isoActor, t *isoTarget, want, got error) {
	w.t.Helper()
	outcome := "ok"
	for _, s := range isoSentinels {
		if want == s.err {
			outcome = s.name
		}
	}
	isoTally(w.outcomes, op, outcome)
	isoTally(w.byActor, a.kind, outcome)
	if t != nil && a.kind != "token" && !isoInScope(a.p, *t) {
		w.outside[outcome]++
		if got == nil {
			w.t.Fatalf("%v: ISOLATION BREACH: %s succeeded outside the actor's scope", w, op)
		}
	}
	if want == nil {
		require.NoError(w.t, got, "%v", w)
		return
	}
	require.ErrorIs(w.t, got, want, "%v", w)
	for _, s := range isoSentinels {
		if s.err != want && errors.Is(got, s.err) {
			w.t.Fatalf("%v: error %q also matches %s; want %s alone", w, got, s.name, outcome)
		}
	}
}

func isoTally(m map[string]map[string]int, key, outcome string) {
	if m[key] == nil {
		m[key] = map[string]int{}
	}
	m[key][outcome]++
}

// report logs the tallies.
func (w *isoWorld) report(took time.Duration) {
	steps := 0
	for _, byOutcome := range w.outcomes {
		for _, n := range byOutcome {
			steps += n
		}
	}
	w.t.Logf("isolation: seed %d: %d steps in %v, %d full-state checks, 0 divergences; %d invitations, %d users, %d audit events",
		w.seed, steps, took.Round(time.Millisecond), w.checks, len(w.m.invs), len(w.m.users), w.auditCount())
	for _, op := range isoOps {
		w.t.Logf("  %-16s %s", op.name, isoCounts(w.outcomes[op.name]))
	}
	for _, kind := range slices.Sorted(maps.Keys(w.byActor)) {
		w.t.Logf("  actor %-10s %s", kind, isoCounts(w.byActor[kind]))
	}
	w.t.Logf("  outside scope    %s", isoCounts(w.outside))
	w.t.Logf("  expiry: %d invitations marked expired by a new one, %d resent after their expiry", w.lapsed, w.revived)
}

func (w *isoWorld) auditCount() int {
	n := 0
	for _, a := range w.m.agencies {
		n += len(a.events)
	}
	return n
}

func isoCounts(m map[string]int) string {
	var parts []string
	total := 0
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%s=%d", k, m[k]))
		total += m[k]
	}
	return fmt.Sprintf("%6d: %s", total, strings.Join(parts, " "))
}

// isoMailer keeps the last message sent and counts them.
type isoMailer struct {
	mu   sync.Mutex
	n    int
	last invite.Message
}

func (m *isoMailer) Send(_ context.Context, msg invite.Message) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.n++
	m.last = msg
	return nil
}

func (m *isoMailer) sent() (int, invite.Message) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.n, m.last
}
